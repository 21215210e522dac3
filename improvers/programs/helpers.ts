/**
 * The guest helper module: the one module a generated program may import, as
 * `import { extractCode } from "./helpers.ts";`. This exact source is served to guest
 * programs, so it uses ES2020 only and imports nothing. The host uses it too (to start
 * scoring the code of each model reply early), so every scan here is linear in the reply.
 *
 * A fenced code block is a line that starts (after optional spaces or tabs) with three or
 * more backticks or tildes and an optional info string (a language tag such as `ts`, maybe
 * followed by attributes: `ts title="x"`; a backtick fence's info string has no backticks),
 * followed by content lines, up to a line holding only the same fence character, at least
 * as many as opened the block. A longer fence can therefore contain shorter ones. A block
 * that is never closed was cut off (a reply stopped by a token limit) and is never used. The
 * opening fence's indentation is removed from the content lines, and blank lines at the
 * start and end of the content are dropped.
 *
 * Which block: the paper takes the largest. Here the largest still wins, but among the
 * blocks that serve the caller best, in this order: TypeScript or JavaScript blocks (tagged
 * so, or untagged) that define an export the caller needs (a name given as the second
 * argument, e.g. `"algorithm"`; without names, any exported definition); then such blocks
 * that export something else; then such blocks without exports; then blocks in other
 * languages (```` ```python ````). A reply without any fence is taken whole when it reads as
 * a complete module: it starts like code, ends like code, has balanced brackets outside
 * strings and comments, and exports what is needed. A reasoning section the reply starts
 * with (`<think>…</think>`) is not the answer: its blocks are never taken.
 *
 * @module
 */

const OPENING_FENCE = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;
const SCRIPT_TAGS = [
  "",
  "ts",
  "typescript",
  "js",
  "javascript",
  "tsx",
  "jsx",
  "mjs",
  "cjs",
  "mts",
  "cts",
  "es6",
  "ecmascript",
  "deno",
  "node",
];
/** A word or one other non-space character (scanned from a line's start, at most a few). */
const TOKEN = /[A-Za-z_$][\w$]*|[^\sA-Za-z_$]/g;
/** What an exported definition's keyword may be. */
const DEFINING = ["function", "const", "let", "var", "class"];
/** What may follow the name of an exported definition (prose does not). */
const GOES_ON = ["(", "<", "=", ":", "{", "extends", "implements"];
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** How a complete module may start: a keyword, a comment, a directive or a decorator. */
const CODE_START =
  /^(?:import|export|function|async|const|let|var|class|interface|type|declare|enum|abstract|namespace)\b|^(?:\/\/|\/\*|["']use strict|@[A-Za-z])/;
/** How a complete module may end. */
const CODE_END = /(?:[;})\]]|\*\/)$/;

/** How well a block serves the caller (higher is better). */
type Rank = 0 | 1 | 2 | 3;

/**
 * Returns the code of a model reply: the largest fenced code block among those that serve
 * the caller best (see the module documentation), or the whole reply when it has no fence
 * and reads as a complete module, or `undefined` when there is no such code. A block that
 * was cut off (never closed) is never returned.
 *
 * @param reply A model reply.
 * @param exportName The export the caller needs (or several, any of which will do), e.g.
 * `"algorithm"` for a task's solution or `"improveAlgorithm"` for an improver. Without it,
 * blocks that export anything are preferred.
 * @returns The code, without its fences, or `undefined`.
 *
 * @example
 * ```ts
 * import { extractCode } from "./helpers.ts";
 * const fence = "`".repeat(3);
 * const reply = `Idea: cache.\n${fence}ts\nexport const x = 1;\n${fence}\n`;
 * if (extractCode(reply) !== "export const x = 1;") throw new Error("unexpected");
 * const harness = `${fence}ts\nimport { f } from "./f.ts";\nconsole.log(f(1), f(2), f(3));\n${fence}`;
 * const solution = `${fence}ts\nexport function f(x) { return x; }\n${fence}`;
 * if (extractCode(`${solution}\n${harness}`, "f") !== "export function f(x) { return x; }") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function extractCode(
  reply: string,
  exportName?: string | readonly string[],
): string | undefined;
/**
 * Returns the code of each reply (one result per reply, in order; see the single form).
 *
 * @param replies Model replies.
 * @param exportName The export the caller needs (or several).
 * @returns The code of each reply, or `undefined` for a reply without code.
 */
export function extractCode(
  replies: readonly string[],
  exportName?: string | readonly string[],
): (string | undefined)[];
export function extractCode(
  input: string | readonly string[],
  exportName?: string | readonly string[],
): string | undefined | (string | undefined)[] {
  const needed = neededNames(exportName);
  if (typeof input === "string") return bestCode(input, needed);
  if (!Array.isArray(input)) return undefined;
  const results: (string | undefined)[] = [];
  for (const reply of input) {
    results.push(typeof reply === "string" ? bestCode(reply, needed) : undefined);
  }
  return results;
}

function neededNames(exportName: unknown): string[] {
  if (typeof exportName === "string") return exportName === "" ? [] : [exportName];
  if (!Array.isArray(exportName)) return [];
  const names: string[] = [];
  for (const name of exportName) if (typeof name === "string" && name !== "") names.push(name);
  return names;
}

function bestCode(reply: string, needed: readonly string[]): string | undefined {
  const text = withoutReasoning(reply);
  if (text === undefined) return undefined;
  const lines = text.split(/\r\n|\r|\n/);
  let best: string | undefined;
  let bestRank = -1;
  let bestSize = 0;
  let sawFence = false;
  let i = 0;
  while (i < lines.length) {
    const opening = OPENING_FENCE.exec(lines[i] ?? "");
    const fence = opening === null ? "" : opening[2] ?? "";
    const info = opening === null ? "" : opening[3] ?? "";
    if (opening === null || (fence[0] === "`" && info.indexOf("`") >= 0)) {
      i++;
      continue;
    }
    sawFence = true;
    const indent = (opening[1] ?? "").length;
    const body: string[] = [];
    let j = i + 1;
    let closed = false;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? "";
      const closing = CLOSING_FENCE.exec(line);
      const mark = closing === null ? "" : closing[1] ?? "";
      if (mark[0] === fence[0] && mark.length >= fence.length) {
        closed = true;
        break;
      }
      body.push(removeIndent(line, indent));
    }
    if (!closed) break; // cut off: the reply ends inside this block
    i = j + 1;
    while (body.length > 0 && (body[0] ?? "").trim() === "") body.shift();
    while (body.length > 0 && (body[body.length - 1] ?? "").trim() === "") body.pop();
    const code = body.join("\n");
    const size = code.trim().length;
    if (size === 0) continue;
    const rank = isScriptTag(info) ? exportRank(body, needed) : 0;
    if (rank > bestRank || (rank === bestRank && size > bestSize)) {
      best = code;
      bestRank = rank;
      bestSize = size;
    }
  }
  if (sawFence) return best;
  return unfencedModule(text, lines, needed);
}

/**
 * The answer part of a reply that starts with a reasoning section (`<think>…</think>`, as
 * R1-style models write it; its drafts are not the answer), the reply itself when it does
 * not, or `undefined` when the reasoning never ends (the reply was cut off while thinking).
 */
function withoutReasoning(reply: string): string | undefined {
  const start = /^\s*<(think|thinking)>/.exec(reply);
  if (start === null) return reply;
  const close = "</" + (start[1] ?? "think") + ">";
  const end = reply.indexOf(close, start[0].length);
  return end < 0 ? undefined : reply.slice(end + close.length);
}

/** Whether a fence's info string names TypeScript or JavaScript, or nothing. */
function isScriptTag(info: string): boolean {
  const first = info.trim().split(/[\s:,{}]+/).filter((word) => word !== "")[0] ?? "";
  const tag = first.replace(/^\.+/, "").toLowerCase();
  return SCRIPT_TAGS.indexOf(tag) >= 0;
}

/** 3: defines a needed export (any export without names); 2: exports others; 1: none. */
function exportRank(lines: readonly string[], needed: readonly string[]): Rank {
  let exportsSomething = false;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k] ?? "";
    if (line.indexOf("export") < 0) continue;
    const exported = exportOf(line);
    if (exported === undefined) continue;
    if (needed.length === 0) return 3;
    exportsSomething = true;
    if (exported !== "" ? needed.indexOf(exported) >= 0 : exportListNames(lines, k, needed)) {
      return 3;
    }
  }
  return exportsSomething ? 2 : 1;
}

/**
 * What a line that starts an export statement exports: the name it defines (`export
 * [default] [declare] [async] function [*] name (`, `export const name =`, `export class name
 * {`, …), `""` for another export (`export {`, `export default x`, `export *`), or
 * `undefined` when the line starts no export. Reads a few tokens: linear in the line.
 */
function exportOf(line: string): string | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (tokens.length < 9) {
    const match = TOKEN.exec(line);
    if (match === null) break;
    tokens.push(match[0]);
  }
  if (tokens[0] !== "export") return undefined;
  let k = 1;
  for (const modifier of ["default", "declare", "async", "abstract"]) {
    if (tokens[k] === modifier) k++;
  }
  const keyword = tokens[k] ?? "";
  if (DEFINING.indexOf(keyword) >= 0) {
    k++;
    if (keyword === "function" && tokens[k] === "*") k++;
    const name = tokens[k] ?? "";
    const next = tokens[k + 1];
    if (IDENTIFIER.test(name) && (next === undefined || GOES_ON.indexOf(next) >= 0)) return name;
  }
  const first = tokens[1];
  return first === "{" || first === "default" || first === "*" ? "" : undefined;
}

/** Whether `export { … }` starting on line `k` lists a needed name (`a as algorithm` too). */
function exportListNames(lines: readonly string[], k: number, needed: readonly string[]): boolean {
  const start = (lines[k] ?? "").indexOf("{");
  if (start < 0) return false;
  let list = "";
  for (let m = k; m < lines.length && m < k + 200; m++) {
    const line = m === k ? (lines[m] ?? "").slice(start + 1) : lines[m] ?? "";
    const end = line.indexOf("}");
    list += " " + (end < 0 ? line : line.slice(0, end));
    if (end >= 0) {
      const names = list.split(",");
      for (const entry of names) {
        const words = entry.trim().split(/\s+/);
        const exported = words.length >= 3 && words[1] === "as" ? words[2] : words[0];
        if (exported !== undefined && needed.indexOf(exported) >= 0) return true;
      }
      return false;
    }
  }
  return false;
}

/** The whole reply, when it has no fence and reads as a complete module that exports. */
function unfencedModule(
  text: string,
  lines: readonly string[],
  needed: readonly string[],
): string | undefined {
  const code = text.trim();
  if (code === "") return undefined;
  const first = code.slice(0, 200);
  const last = lines.map((line) => line.trim()).filter((line) => line !== "").pop() ?? "";
  if (CODE_START.exec(first) === null || CODE_END.exec(last) === null) return undefined;
  if (exportRank(lines, needed) !== 3) return undefined;
  return balanced(code) ? code : undefined;
}

/**
 * Whether brackets balance outside strings, template literals, comments and regular
 * expression literals (a cut-off or prose-mixed text usually does not). One pass.
 */
function balanced(code: string): boolean {
  const stack: string[] = [];
  let previous = ""; // last significant character outside strings and comments
  let i = 0;
  const n = code.length;
  while (i < n) {
    const c = code[i] ?? "";
    const next = code[i + 1] ?? "";
    if (c === "/" && next === "/") {
      const end = code.indexOf("\n", i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = code.indexOf("*/", i + 2);
      if (end < 0) return false;
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipQuoted(code, i, c);
      if (i < 0) return false;
      previous = c;
      continue;
    }
    if (c === "`") {
      i = skipTemplate(code, i + 1, stack);
      if (i < 0) return false;
      previous = "`";
      continue;
    }
    if (c === "/" && (previous === "" || "(,=:[!&|?{};+-*%<>~^".indexOf(previous) >= 0)) {
      i = skipRegex(code, i);
      if (i < 0) return false;
      previous = "/";
      continue;
    }
    if (c === "(" || c === "[" || c === "{") stack.push(c);
    else if (c === ")" || c === "]" || c === "}") {
      const open = stack.pop();
      if (open === "`" && c === "}") {
        // the end of a `${…}` substitution: back inside the template literal
        i = skipTemplate(code, i + 1, stack);
        if (i < 0) return false;
        previous = "`";
        continue;
      }
      if (open !== (c === ")" ? "(" : c === "]" ? "[" : "{")) return false;
    }
    if (c.trim() !== "") previous = c;
    i++;
  }
  return stack.length === 0;
}

/** Index after a quoted string starting at `i`, or -1 when it does not end on its line. */
function skipQuoted(code: string, i: number, quote: string): number {
  for (let k = i + 1; k < code.length; k++) {
    const c = code[k];
    if (c === "\\") k++;
    else if (c === quote) return k + 1;
    else if (c === "\n") return -1;
  }
  return -1;
}

/**
 * Scans template-literal text from `i` (just after a backtick or a substitution's `}`) and
 * returns the index after the closing backtick, or after a `${` (then it pushes a marker, so
 * that the substitution's `}` brings the scan back into the template).
 */
function skipTemplate(code: string, i: number, stack: string[]): number {
  for (let k = i; k < code.length; k++) {
    const c = code[k];
    if (c === "\\") k++;
    else if (c === "`") return k + 1;
    else if (c === "$" && code[k + 1] === "{") {
      stack.push("`"); // the substitution's `}` brings the scan back here
      return k + 2;
    }
  }
  return -1;
}

/** Index after a regular-expression literal starting at `i`, or -1 when it does not end. */
function skipRegex(code: string, i: number): number {
  let inClass = false;
  for (let k = i + 1; k < code.length; k++) {
    const c = code[k];
    if (c === "\\") k++;
    else if (c === "\n") return -1;
    else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") inClass = true;
    else if (c === "/") return k + 1;
  }
  return -1;
}

function removeIndent(line: string, indent: number): string {
  let k = 0;
  while (k < indent && k < line.length && (line[k] === " " || line[k] === "\t")) k++;
  return line.slice(k);
}
