/**
 * Tokens (from the real parser, `_js_parse.ts`) and a constant-folding evaluator for the
 * static unsandboxing detector (`unsandboxing.ts`): it matches brackets and works out the
 * value of
 * an expression built from literals, constants and a few pure built-ins (`"use" +
 * "Sandbox"`, `!1`, `["a", "b"].join("")`, `atob("…")`, `JSON.parse("…")`). Anything else is
 * {@linkcode UNKNOWN}.
 *
 * @module
 */
import type * as acorn from "acorn";
import { type ParsedJs, parseJs, tokenValue } from "./_js_parse.ts";

/** What a token is. */
export type TokenType = "name" | "num" | "str" | "template" | "regex" | "punct";

/** One token of a JavaScript program. */
export interface Token {
  type: TokenType;
  /** Identifier text (escapes decoded), punctuator, decoded string, or raw number/regex. */
  value: string;
  /** 1-based line of the token's first character. */
  line: number;
  /** Whether a line break separates this token from the previous one. */
  newlineBefore: boolean;
  /** Template literals: the cooked text pieces around the substitutions. */
  quasis?: string[];
  /** Template literals: the tokens of each substitution. */
  exprs?: Token[][];
  /** Offset of the token's first character in the JavaScript. */
  start?: number;
  /** Offset one past the token's last character. */
  end?: number;
}

/**
 * The tokens of a program's JavaScript, read by the real parser (`_js_parse.ts`): names and
 * keywords as `name`, templates nested with their substitutions' tokens. Text that does not
 * parse is tokenized as far as it can be.
 *
 * @param code The JavaScript.
 * @param parsed The parser's reading of `code`, when the caller already has it.
 * @returns The tokens, in source order.
 */
export function tokenize(code: string, parsed: ParsedJs = parseJs(code)): Token[] {
  const source = parsed.tokens;
  let i = 0;
  let line = 0;
  const make = (t: acorn.Token, type: TokenType, value: string): Token => {
    const startLine = t.loc?.start.line ?? 1;
    const token: Token = {
      type,
      value,
      line: startLine,
      newlineBefore: line > 0 && startLine > line,
      start: t.start,
      end: t.end,
    };
    line = t.loc?.end.line ?? startLine;
    return token;
  };
  const template = (open: acorn.Token): Token => {
    const token = make(open, "template", "");
    const quasis: string[] = [];
    const exprs: Token[][] = [];
    while (i < source.length) {
      const t = source[i++]!;
      const label = t.type.label;
      if (label === "`") break;
      if (label === "template" || label === "invalidTemplate") {
        quasis.push(
          typeof tokenValue(t) === "string" ? String(tokenValue(t)) : code.slice(t.start, t.end),
        );
      } else if (label === "${") {
        if (quasis.length === exprs.length) quasis.push("");
        exprs.push(list(true));
      }
    }
    if (quasis.length === exprs.length) quasis.push("");
    token.quasis = quasis;
    token.exprs = exprs;
    token.value = quasis.join("${…}");
    return token;
  };
  const list = (inTemplate: boolean): Token[] => {
    const out: Token[] = [];
    let depth = 0;
    while (i < source.length) {
      const t = source[i++]!;
      const label = t.type.label;
      if (label === "`") {
        out.push(template(t));
        continue;
      }
      if (label === "}" && inTemplate && depth === 0) return out;
      if (label === "name") out.push(make(t, "name", String(tokenValue(t))));
      else if (t.type.keyword !== undefined) out.push(make(t, "name", t.type.keyword));
      else if (label === "privateId") out.push(make(t, "name", `#${tokenValue(t)}`));
      else if (label === "string") out.push(make(t, "str", String(tokenValue(t))));
      else if (label === "num") out.push(make(t, "num", code.slice(t.start, t.end)));
      else if (label === "regexp") out.push(make(t, "regex", code.slice(t.start, t.end)));
      else {
        const value = code.slice(t.start, t.end);
        if (value === "{" || value === "(" || value === "[" || value === "${") depth++;
        if (value === "}" || value === ")" || value === "]") depth--;
        out.push(make(t, "punct", value));
      }
    }
    return out;
  };
  return list(false);
}

// ---- brackets and expression extents ----

/**
 * Matching bracket of every `(`, `[` and `{` (and back), by index.
 *
 * @param tokens The tokens.
 * @returns A map from each bracket's index to its partner's.
 */
export function matchBrackets(tokens: readonly Token[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  const open: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  tokens.forEach((t, i) => {
    if (t.type !== "punct") return;
    if (t.value === "(" || t.value === "[" || t.value === "{") stack.push(i);
    else if (t.value in open) {
      // Pop to the nearest opener of the right kind (tolerates stray brackets).
      for (let k = stack.length - 1; k >= 0; k--) {
        if (tokens[stack[k]!]!.value === open[t.value]) {
          pairs.set(stack[k]!, i);
          pairs.set(i, stack[k]!);
          stack.length = k;
          break;
        }
      }
    }
  });
  return pairs;
}

const CONTINUES = new Set([
  ".",
  "?.",
  "(",
  "[",
  "?",
  ":",
  "=>",
  "+",
  "-",
  "*",
  "/",
  "%",
  "**",
  "&&",
  "||",
  "??",
  "==",
  "===",
  "!=",
  "!==",
  "<",
  ">",
  "<=",
  ">=",
  "&",
  "|",
  "^",
  "<<",
  ">>",
  ">>>",
  "instanceof",
  "in",
]);

/**
 * Where an expression that starts at `start` ends: the first `,` `;` or closing bracket at
 * depth 0, or a line break where a semicolon would be inserted.
 *
 * @param tokens The tokens.
 * @param start Index of the expression's first token.
 * @param stopAtComma Whether a comma at depth 0 ends it. @default {true}
 * @returns Index one past the expression's last token.
 */
export function expressionEnd(tokens: readonly Token[], start: number, stopAtComma = true): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === "punct") {
      if (t.value === "(" || t.value === "[" || t.value === "{") {
        depth++;
        continue;
      }
      if (t.value === ")" || t.value === "]" || t.value === "}") {
        if (depth === 0) return i;
        depth--;
        continue;
      }
      if (depth === 0 && (t.value === ";" || (stopAtComma && t.value === ","))) return i;
    }
    if (depth === 0 && i > start && t.newlineBefore) {
      const prev = tokens[i - 1]!;
      const prevEnds = prev.type !== "punct" || [")", "]", "}", "++", "--"].includes(prev.value);
      const nextContinues = (t.type === "punct" && CONTINUES.has(t.value)) ||
        t.type === "template" || (t.type === "name" && CONTINUES.has(t.value));
      if (prevEnds && !nextContinues) return i;
    }
  }
  return tokens.length;
}

// ---- constant folding ----

/** The value of an expression the evaluator could not work out. */
export const UNKNOWN: unique symbol = Symbol("unknown");

/** A built-in function or namespace the evaluator can apply. */
export class Builtin {
  /** Its dotted name, e.g. `String.fromCharCode`. */
  readonly name: string;
  /** @param name Its dotted name. */
  constructor(name: string) {
    this.name = name;
  }
}

/** A value the evaluator can work with. */
export type Value =
  | string
  | number
  | boolean
  | bigint
  | null
  | undefined
  | Value[]
  | { [key: string]: Value }
  | Builtin
  | typeof UNKNOWN;

/** Where the evaluator looks up identifiers. */
export type Lookup = (name: string) => Value;

class Unsupported extends Error {}

const BUILTINS = new Set([
  "String",
  "Number",
  "Boolean",
  "JSON",
  "atob",
  "btoa",
  "parseInt",
  "parseFloat",
  "decodeURIComponent",
  "encodeURIComponent",
  "unescape",
]);

const STRING_METHODS = new Set([
  "toString",
  "valueOf",
  "concat",
  "slice",
  "substring",
  "substr",
  "toLowerCase",
  "toUpperCase",
  "trim",
  "trimStart",
  "trimEnd",
  "split",
  "replace",
  "replaceAll",
  "repeat",
  "charAt",
  "at",
  "padStart",
  "padEnd",
  "normalize",
  "startsWith",
  "endsWith",
  "includes",
  "indexOf",
  "charCodeAt",
]);

const ARRAY_METHODS = new Set([
  "join",
  "concat",
  "reverse",
  "toReversed",
  "slice",
  "at",
  "indexOf",
  "includes",
  "flat",
  "toString",
]);

const MAX_TEXT = 100_000;

const PRECEDENCE: Record<string, number> = {
  "??": 1,
  "||": 2,
  "&&": 3,
  "|": 4,
  "^": 5,
  "&": 6,
  "==": 7,
  "!=": 7,
  "===": 7,
  "!==": 7,
  "<": 8,
  ">": 8,
  "<=": 8,
  ">=": 8,
  "in": 8,
  "instanceof": 8,
  "<<": 9,
  ">>": 9,
  ">>>": 9,
  "+": 10,
  "-": 10,
  "*": 11,
  "/": 11,
  "%": 11,
  "**": 12,
};

/**
 * Evaluates the expression made of `tokens[start..end)`, or returns {@linkcode UNKNOWN}
 * when it is not built from literals, known constants and the supported built-ins, or when
 * the tokens are not exactly one expression.
 *
 * @param tokens The tokens.
 * @param start First token of the expression.
 * @param end One past its last token.
 * @param lookup Values of identifiers (return UNKNOWN for unknown names).
 * @returns The value, or UNKNOWN.
 */
export function evaluate(
  tokens: readonly Token[],
  start: number,
  end: number,
  lookup: Lookup,
): Value {
  if (start >= end) return UNKNOWN;
  try {
    const parser = new Parser(tokens, start, end, lookup);
    const value = parser.sequence();
    return parser.done() ? value : UNKNOWN;
  } catch {
    // Unsupported syntax, or a built-in that refused its input (JSON.parse, atob, …).
    return UNKNOWN;
  }
}

/** Whether a known value is truthy (JavaScript's rules). */
export function truthy(value: Exclude<Value, typeof UNKNOWN>): boolean {
  if (value instanceof Builtin) return true;
  return Boolean(value);
}

class Parser {
  readonly #t: readonly Token[];
  #i: number;
  readonly #end: number;
  readonly #lookup: Lookup;

  constructor(tokens: readonly Token[], start: number, end: number, lookup: Lookup) {
    this.#t = tokens;
    this.#i = start;
    this.#end = end;
    this.#lookup = lookup;
  }

  done(): boolean {
    return this.#i === this.#end;
  }

  #peek(): Token | undefined {
    return this.#i < this.#end ? this.#t[this.#i] : undefined;
  }

  #is(value: string): boolean {
    const t = this.#peek();
    return t !== undefined && (t.type === "punct" || t.type === "name") && t.value === value;
  }

  #expect(value: string): void {
    if (!this.#is(value)) throw new Unsupported(`expected ${value}`);
    this.#i++;
  }

  sequence(): Value {
    let value = this.assign();
    while (this.#is(",")) {
      this.#i++;
      value = this.assign();
    }
    return value;
  }

  assign(): Value {
    const t = this.#peek();
    const next = this.#i + 1 < this.#end ? this.#t[this.#i + 1] : undefined;
    if (t?.type === "name" && next?.type === "punct" && next.value === "=>") {
      throw new Unsupported("arrow function");
    }
    const cond = this.binary(0);
    if (!this.#is("?")) return cond;
    this.#i++;
    const yes = this.assign();
    this.#expect(":");
    const no = this.assign();
    if (cond === UNKNOWN) return sameValue(yes, no) ? yes : UNKNOWN;
    return truthy(cond) ? yes : no;
  }

  binary(minPrec: number): Value {
    let left = this.unary();
    for (;;) {
      const t = this.#peek();
      if (t === undefined || (t.type !== "punct" && t.type !== "name")) return left;
      const prec = PRECEDENCE[t.value];
      if (prec === undefined || prec < minPrec || (t.type === "name" && prec !== 8)) return left;
      this.#i++;
      const right = this.binary(t.value === "**" ? prec : prec + 1);
      left = applyBinary(t.value, left, right);
    }
  }

  unary(): Value {
    const t = this.#peek();
    if (t === undefined) throw new Unsupported("end of expression");
    if (t.type === "punct" && ["!", "-", "+", "~"].includes(t.value)) {
      this.#i++;
      const v = this.unary();
      if (v === UNKNOWN) return UNKNOWN;
      if (t.value === "!") return !truthy(v);
      const n = toNumber(v);
      if (n === UNKNOWN) return UNKNOWN;
      return t.value === "-" ? -n : t.value === "+" ? n : ~n;
    }
    if (t.type === "name" && (t.value === "typeof" || t.value === "void" || t.value === "await")) {
      this.#i++;
      const v = this.unary();
      if (t.value === "void") return undefined;
      if (t.value === "await") return v;
      if (v === UNKNOWN) return UNKNOWN;
      if (v instanceof Builtin) return "function";
      return v === null ? "object" : Array.isArray(v) ? "object" : typeof v;
    }
    if (t.type === "punct" && (t.value === "++" || t.value === "--")) {
      throw new Unsupported("update");
    }
    return this.postfix();
  }

  postfix(): Value {
    let value = this.primary();
    let receiver: Value = UNKNOWN;
    for (;;) {
      const t = this.#peek();
      if (t === undefined || t.type !== "punct") return value;
      if (t.value === "." || t.value === "?.") {
        this.#i++;
        if (t.value === "?." && (this.#is("(") || this.#is("["))) continue;
        const name = this.#peek();
        if (name === undefined || name.type !== "name") throw new Unsupported("member");
        this.#i++;
        receiver = value;
        value = member(value, name.value);
        continue;
      }
      if (t.value === "[") {
        const close = this.#close(this.#i);
        const key = evaluate(this.#t, this.#i + 1, close, this.#lookup);
        this.#i = close + 1;
        receiver = value;
        value = key === UNKNOWN ? UNKNOWN : member(value, String(key));
        continue;
      }
      if (t.value === "(") {
        const args = this.#arguments();
        value = call(value, receiver, args);
        receiver = UNKNOWN;
        continue;
      }
      if (t.value === "!") {
        // A TypeScript non-null assertion left behind: no effect on the value.
        this.#i++;
        continue;
      }
      return value;
    }
  }

  #close(open: number): number {
    let depth = 0;
    for (let i = open; i < this.#end; i++) {
      const t = this.#t[i]!;
      if (t.type !== "punct") continue;
      if (t.value === "(" || t.value === "[" || t.value === "{") depth++;
      if (t.value === ")" || t.value === "]" || t.value === "}") {
        depth--;
        if (depth === 0) return i;
      }
    }
    throw new Unsupported("unclosed bracket");
  }

  #arguments(): Value[] {
    const close = this.#close(this.#i);
    const inner = new Parser(this.#t, this.#i + 1, close, this.#lookup);
    const args = inner.list(close);
    this.#i = close + 1;
    return args;
  }

  /** Comma-separated values with spreads, up to `close`. */
  list(close: number): Value[] {
    const out: Value[] = [];
    while (this.#i < close) {
      if (this.#is(",")) {
        this.#i++;
        out.push(undefined);
        continue;
      }
      if (this.#is("...")) {
        this.#i++;
        const spread = this.assign();
        if (spread === UNKNOWN) throw new Unsupported("unknown spread");
        if (typeof spread === "string") out.push(...spread);
        else if (Array.isArray(spread)) out.push(...spread);
        else throw new Unsupported("spread");
      } else {
        out.push(this.assign());
      }
      if (this.#i < close) this.#expect(",");
    }
    return out;
  }

  primary(): Value {
    const t = this.#peek();
    if (t === undefined) throw new Unsupported("end");
    this.#i++;
    switch (t.type) {
      case "num":
        return parseNumber(t.value);
      case "str":
        return t.value;
      case "template": {
        let text = t.quasis![0] ?? "";
        for (const [k, expr] of t.exprs!.entries()) {
          const v = evaluate(expr, 0, expr.length, this.#lookup);
          if (v === UNKNOWN) return UNKNOWN;
          text += toText(v) + (t.quasis![k + 1] ?? "");
        }
        return text;
      }
      case "regex":
        throw new Unsupported("regex");
      case "name":
        return this.#name(t.value);
      case "punct":
        if (t.value === "(") {
          const close = this.#close(this.#i - 1);
          const v = evaluate(this.#t, this.#i, close, this.#lookup);
          this.#i = close + 1;
          if (this.#is("=>")) throw new Unsupported("arrow function");
          return v;
        }
        if (t.value === "[") {
          const close = this.#close(this.#i - 1);
          const inner = new Parser(this.#t, this.#i, close, this.#lookup);
          const items = inner.list(close);
          this.#i = close + 1;
          return items;
        }
        if (t.value === "{") return this.#object();
        throw new Unsupported(t.value);
    }
  }

  #name(name: string): Value {
    switch (name) {
      case "true":
        return true;
      case "false":
        return false;
      case "null":
        return null;
      case "undefined":
        return undefined;
      case "NaN":
        return NaN;
      case "Infinity":
        return Infinity;
      case "function":
      case "class":
      case "new":
      case "this":
      case "super":
      case "import":
      case "yield":
        throw new Unsupported(name);
    }
    if (BUILTINS.has(name)) return new Builtin(name);
    return this.#lookup(name);
  }

  #object(): Value {
    const close = this.#close(this.#i - 1);
    const out: Record<string, Value> = {};
    let unknown = false;
    while (this.#i < close) {
      if (this.#is("...")) {
        this.#i++;
        const spread = this.assign();
        if (
          spread !== null && typeof spread === "object" && !Array.isArray(spread) &&
          !(spread instanceof Builtin)
        ) Object.assign(out, spread);
        else if (spread === UNKNOWN) unknown = true;
      } else {
        const t = this.#peek()!;
        let key: Value;
        if (t.type === "punct" && t.value === "[") {
          const end = this.#close(this.#i);
          key = evaluate(this.#t, this.#i + 1, end, this.#lookup);
          this.#i = end + 1;
        } else if (t.type === "name" || t.type === "str") {
          key = t.value;
          this.#i++;
        } else if (t.type === "num") {
          key = String(parseNumber(t.value));
          this.#i++;
        } else {
          throw new Unsupported("object key");
        }
        let value: Value;
        if (this.#is(":")) {
          this.#i++;
          value = this.assign();
        } else if (t.type === "name" && (this.#is(",") || this.#i === close)) {
          value = this.#lookup(t.value);
        } else {
          throw new Unsupported("method or accessor");
        }
        if (key === UNKNOWN) unknown = true;
        else Object.defineProperty(out, toText(key), { value, enumerable: true, writable: true });
      }
      if (this.#i < close) this.#expect(",");
    }
    this.#i = close + 1;
    return unknown ? UNKNOWN : out;
  }
}

function sameValue(a: Value, b: Value): boolean {
  return a !== UNKNOWN && b !== UNKNOWN && Object.is(a, b);
}

function parseNumber(text: string): number {
  const clean = text.replace(/_/g, "").replace(/n$/, "");
  if (/^0[oO]/.test(clean)) return parseInt(clean.slice(2), 8);
  if (/^0[bB]/.test(clean)) return parseInt(clean.slice(2), 2);
  return Number(clean);
}

function toNumber(v: Value): number | typeof UNKNOWN {
  if (v === UNKNOWN || v instanceof Builtin || typeof v === "bigint") return UNKNOWN;
  if (typeof v === "object" && v !== null) return UNKNOWN;
  return Number(v);
}

function toText(v: Value): string {
  if (v === UNKNOWN) throw new Unsupported("unknown");
  if (v instanceof Builtin) throw new Unsupported("function as text");
  if (Array.isArray(v)) {
    return v.map((x) => (x === null || x === undefined ? "" : toText(x))).join(",");
  }
  if (typeof v === "object" && v !== null) return "[object Object]";
  const text = String(v);
  if (text.length > MAX_TEXT) throw new Unsupported("too long");
  return text;
}

function applyBinary(op: string, a: Value, b: Value): Value {
  if (op === "&&") return a === UNKNOWN ? UNKNOWN : truthy(a) ? b : a;
  if (op === "||") return a === UNKNOWN ? UNKNOWN : truthy(a) ? a : b;
  if (op === "??") return a === UNKNOWN ? UNKNOWN : a === null || a === undefined ? b : a;
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  if (a instanceof Builtin || b instanceof Builtin) throw new Unsupported("function operand");
  const isObject = (v: Value) => typeof v === "object" && v !== null;
  switch (op) {
    case "===":
      return isObject(a) || isObject(b) ? a === b : Object.is(a, b) || a === b;
    case "!==":
      return isObject(a) || isObject(b) ? a !== b : !(Object.is(a, b) || a === b);
    case "==":
    case "!=": {
      if (isObject(a) || isObject(b)) throw new Unsupported("object equality");
      // deno-lint-ignore eqeqeq -- folding the program's own loose comparison
      const eq = a == b;
      return op === "==" ? eq : !eq;
    }
    case "+": {
      if (typeof a === "string" || typeof b === "string" || isObject(a) || isObject(b)) {
        const text = toText(a) + toText(b);
        if (text.length > MAX_TEXT) throw new Unsupported("too long");
        return text;
      }
      const x = toNumber(a), y = toNumber(b);
      return x === UNKNOWN || y === UNKNOWN ? UNKNOWN : x + y;
    }
    case "in":
    case "instanceof":
      throw new Unsupported(op);
  }
  if (isObject(a) || isObject(b)) throw new Unsupported("object operand");
  const x = toNumber(a), y = toNumber(b);
  if (x === UNKNOWN || y === UNKNOWN) return UNKNOWN;
  switch (op) {
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      return x / y;
    case "%":
      return x % y;
    case "**":
      return x ** y;
    case "<":
      return typeof a === "string" && typeof b === "string" ? a < b : x < y;
    case ">":
      return typeof a === "string" && typeof b === "string" ? a > b : x > y;
    case "<=":
      return typeof a === "string" && typeof b === "string" ? a <= b : x <= y;
    case ">=":
      return typeof a === "string" && typeof b === "string" ? a >= b : x >= y;
    case "&":
      return x & y;
    case "|":
      return x | y;
    case "^":
      return x ^ y;
    case "<<":
      return x << y;
    case ">>":
      return x >> y;
    case ">>>":
      return x >>> y;
  }
  throw new Unsupported(op);
}

function member(object: Value, name: string): Value {
  if (object === UNKNOWN) return UNKNOWN;
  if (object instanceof Builtin) {
    const full = `${object.name}.${name}`;
    if (
      ["JSON.parse", "JSON.stringify", "String.fromCharCode", "String.fromCodePoint", "String.raw"]
        .includes(full)
    ) return new Builtin(full);
    return UNKNOWN;
  }
  if (typeof object === "string") {
    if (name === "length") return object.length;
    if (STRING_METHODS.has(name)) return new Builtin(`string.${name}`);
    if (/^\d+$/.test(name)) return object[Number(name)];
    return UNKNOWN;
  }
  if (Array.isArray(object)) {
    if (name === "length") return object.length;
    if (ARRAY_METHODS.has(name)) return new Builtin(`array.${name}`);
    if (/^\d+$/.test(name)) return object[Number(name)];
    return UNKNOWN;
  }
  if (typeof object === "number" || typeof object === "boolean") {
    if (name === "toString" || name === "toFixed" || name === "valueOf") {
      return new Builtin(`${typeof object}.${name}`);
    }
    return UNKNOWN;
  }
  if (object !== null && typeof object === "object") {
    return Object.hasOwn(object, name) ? (object as Record<string, Value>)[name] : UNKNOWN;
  }
  return UNKNOWN;
}

function call(fn: Value, receiver: Value, args: Value[]): Value {
  if (!(fn instanceof Builtin)) return UNKNOWN;
  if (args.some((a) => a === UNKNOWN || a instanceof Builtin)) return UNKNOWN;
  const [first, second] = args;
  const name = fn.name;
  const dot = name.indexOf(".");
  const kind = dot < 0 ? "" : name.slice(0, dot);
  const method = dot < 0 ? "" : name.slice(dot + 1);
  if (kind === "string" || kind === "array" || kind === "number" || kind === "boolean") {
    if (receiver === UNKNOWN) return UNKNOWN;
    if (method === "repeat" && Number(first) * String(receiver).length > MAX_TEXT) {
      throw new Unsupported("too long");
    }
    if ((method === "padStart" || method === "padEnd") && Number(first) > MAX_TEXT) {
      throw new Unsupported("too long");
    }
    if (kind === "array") {
      const copy = [...(receiver as Value[])];
      if (method === "join") {
        const sep = first === undefined ? "," : toText(first);
        return copy.map((x) => (x === null || x === undefined ? "" : toText(x))).join(sep);
      }
      if (method === "toString") return toText(copy);
      if (method === "reverse" || method === "toReversed") return copy.reverse();
      if (method === "concat") {
        const parts: Value[][] = args.map((a) => (Array.isArray(a) ? a : [a]));
        return copy.concat(...parts);
      }
      if (method === "slice") return copy.slice(first as number, second as number);
      if (method === "at") return copy.at(Number(first ?? 0));
      if (method === "flat") return copy.flat() as Value[];
      if (method === "indexOf") return copy.indexOf(first as Value);
      if (method === "includes") return copy.includes(first as Value);
      return UNKNOWN;
    }
    const target = receiver as string | number | boolean;
    const proto = kind === "string"
      ? String.prototype
      : kind === "number"
      ? Number.prototype
      : Boolean.prototype;
    const impl = (proto as unknown as Record<string, unknown>)[method];
    if (typeof impl !== "function") return UNKNOWN;
    const primitiveArgs = args.map((a) => (typeof a === "object" && a !== null ? toText(a) : a));
    return impl.apply(target, primitiveArgs) as Value;
  }
  switch (name) {
    case "String":
      return args.length === 0 ? "" : toText(first);
    case "Number":
      return args.length === 0 ? 0 : toNumber(first);
    case "Boolean":
      return first === undefined ? false : truthy(first as Exclude<Value, typeof UNKNOWN>);
    case "parseInt":
      return parseInt(toText(first), second === undefined ? undefined : Number(second));
    case "parseFloat":
      return parseFloat(toText(first));
    case "atob":
      return atob(toText(first));
    case "btoa":
      return btoa(toText(first));
    case "decodeURIComponent":
      return decodeURIComponent(toText(first));
    case "encodeURIComponent":
      return encodeURIComponent(toText(first));
    case "unescape":
      return decodeURIComponent(toText(first).replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
    case "String.fromCharCode":
      return String.fromCharCode(...args.map((a) => Number(a)));
    case "String.fromCodePoint":
      return String.fromCodePoint(...args.map((a) => Number(a)));
    case "JSON.parse":
      return JSON.parse(toText(first)) as Value;
    case "JSON.stringify":
      return JSON.stringify(first) as Value;
  }
  return UNKNOWN;
}
