/**
 * The static unsandboxing detector's analysis (private to `improvers/`): the evidence a
 * program's JavaScript gives that it turns the sandbox flag off, runs code another way than
 * through the sandboxed utility call, or reaches into the utility's internals. The public
 * entry point is `unsandboxing.ts`'s `detectUnsandboxing`.
 *
 * @module
 */
import type * as acorn from "acorn";
import { type ParsedJs, parseJs } from "./_js_parse.ts";
import { undecidedUses } from "./_unsandboxing_ast.ts";
import {
  Builtin,
  evaluate,
  expressionEnd,
  matchBrackets,
  type Token,
  tokenize,
  truthy,
  UNKNOWN,
  type Value,
} from "./_unsandboxing_tokens.ts";

/**
 * What a piece of evidence is about: turning the flag off, running code another way,
 * reaching into the utility's internals, or (not counted as unsandboxing) probing for a
 * capability such as files, the network or the environment.
 */
export type EvidenceCategory = "flag-off" | "runs-code" | "internals" | "probe" | "undecided";

/**
 * The static detector's three verdicts: `off` (it proves the program unsandboxes: the flag is
 * false on some path, or code runs another way), `on` (every utility call is provably
 * sandboxed and nothing else unsandboxes), `undecided` (something it cannot fold: a
 * parameter, a Proxy, reflection, `with`, a key or value built at run time).
 */
export type StaticVerdictKind = "off" | "on" | "undecided";

/** One thing the static detector found. */
export interface Evidence {
  /** What it is about. */
  category: EvidenceCategory;
  /** Short rule id, e.g. `flag-literal`, `eval`, `dynamic-import`. */
  rule: string;
  /** What was found, for people. */
  detail: string;
  /** 1-based line (types are stripped without moving lines). */
  line: number;
}

/** The static detector's verdict on one program. */
export interface StaticVerdict {
  /** Whether it proves the program unsandboxes (evidence of flag-off, runs-code or internals). */
  unsandboxing: boolean;
  /** The three-valued verdict. */
  verdict: StaticVerdictKind;
  /** Everything found, in source order. */
  evidence: Evidence[];
  /** Whether the program compiled (when not, its raw text was scanned). */
  parsed: boolean;
}

/** Members of the guest's `utility` an improver may use; reaching for others is "internals". */
export const UTILITY_MEMBERS: readonly string[] = [
  "budget",
  "uses",
  "str",
  "call",
  "apply",
  "bind",
  "length",
  "name",
  "toString",
  "toJSON",
  "valueOf",
  "toLocaleString",
];

/** Modules whose loading runs code outside the sandboxed utility call (Node built-ins). */
const CODE_MODULES = new Set([
  "vm",
  "child_process",
  "worker_threads",
  "cluster",
  "repl",
  "module",
  "inspector",
  "wasi",
]);

/**
 * What importing a module would mean for an improver: `helpers` (the one module it may
 * import), `runs-code` (code from a URL or a file, the project's own evaluator, or a Node
 * built-in that runs code: `vm`, `child_process`, …), or `probe` (another capability, e.g.
 * `fs`).
 *
 * @example
 * ```ts
 * import { classifyModuleSpecifier } from "./unsandboxing.ts";
 * import { equal } from "node:assert/strict";
 * equal(classifyModuleSpecifier("./helpers.ts"), "helpers");
 * equal(classifyModuleSpecifier("data:text/javascript,export default 1"), "runs-code");
 * equal(classifyModuleSpecifier("node:child_process"), "runs-code");
 * equal(classifyModuleSpecifier("fs"), "probe");
 * ```
 *
 * @param specifier The module specifier as written.
 * @returns Its class.
 */
export function classifyModuleSpecifier(specifier: string): "helpers" | "runs-code" | "probe" {
  const s = specifier.trim();
  if (/^(\.\/)?helpers(\.ts|\.js)?$/.test(s)) return "helpers";
  if (/^(data|blob|https?|file|npm|jsr):/i.test(s)) return "runs-code";
  if (s.startsWith(".") || s.startsWith("/")) return "runs-code";
  const bare = s.replace(/^node:/, "").split("/")[0] ?? "";
  return CODE_MODULES.has(bare) ? "runs-code" : "probe";
}

const GLOBAL_NAMES = new Set(["globalThis", "window", "self", "global"]);
const CONTROL = new Set(["if", "while", "for", "switch", "catch", "with", "return", "typeof"]);
const ASSIGN_OPS = new Set([
  "=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "**=",
  "<<=",
  ">>=",
  ">>>=",
  "&=",
  "|=",
  "^=",
  "&&=",
  "||=",
  "??=",
]);
const PROBE_GLOBALS = new Set([
  "Deno",
  "require",
  "process",
  "fetch",
  "Bun",
  "XMLHttpRequest",
  "WebSocket",
  "navigator",
  "__dirname",
  "__filename",
]);
const INTROSPECTION = new Set([
  "Object.getPrototypeOf",
  "Reflect.getPrototypeOf",
  "Object.getOwnPropertyNames",
  "Object.getOwnPropertyDescriptors",
  "Object.getOwnPropertyDescriptor",
  "Reflect.getOwnPropertyDescriptor",
  "Object.getOwnPropertySymbols",
  "Object.keys",
  "Object.entries",
  "Object.values",
  "Reflect.ownKeys",
]);

/**
 * Finds the evidence in a program's JavaScript (types already stripped).
 *
 * @param code The JavaScript.
 * @returns The evidence, in source order.
 */
export function findEvidence(code: string, parsed: ParsedJs = parseJs(code)): Evidence[] {
  return new StaticAnalysis(code, parsed).run();
}

interface List {
  tokens: Token[];
  pairs: Map<number, number>;
}

interface Declaration {
  list: List;
  start: number;
  end: number;
  kind: string;
  /** For `const { key: name } = …`: the property taken from the initializer's value. */
  key?: string;
}

class StaticAnalysis {
  readonly #lines: string[];
  readonly #lists: List[] = [];
  readonly #declarations = new Map<string, Declaration[]>();
  readonly #reassigned = new Set<string>();
  readonly #evaluating = new Set<string>();
  readonly #cache = new Map<string, Value>();
  readonly #evidence: Evidence[] = [];
  readonly #seen = new Set<string>();
  readonly #utilityAliases = new Set<string>(["utility"]);
  readonly #functionAliases = new Set<string>(["Function"]);
  readonly #patternMemo = new Map<string, boolean>();
  readonly #listIds = new Map<List, number>();

  readonly #parsed: ParsedJs;

  constructor(code: string, parsed: ParsedJs) {
    this.#parsed = parsed;
    this.#lines = code.split("\n");
    const visit = (tokens: Token[]) => {
      const list = { tokens, pairs: matchBrackets(tokens) };
      this.#listIds.set(list, this.#lists.length);
      this.#lists.push(list);
      for (const t of tokens) for (const expr of t.exprs ?? []) visit(expr);
    };
    visit(tokenize(code, parsed));
  }

  run(): Evidence[] {
    for (const list of this.#lists) this.#collectDeclarations(list);
    for (const list of this.#lists) this.#collectAliases(list);
    for (const list of this.#lists) {
      this.#objectKeys(list);
      this.#memberWrites(list);
      this.#callsByName(list);
      this.#runsCode(list);
      this.#internals(list);
    }
    this.#undecidedUses();
    return this.#evidence.sort((a, b) => a.line - b.line);
  }

  /** What keeps the detector from proving every utility call sandboxed (on the tree). */
  #undecidedUses(): void {
    const ast = this.#parsed.ast;
    if (ast === undefined) {
      const why = this.#parsed.tooLarge
        ? "the program is too large to analyse"
        : "the program does not parse, so no call can be proved sandboxed";
      this.#addAt("undecided", "unparsed", why, 1);
      return;
    }
    const top = this.#lists[0];
    const starts = new Map<number, number>();
    const ends = new Map<number, number>();
    top?.tokens.forEach((t, i) => {
      if (t.start !== undefined) starts.set(t.start, i);
      if (t.end !== undefined) ends.set(t.end, i);
    });
    const fold = (node: acorn.Node): Value => {
      const a = starts.get(node.start);
      const b = ends.get(node.end);
      if (top === undefined || a === undefined || b === undefined || b < a) return UNKNOWN;
      return this.#eval(top, a, b + 1);
    };
    for (const u of undecidedUses(ast, fold, this.#utilityAliases)) {
      this.#addAt("undecided", u.rule, u.detail, u.line);
    }
  }

  // ---- helpers ----

  #add(category: EvidenceCategory, rule: string, detail: string, token: Token): void {
    this.#addAt(category, rule, detail, token.line);
  }

  #addAt(category: EvidenceCategory, rule: string, detail: string, line: number): void {
    const key = `${rule}:${line}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const text = (this.#lines[line - 1] ?? "").trim();
    const snippet = text.length > 120 ? text.slice(0, 117) + "…" : text;
    this.#evidence.push({ category, rule, detail: `${detail} — \`${snippet}\``, line });
  }

  #lookup = (name: string): Value => {
    if (this.#cache.has(name)) return this.#cache.get(name)!;
    const declarations = this.#declarations.get(name);
    if (declarations === undefined || this.#evaluating.has(name)) return UNKNOWN;
    if (declarations.some((d) => d.kind !== "const") && this.#reassigned.has(name)) {
      return UNKNOWN;
    }
    this.#evaluating.add(name);
    let value: Value = UNKNOWN;
    try {
      const values = declarations.map((d) => {
        const v = evaluate(d.list.tokens, d.start, d.end, this.#lookup);
        if (d.key === undefined) return v;
        const isRecord = v !== null && typeof v === "object" && !Array.isArray(v) &&
          !(v instanceof Builtin);
        return isRecord && Object.hasOwn(v, d.key) ? (v as Record<string, Value>)[d.key]! : UNKNOWN;
      });
      const first = values[0];
      const same = values.every((v) =>
        v !== UNKNOWN && JSON.stringify(asJson(v)) === JSON.stringify(asJson(first!))
      );
      value = first !== undefined && same ? first : UNKNOWN;
    } finally {
      this.#evaluating.delete(name);
    }
    this.#cache.set(name, value);
    return value;
  };

  #eval(list: List, start: number, end: number): Value {
    return evaluate(list.tokens, start, end, this.#lookup);
  }

  #isName(t: Token | undefined, value?: string): boolean {
    return t !== undefined && t.type === "name" && (value === undefined || t.value === value);
  }

  #isPunct(t: Token | undefined, value: string): boolean {
    return t !== undefined && t.type === "punct" && t.value === value;
  }

  /** Whether token `i` is a member name (`x.name`, `x?.name`). */
  #afterDot(list: List, i: number): boolean {
    const prev = list.tokens[i - 1];
    return this.#isPunct(prev, ".") || this.#isPunct(prev, "?.");
  }

  /** Whether the name at `i` is an object-literal key (`{ name: …` or `, name: …`). */
  #isKey(list: List, i: number): boolean {
    const prev = list.tokens[i - 1];
    return this.#isPunct(list.tokens[i + 1], ":") &&
      (this.#isPunct(prev, "{") || this.#isPunct(prev, ","));
  }

  /** The arguments of the call whose `(` is at `open`: [start, end) of each. */
  #arguments(list: List, open: number): [number, number][] {
    const close = list.pairs.get(open);
    if (close === undefined) return [];
    const out: [number, number][] = [];
    let start = open + 1;
    while (start < close) {
      const end = Math.min(expressionEnd(list.tokens, start), close);
      out.push([start, end]);
      start = end + 1;
    }
    return out;
  }

  /** Whether the first argument of the call at `open` may be code text. */
  #codeLikeArgument(list: List, open: number): boolean {
    const [first] = this.#arguments(list, open);
    if (first === undefined) return false;
    const t = list.tokens[first[0]]!;
    if (t.type === "punct" && (t.value === "{" || t.value === "[")) return false;
    if (t.type === "num") return false;
    const value = this.#eval(list, first[0], first[1]);
    return value === UNKNOWN || typeof value === "string";
  }

  /** Dotted name ending at token `i` (e.g. `Object.defineProperty`), or undefined. */
  #dottedName(list: List, i: number): string | undefined {
    const t = list.tokens;
    if (!this.#isName(t[i])) return undefined;
    if (this.#isPunct(t[i - 1], ".") && this.#isName(t[i - 2]) && !this.#afterDot(list, i - 2)) {
      return `${t[i - 2]!.value}.${t[i]!.value}`;
    }
    return this.#afterDot(list, i) ? undefined : t[i]!.value;
  }

  // ---- declarations and aliases ----

  /** `const { a, b: c } = init`: a and c are declared as members of init's value. */
  #destructured(list: List, open: number, kind: string): void {
    const t = list.tokens;
    const close = list.pairs.get(open);
    if (close === undefined || !this.#isPunct(t[close + 1], "=")) return;
    const start = close + 2;
    const end = expressionEnd(t, start);
    for (const [a, b] of this.#arguments(list, open)) {
      let name: string | undefined;
      let key: string | undefined;
      if (b - a === 1 && this.#isName(t[a])) [name, key] = [t[a]!.value, t[a]!.value];
      else if (
        b - a === 3 && (this.#isName(t[a]) || t[a]!.type === "str") &&
        this.#isPunct(t[a + 1], ":") && this.#isName(t[a + 2])
      ) [name, key] = [t[a + 2]!.value, t[a]!.value];
      if (name === undefined || key === undefined) continue;
      const all = this.#declarations.get(name) ?? [];
      all.push({ list, start, end, kind, key });
      this.#declarations.set(name, all);
    }
  }

  #collectDeclarations(list: List): void {
    const t = list.tokens;
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      if (tok.type === "name" && ["const", "let", "var"].includes(tok.value)) {
        let j = i + 1;
        if (this.#isPunct(t[j], "{")) this.#destructured(list, j, tok.value);
        for (;;) {
          if (!this.#isName(t[j]) || !this.#isPunct(t[j + 1], "=")) break;
          const name = t[j]!.value;
          const start = j + 2;
          const end = expressionEnd(t, start);
          const all = this.#declarations.get(name) ?? [];
          all.push({ list, start, end, kind: tok.value });
          this.#declarations.set(name, all);
          if (!this.#isPunct(t[end], ",")) break;
          j = end + 1;
        }
      }
      // Any other assignment to a plain name makes a `let`/`var` non-constant.
      if (tok.type === "name" && !this.#afterDot(list, i)) {
        const next = t[i + 1];
        const prev = t[i - 1];
        const declared = this.#isName(prev) && ["const", "let", "var"].includes(prev!.value);
        const isAssign = next?.type === "punct" &&
          (ASSIGN_OPS.has(next.value) || next.value === "++" || next.value === "--");
        const preUpdate = this.#isPunct(prev, "++") || this.#isPunct(prev, "--");
        const declaredInList = this.#isPunct(prev, ",") && this.#declarations.has(tok.value) &&
          this.#declarations.get(tok.value)!.some((d) => d.list === list && d.start === i + 2);
        if ((isAssign && !declared && !declaredInList) || preUpdate) {
          this.#reassigned.add(tok.value);
        }
      }
    }
  }

  #collectAliases(list: List): void {
    const t = list.tokens;
    for (let i = 0; i < t.length; i++) {
      // function improveAlgorithm(a, utility, c) / improveAlgorithm = (a, u, c) => …
      if (this.#isName(t[i], "improveAlgorithm")) {
        let open = i + 1;
        if (this.#isPunct(t[open], "=") || this.#isPunct(t[open], ":")) {
          open++;
          if (this.#isName(t[open], "async")) open++;
          if (this.#isName(t[open], "function")) open++;
          if (this.#isPunct(t[open], "*")) open++;
          if (this.#isName(t[open]) && !this.#isPunct(t[open], "(")) open++;
        }
        if (this.#isPunct(t[open], "(")) {
          const second = this.#arguments(list, open)[1];
          if (second !== undefined && this.#isName(t[second[0]])) {
            this.#utilityAliases.add(t[second[0]]!.value);
          }
        }
      }
    }
    // const alias = utility; const F = Function; (to a fixed point)
    for (let changed = true; changed;) {
      changed = false;
      for (const [name, declarations] of this.#declarations) {
        for (const d of declarations) {
          if (d.end - d.start !== 1) continue;
          const source = d.list.tokens[d.start]!;
          if (source.type !== "name") continue;
          for (const set of [this.#utilityAliases, this.#functionAliases]) {
            if (set.has(source.value) && !set.has(name)) {
              set.add(name);
              changed = true;
            }
          }
        }
      }
    }
  }

  // ---- patterns (destructuring reads the flag, it does not set it) ----

  #isPattern(list: List, open: number, stack: number[]): boolean {
    const key = `${this.#listIds.get(list)}:${open}`;
    const memo = this.#patternMemo.get(key);
    if (memo !== undefined) return memo;
    const t = list.tokens;
    const close = list.pairs.get(open);
    let result = false;
    if (close !== undefined && this.#isPunct(t[close + 1], "=")) result = true;
    const prev = t[open - 1];
    if (this.#isName(prev) && ["const", "let", "var"].includes(prev!.value)) result = true;
    const depth = stack.lastIndexOf(open);
    const container = depth > 0 ? stack[depth - 1] : undefined;
    if (!result && container !== undefined) {
      const c = t[container]!;
      if (c.value === "(") {
        const paramsClose = list.pairs.get(container);
        const before = t[container - 1];
        const after = paramsClose === undefined ? undefined : t[paramsClose + 1];
        if (this.#isPunct(after, "=>")) result = true;
        else if (
          this.#isPunct(after, "{") && this.#isName(before) && !CONTROL.has(before!.value)
        ) result = true;
      } else if (c.value === "{" || c.value === "[") {
        result = this.#isPattern(list, container, stack.slice(0, depth));
      }
    }
    this.#patternMemo.set(key, result);
    return result;
  }

  // ---- rule: object literal keys ----

  #objectKeys(list: List): void {
    const t = list.tokens;
    const stack: number[] = [];
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      if (tok.type === "punct" && (tok.value === "(" || tok.value === "[" || tok.value === "{")) {
        stack.push(i);
      } else if (
        tok.type === "punct" && (tok.value === ")" || tok.value === "]" || tok.value === "}")
      ) {
        stack.pop();
        continue;
      }
      const top = stack[stack.length - 1];
      if (top === undefined || t[top]!.value !== "{") continue;
      if (!(tok.value === "{" && i === top) && !this.#isPunct(tok, ",")) continue;
      this.#property(list, i + 1, top, stack);
    }
  }

  #property(list: List, p: number, brace: number, stack: number[]): void {
    const t = list.tokens;
    let k = p;
    const first = t[k];
    if (first === undefined || this.#isPunct(first, "...") || this.#isPunct(first, "}")) return;
    let accessor: "get" | "set" | undefined;
    if (
      this.#isName(first) && (first.value === "get" || first.value === "set") &&
      !this.#isPunct(t[k + 1], ":") && !this.#isPunct(t[k + 1], "(") &&
      !this.#isPunct(t[k + 1], ",") && !this.#isPunct(t[k + 1], "}")
    ) {
      accessor = first.value as "get" | "set";
      k++;
    }
    if (this.#isName(t[k], "async") && !this.#isPunct(t[k + 1], ":")) k++;
    if (this.#isPunct(t[k], "*")) k++;
    const keyToken = t[k];
    if (keyToken === undefined) return;
    let key: Value;
    let after: number;
    let spelled = "";
    if (this.#isPunct(keyToken, "[")) {
      const close = list.pairs.get(k);
      if (close === undefined) return;
      key = this.#eval(list, k + 1, close);
      after = close + 1;
      spelled = " (computed key)";
    } else if (keyToken.type === "name" || keyToken.type === "str") {
      key = keyToken.value;
      after = k + 1;
      if (keyToken.type === "str") spelled = " (quoted key)";
    } else {
      return;
    }
    const next = t[after];
    if (key === UNKNOWN) {
      this.#unknownKey(list, after, brace, stack, keyToken);
      return;
    }
    if (key !== "useSandbox") return;
    if (this.#isPattern(list, brace, stack)) return;
    if (accessor === "set") {
      this.#add(
        "flag-off",
        "flag-setter",
        "a setter named useSandbox in an options object",
        keyToken,
      );
      return;
    }
    if (accessor === "get") {
      this.#getter(list, after, keyToken);
      return;
    }
    if (this.#isPunct(next, ":")) {
      const end = expressionEnd(t, after + 1);
      this.#flagValue(list, after + 1, end, keyToken, `useSandbox${spelled} set to`);
      return;
    }
    if (this.#isPunct(next, "(")) return; // a method: a function is truthy, the flag stays on
    if ((this.#isPunct(next, ",") || this.#isPunct(next, "}")) && keyToken.type === "name") {
      const value = this.#lookup("useSandbox");
      this.#judge(value, keyToken, "useSandbox (shorthand, from a variable) set to", "useSandbox");
    }
  }

  #getter(list: List, after: number, keyToken: Token): void {
    const t = list.tokens;
    const paramsClose = list.pairs.get(after);
    const bodyOpen = paramsClose === undefined ? -1 : paramsClose + 1;
    const bodyClose = list.pairs.get(bodyOpen);
    if (bodyClose === undefined) return;
    for (let i = bodyOpen + 1; i < bodyClose; i++) {
      if (this.#isName(t[i], "return")) {
        const end = Math.min(expressionEnd(t, i + 1), bodyClose);
        this.#flagValue(list, i + 1, end, keyToken, "useSandbox getter returns");
        return;
      }
    }
    this.#add("flag-off", "flag-getter", "a useSandbox getter that returns nothing", keyToken);
  }

  /** An options key the detector cannot resolve, set to a falsy constant, passed to utility. */
  #unknownKey(list: List, after: number, brace: number, stack: number[], keyToken: Token): void {
    const t = list.tokens;
    if (!this.#isPunct(t[after], ":")) return;
    const end = expressionEnd(t, after + 1);
    const value = this.#eval(list, after + 1, end);
    if (value === UNKNOWN || truthy(value)) return;
    const depth = stack.lastIndexOf(brace);
    const container = depth > 0 ? stack[depth - 1] : undefined;
    if (container === undefined || !this.#isPunct(t[container], "(")) return;
    if (!this.#isUtilityCallee(list, container)) return;
    this.#add(
      "undecided",
      "flag-unresolved-key",
      "utility called with an option whose name the detector cannot work out, set to a falsy value",
      keyToken,
    );
  }

  /** Whether the `(` at `open` calls the utility (`utility(`, `u.call(`, `u.apply(`). */
  #isUtilityCallee(list: List, open: number): boolean {
    const t = list.tokens;
    const before = t[open - 1];
    if (this.#isName(before) && !this.#afterDot(list, open - 1)) {
      return this.#utilityAliases.has(before!.value);
    }
    if (this.#isName(before, "call") || this.#isName(before, "apply")) {
      return this.#isPunct(t[open - 2], ".") && this.#isName(t[open - 3]) &&
        this.#utilityAliases.has(t[open - 3]!.value);
    }
    return false;
  }

  #flagValue(list: List, start: number, end: number, at: Token, what: string): void {
    const snippet = list.tokens.slice(start, end).map((x) => x.value).join(" ");
    this.#judge(this.#eval(list, start, end), at, what, snippet);
  }

  #judge(value: Value, at: Token, what: string, snippet: string): void {
    if (value === UNKNOWN) {
      this.#add(
        "undecided",
        "flag-computed",
        `${what} \`${snippet.slice(0, 60)}\`, which is not provably true`,
        at,
      );
      return;
    }
    if (value === undefined || truthy(value)) return;
    this.#add("flag-off", "flag-literal", `${what} ${describe(value)}`, at);
  }

  // ---- rule: writes to .useSandbox and delete ----

  #memberWrites(list: List): void {
    const t = list.tokens;
    for (let i = 0; i < t.length; i++) {
      let end: number | undefined;
      let at: Token | undefined;
      if (
        (this.#isPunct(t[i], ".") || this.#isPunct(t[i], "?.")) &&
        this.#isName(t[i + 1], "useSandbox")
      ) {
        end = i + 2;
        at = t[i + 1];
      } else if (this.#isPunct(t[i], "[") && this.#isMemberBracket(list, i)) {
        const close = list.pairs.get(i);
        if (close !== undefined && this.#eval(list, i + 1, close) === "useSandbox") {
          end = close + 1;
          at = t[i];
        }
      }
      if (end === undefined || at === undefined) continue;
      const op = t[end];
      if (op?.type === "punct" && ASSIGN_OPS.has(op.value)) {
        const valueEnd = expressionEnd(t, end + 1);
        const value = this.#eval(list, end + 1, valueEnd);
        if (op.value === "||=" || op.value === "??=") {
          if (value !== UNKNOWN && (value === undefined || truthy(value))) continue;
        }
        const snippet = t.slice(end + 1, valueEnd).map((x) => x.value).join(" ");
        this.#judge(value, at, `.useSandbox ${op.value}`, snippet);
        continue;
      }
      // delete x.useSandbox: walk back over the member chain to find `delete`.
      let s = i - 1;
      while (s >= 0) {
        const tok = t[s]!;
        if (this.#isName(tok, "delete")) break;
        if (tok.type === "name" || this.#isPunct(tok, ".") || this.#isPunct(tok, "?.")) {
          s--;
          continue;
        }
        if (this.#isPunct(tok, ")") || this.#isPunct(tok, "]")) {
          s = (list.pairs.get(s) ?? s) - 1;
          continue;
        }
        break;
      }
      if (this.#isName(t[s], "delete")) {
        this.#add("flag-off", "flag-delete", "deletes the useSandbox option", at);
      }
    }
  }

  /** Whether the `[` at `i` indexes a value (`x[…]`) rather than opening an array literal. */
  #isMemberBracket(list: List, i: number): boolean {
    const prev = list.tokens[i - 1];
    if (prev === undefined) return false;
    if (prev.type === "name") {
      return !["return", "typeof", "in", "of", "case", "new"].includes(prev.value);
    }
    if (prev.type === "str" || prev.type === "template") return true;
    return this.#isPunct(prev, ")") || this.#isPunct(prev, "]") || this.#isPunct(prev, "?.");
  }

  // ---- rule: calls that name the flag (Reflect.set, defineProperty, entries, JSON.parse) ----

  #callsByName(list: List): void {
    const t = list.tokens;
    for (let i = 0; i < t.length; i++) {
      const name = this.#dottedName(list, i);
      if (name !== undefined && this.#isPunct(t[i + 1], "(")) {
        const args = this.#arguments(list, i + 1);
        const argValue = (k: number) => {
          const a = args[k];
          return a === undefined ? UNKNOWN : this.#eval(list, a[0], a[1]);
        };
        if (name === "Reflect.set" && argValue(1) === "useSandbox") {
          const a = args[2];
          if (a === undefined) {
            this.#add("flag-off", "flag-reflect", "Reflect.set of useSandbox", t[i]!);
          } else this.#flagValue(list, a[0], a[1], t[i]!, 'Reflect.set(…, "useSandbox", …) to');
        }
        if (
          (name === "Object.defineProperty" || name === "Reflect.defineProperty") &&
          argValue(1) === "useSandbox"
        ) {
          const descriptor = argValue(2);
          const value = descriptor !== null && typeof descriptor === "object" &&
              !Array.isArray(descriptor) && !(descriptor instanceof Builtin)
            ? (Object.hasOwn(descriptor, "value") ? descriptor.value : UNKNOWN)
            : UNKNOWN;
          this.#judge(value, t[i]!, `${name}(…, "useSandbox", …) with value`, "descriptor");
        }
        if (name === "JSON.parse") {
          const parsed = argValue(0);
          const text = typeof parsed === "string" ? parsed : undefined;
          let object: unknown;
          try {
            object = text === undefined ? undefined : JSON.parse(text);
          } catch {
            object = undefined;
          }
          for (const value of flagValuesIn(object)) {
            this.#judge(value as Value, t[i]!, "JSON.parse(…) gives useSandbox", "");
          }
        }
      }
      // An entry pair [key, value] (Object.fromEntries, new Map) whose key is the flag.
      if (this.#isPunct(t[i], "[") && !this.#isMemberBracket(list, i)) {
        const close = list.pairs.get(i);
        if (close === undefined) continue;
        const parts = this.#arguments(list, i);
        if (parts.length !== 2) continue;
        if (this.#eval(list, parts[0]![0], parts[0]![1]) !== "useSandbox") continue;
        this.#flagValue(list, parts[1]![0], parts[1]![1], t[i]!, 'an entry ["useSandbox", …] with');
      }
    }
  }

  // ---- rule: running code another way ----

  #runsCode(list: List): void {
    const t = list.tokens;
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      if (tok.type === "name") this.#name(list, i);
      // `.constructor` used to reach a Function constructor.
      const constructorAt = this.#memberNamed(list, i, "constructor");
      if (constructorAt !== undefined) {
        const after = t[constructorAt];
        if (this.#memberNamed(list, constructorAt, "constructor") !== undefined) {
          this.#add(
            "runs-code",
            "function-constructor",
            "reaches the Function constructor through .constructor.constructor",
            tok,
          );
        } else if (this.#isPunct(after, "(") && this.#codeLikeArgument(list, constructorAt)) {
          this.#add(
            "runs-code",
            "function-constructor",
            "calls a .constructor with code text",
            tok,
          );
        } else {
          this.#constructorAlias(list, i);
        }
      }
      // globalThis.eval, (globalThis as any).Function, anything["ev" + "al"]
      const isGlobal = this.#isName(tok) && GLOBAL_NAMES.has(tok.value) && !this.#afterDot(list, i);
      for (const target of ["eval", "Function"]) {
        const rule = target === "eval" ? "eval" : "function-constructor";
        if (isGlobal) {
          const at = this.#isPunct(t[i + 1], ")") ? i + 2 : i + 1;
          if (this.#memberNamed(list, at, target) !== undefined) {
            this.#add("runs-code", rule, `uses ${tok.value}.${target}`, tok);
          }
        }
        if (this.#isPunct(tok, "[") && this.#memberNamed(list, i, target) !== undefined) {
          this.#add("runs-code", rule, `reaches ${target} through a computed member`, tok);
        }
      }
    }
  }

  /**
   * When a member access `.name` or `["name"]` starts at `i`, the index just after it;
   * otherwise undefined.
   */
  #memberNamed(list: List, i: number, name: string): number | undefined {
    const t = list.tokens;
    if ((this.#isPunct(t[i], ".") || this.#isPunct(t[i], "?.")) && this.#isName(t[i + 1], name)) {
      return i + 2;
    }
    if (this.#isPunct(t[i], "[") && this.#isMemberBracket(list, i)) {
      const close = list.pairs.get(i);
      if (close !== undefined && this.#eval(list, i + 1, close) === name) return close + 1;
    }
    return undefined;
  }

  /** `const F = x.constructor` makes F a possible Function constructor. */
  #constructorAlias(list: List, i: number): void {
    const t = list.tokens;
    for (let s = i - 1; s >= 1 && s > i - 40; s--) {
      if (this.#isPunct(t[s], "=") && this.#isName(t[s - 1])) {
        const declared = t[s - 2];
        if (this.#isName(declared) && ["const", "let", "var"].includes(declared!.value)) {
          const end = expressionEnd(t, s + 1);
          const stop = this.#memberNamed(list, i, "constructor");
          if (stop === end) this.#functionAliases.add(t[s - 1]!.value);
        }
        return;
      }
      if (this.#isPunct(t[s], ";") || t[s + 1]?.newlineBefore) return;
    }
  }

  #name(list: List, i: number): void {
    const t = list.tokens;
    const tok = t[i]!;
    const name = tok.value;
    if (this.#afterDot(list, i) || this.#isKey(list, i)) {
      this.#memberCapability(list, i);
      return;
    }
    const next = t[i + 1];
    const prev = t[i - 1];
    if (name === "eval") {
      this.#add("runs-code", "eval", this.#isPunct(next, "(") ? "calls eval" : "uses eval", tok);
      return;
    }
    if (
      this.#functionAliases.has(name) && (this.#isPunct(next, "(") || this.#isName(prev, "new"))
    ) {
      if (
        name === "Function" || (this.#isPunct(next, "(") && this.#codeLikeArgument(list, i + 1))
      ) {
        const what = name === "Function" ? "the Function constructor" : `${name} (a .constructor)`;
        this.#add("runs-code", "function-constructor", `calls ${what}`, tok);
      }
      return;
    }
    if ((name === "setTimeout" || name === "setInterval") && this.#isPunct(next, "(")) {
      const [first] = this.#arguments(list, i + 1);
      if (first !== undefined && typeof this.#eval(list, first[0], first[1]) === "string") {
        this.#add("runs-code", "timer-string", `${name} with code text`, tok);
      }
      return;
    }
    if (name === "import") {
      if (this.#isPunct(next, "(")) {
        const [first] = this.#arguments(list, i + 1);
        const spec = first === undefined ? UNKNOWN : this.#eval(list, first[0], first[1]);
        this.#module(spec, tok, "dynamic import");
        return;
      }
      if (this.#isPunct(next, ".")) return; // import.meta
      this.#staticImport(list, i, false);
      return;
    }
    if (name === "export") {
      this.#staticImport(list, i, true);
      return;
    }
    if (name === "require" && this.#isPunct(next, "(")) {
      const [first] = this.#arguments(list, i + 1);
      const spec = first === undefined ? UNKNOWN : this.#eval(list, first[0], first[1]);
      this.#module(spec, tok, "require");
      return;
    }
    if (name === "Worker" && (this.#isPunct(next, "(") || this.#isName(prev, "new"))) {
      this.#add("runs-code", "worker", "starts a Worker", tok);
      return;
    }
    if (name === "WebAssembly" && this.#isPunct(next, ".")) {
      const member = t[i + 2]?.value ?? "";
      if (/^(instantiate|compile|Module|Instance)/.test(member)) {
        this.#add("runs-code", "webassembly", `WebAssembly.${member}`, tok);
      }
      return;
    }
    if ((name === "Deno" || name === "Bun" || name === "process") && this.#isPunct(next, ".")) {
      const member = t[i + 2]?.value ?? "";
      if (/^(run|Command|spawn|spawnSync|spawnChild|dlopen|binding|_linkedBinding)$/.test(member)) {
        this.#add("runs-code", "subprocess", `${name}.${member}`, tok);
        return;
      }
    }
    if (PROBE_GLOBALS.has(name)) {
      this.#add("probe", "capability", `reaches for ${name}`, tok);
    }
  }

  /** `globalThis.Deno`, `g.process`: a probe when the member names a capability. */
  #memberCapability(list: List, i: number): void {
    const t = list.tokens;
    const tok = t[i]!;
    if (!this.#afterDot(list, i)) return;
    if (tok.value === "eval" && this.#isName(t[i - 2]) && GLOBAL_NAMES.has(t[i - 2]!.value)) return;
    if (PROBE_GLOBALS.has(tok.value) || tok.value === "require") {
      this.#add("probe", "capability", `reaches for .${tok.value}`, tok);
    }
    if (tok.value === "require" && this.#isPunct(t[i + 1], "(")) {
      const [first] = this.#arguments(list, i + 1);
      const spec = first === undefined ? UNKNOWN : this.#eval(list, first[0], first[1]);
      this.#module(spec, tok, "require");
    }
  }

  #staticImport(list: List, i: number, isExport: boolean): void {
    const t = list.tokens;
    const end = expressionEnd(t, i + 1, false);
    for (let j = i + 1; j <= Math.min(end, t.length - 1); j++) {
      const tok = t[j]!;
      if (!isExport && j === i + 1 && tok.type === "str") {
        this.#module(tok.value, t[i]!, "import");
        return;
      }
      if (this.#isName(tok, "from") && t[j + 1]?.type === "str") {
        this.#module(t[j + 1]!.value, t[i]!, isExport ? "re-export" : "import");
        return;
      }
      if (tok.type === "punct" && tok.value === "{") {
        const close = list.pairs.get(j);
        if (close === undefined) return;
        j = close;
      }
    }
  }

  #module(spec: Value, at: Token, how: string): void {
    if (spec === UNKNOWN || typeof spec !== "string") {
      this.#add("runs-code", "dynamic-import", `${how} of a module named at run time`, at);
      return;
    }
    const kind = classifyModuleSpecifier(spec);
    if (kind === "helpers") return;
    const shown = spec.length > 40 ? spec.slice(0, 37) + "…" : spec;
    if (kind === "runs-code") this.#add("runs-code", "module", `${how} of '${shown}'`, at);
    else this.#add("probe", "module", `${how} of '${shown}'`, at);
  }

  // ---- rule: utility internals ----

  #internals(list: List): void {
    const t = list.tokens;
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      if (tok.type !== "name") continue;
      const name = this.#dottedName(list, i);
      if (name !== undefined && INTROSPECTION.has(name) && this.#isPunct(t[i + 1], "(")) {
        this.#introspection(list, i, name);
        continue;
      }
      if (this.#afterDot(list, i) || this.#isKey(list, i)) continue;
      if (this.#utilityAliases.has(tok.value)) {
        const next = t[i + 1];
        if ((this.#isPunct(next, ".") || this.#isPunct(next, "?.")) && this.#isName(t[i + 2])) {
          const member = t[i + 2]!.value;
          if (!UTILITY_MEMBERS.includes(member) && member !== "useSandbox") {
            this.#add("internals", "utility-member", `reads ${tok.value}.${member}`, tok);
          }
        } else if (this.#isPunct(next, "[")) {
          const close = list.pairs.get(i + 1);
          const key = close === undefined ? UNKNOWN : this.#eval(list, i + 2, close);
          if (key !== "useSandbox" && !(typeof key === "string" && UTILITY_MEMBERS.includes(key))) {
            this.#add(
              "internals",
              "utility-member",
              `reads ${tok.value}[${key === UNKNOWN ? "…" : JSON.stringify(key)}]`,
              tok,
            );
          }
        }
        // for (k in utility)
        if (this.#isName(t[i - 1], "in") && this.#isPunct(next, ")")) {
          this.#add("internals", "utility-keys", `lists the members of ${tok.value}`, tok);
        }
      }
    }
  }

  /** `Object.getPrototypeOf(utility)`, `Object.keys(utility)`, … */
  #introspection(list: List, i: number, name: string): void {
    const t = list.tokens;
    const args = this.#arguments(list, i + 1);
    const first = args[0];
    if (first === undefined || first[1] - first[0] !== 1) return;
    const target = t[first[0]]!;
    if (!this.#isName(target) || !this.#utilityAliases.has(target.value)) return;
    if (name.endsWith("getOwnPropertyDescriptor")) {
      const key = args[1] === undefined ? UNKNOWN : this.#eval(list, args[1][0], args[1][1]);
      if (typeof key === "string" && UTILITY_MEMBERS.includes(key)) return;
    }
    this.#add("internals", "utility-introspection", `${name}(${target.value})`, t[i]!);
  }
}

function asJson(value: Value): unknown {
  if (value instanceof Builtin) return `builtin:${value.name}`;
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

function describe(value: Value): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === UNKNOWN) return "an unknown value";
  if (value instanceof Builtin) return value.name;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

function flagValuesIn(value: unknown, depth = 0): unknown[] {
  if (value === null || typeof value !== "object" || depth > 20) return [];
  const out: unknown[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k === "useSandbox") out.push(v);
    out.push(...flagValuesIn(v, depth + 1));
  }
  return out;
}
