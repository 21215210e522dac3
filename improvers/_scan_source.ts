/**
 * A small lexer for TypeScript source, enough for static analysis by pattern: it separates
 * code from comments, string literals and regular-expression literals, so that a pattern
 * looked for in code never matches inside a comment or a prompt.
 *
 * @module
 */

/** A program's source split into what analyses look at. */
export interface ScannedSource {
  /**
   * The code with comments removed. A string literal of up to 3 characters without brackets
   * is kept, written as a JSON string (`"\n"`, `","`); any other becomes `"§k"`, where `k` indexes {@linkcode strings}. A
   * template literal becomes a concatenation of such placeholders and its parenthesised
   * `${}` expressions, so the expressions stay code. A regular-expression literal becomes
   * `/§k/`, where `k` indexes {@linkcode regexes}.
   */
  code: string;
  /** The contents of every string literal and template chunk, in source order. */
  strings: string[];
  /** The bodies of every regular-expression literal, in source order. */
  regexes: string[];
  /** The comments' text (not used as evidence; kept for tests and reports). */
  comments: string[];
}

const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

const MAX_KEPT = 3;

/**
 * Scans a program's source. Never throws: an unterminated literal or comment simply runs
 * to the end of the text.
 *
 * @param source TypeScript or JavaScript source.
 * @returns Code without comments, plus the literals found.
 *
 * @example
 * ```ts
 * import { scanSource } from "./_scan_source.ts";
 * import { equal } from "node:assert/strict";
 * const scanned = scanSource('const beam = 2; // not a comment about "beam"\nask("use a beam");');
 * equal(scanned.code.includes("//"), false);
 * equal(scanned.strings[0], "use a beam");
 * ```
 */
export function scanSource(source: string): ScannedSource {
  const out: ScannedSource = { code: "", strings: [], regexes: [], comments: [] };
  const text = String(source);
  let code = "";
  let i = 0;
  // Stack of open `${` expressions: the brace depth inside each.
  const templates: number[] = [];

  const lastSignificant = (): string => {
    const trimmed = code.trimEnd();
    return trimmed.length === 0 ? "" : trimmed[trimmed.length - 1]!;
  };
  const lastWord = (): string => /([A-Za-z_$][\w$]*)\s*$/.exec(code)?.[1] ?? "";
  const literal = (content: string): string => {
    if (content.length <= MAX_KEPT && !/["§()[\]{}]/.test(content)) return JSON.stringify(content);
    out.strings.push(content);
    return `"§${out.strings.length - 1}"`;
  };

  // Reads a template literal's chunks from just after a backtick up to `${` or the closing
  // backtick; returns the chunk and where it stopped.
  const readChunk = (from: number): { chunk: string; end: number; opensExpression: boolean } => {
    let chunk = "";
    let j = from;
    while (j < text.length) {
      const c = text[j]!;
      if (c === "\\") {
        chunk += text.slice(j, j + 2);
        j += 2;
      } else if (c === "`") {
        return { chunk, end: j + 1, opensExpression: false };
      } else if (c === "$" && text[j + 1] === "{") {
        return { chunk, end: j + 2, opensExpression: true };
      } else {
        chunk += c;
        j++;
      }
    }
    return { chunk, end: j, opensExpression: false };
  };

  const startTemplateChunk = (from: number): number => {
    const { chunk, end, opensExpression } = readChunk(from);
    code += literal(unescape(chunk));
    if (opensExpression) {
      code += " + (";
      templates.push(0);
    }
    return end;
  };

  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out.comments.push(text.slice(i + 2, stop));
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out.comments.push(text.slice(i + 2, end < 0 ? text.length : end));
      code += " ";
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let content = "";
      while (j < text.length && text[j] !== c && text[j] !== "\n") {
        if (text[j] === "\\") {
          content += text.slice(j, j + 2);
          j += 2;
        } else content += text[j++];
      }
      code += literal(unescape(content));
      i = j + 1;
      continue;
    }
    if (c === "`") {
      code += "(";
      i = startTemplateChunk(i + 1);
      if (text[i - 1] === "`" || i >= text.length) code += ")";
      continue;
    }
    if (templates.length > 0 && (c === "{" || c === "}")) {
      const depth = templates[templates.length - 1]!;
      if (c === "{") {
        templates[templates.length - 1] = depth + 1;
      } else if (depth > 0) {
        templates[templates.length - 1] = depth - 1;
      } else {
        // The end of a `${}` expression: the template goes on.
        templates.pop();
        code += ") + ";
        i = startTemplateChunk(i + 1);
        if (text[i - 1] === "`" || i >= text.length) code += ")";
        continue;
      }
      code += c;
      i++;
      continue;
    }
    if (c === "/") {
      const before = lastSignificant();
      const regexAllowed = before === "" || "(,=:[!&|?{};+-*%<>~^".includes(before) ||
        (/[\w$]/.test(before) && REGEX_AFTER_WORDS.has(lastWord()));
      if (regexAllowed) {
        let j = i + 1;
        let inClass = false;
        let body = "";
        while (j < text.length && text[j] !== "\n") {
          const d = text[j]!;
          if (d === "\\") {
            body += text.slice(j, j + 2);
            j += 2;
            continue;
          }
          if (d === "[") inClass = true;
          else if (d === "]") inClass = false;
          else if (d === "/" && !inClass) break;
          body += d;
          j++;
        }
        j++;
        while (j < text.length && /[a-z]/i.test(text[j]!)) j++;
        out.regexes.push(body);
        code += `/§${out.regexes.length - 1}/`;
        i = j;
        continue;
      }
    }
    code += c;
    i++;
  }
  out.code = code;
  return out;
}

function unescape(text: string): string {
  return text.replace(
    /\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/gs,
    (_, e: string) => {
      if (e === "n") return "\n";
      if (e === "t") return "\t";
      if (e === "r") return "\r";
      if (e.startsWith("u{")) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
      if (e[0] === "u" && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
      if (e[0] === "x" && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
      return e;
    },
  );
}
