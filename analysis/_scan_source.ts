/**
 * A program's source split, by the real parser (`_js_parse.ts`, on the JavaScript the host's
 * transpiler makes of it), into code, comments, string literals and regular-expression
 * literals, so that a pattern looked for in code never matches inside a comment or a prompt.
 *
 * @module
 */
import { transpile } from "../sandbox/transpile.ts";
import { MAX_ANALYSED_CHARS, parseJs, tokenValue } from "./_js_parse.ts";

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

const MAX_KEPT = 3;
/** Longest name or number kept in `code` (longer ones are cut). */
const MAX_WORD = 64;
/** Longest string, template chunk or regex body kept (longer ones are cut). */
const MAX_LITERAL = 2_000;

/**
 * Scans a program's source: types are stripped by the host's transpiler (lines unchanged),
 * then acorn reads the JavaScript. The code is rebuilt from the tokens with bounded pieces
 * (the blanks between tokens become one space or one line break; names, numbers and
 * literals are cut at a fixed length), so that patterns run over it cannot backtrack over
 * long runs of guest-chosen text. Never throws: text that does not parse is tokenized as
 * far as it can be; a source longer than `MAX_ANALYSED_CHARS` gives empty code.
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
  const raw = String(source);
  // Too large to analyse: not even transpiled (parseJs refuses it).
  const js = raw.length > MAX_ANALYSED_CHARS ? undefined : transpile(raw);
  const text = js?.ok ? js.code : raw;
  const parsed = parseJs(text);
  out.comments = parsed.comments.map((c) => c.text);
  const literal = (content: string): string => {
    if (content.length <= MAX_KEPT && !/["§()[\]{}]/.test(content)) return JSON.stringify(content);
    out.strings.push(content.slice(0, MAX_LITERAL));
    return `"§${out.strings.length - 1}"`;
  };
  const parts: string[] = [];
  let at = 0;
  let comment = 0;
  // The text between two tokens, without its comments, as one line break, one space or
  // nothing: no run of blanks for a pattern to backtrack over.
  const gap = (until: number) => {
    let blank = "";
    const note = (piece: string) => {
      if (piece.includes("\n")) blank = "\n";
      else if (piece.length > 0 && blank === "") blank = " ";
    };
    while (at < until) {
      const c = parsed.comments[comment];
      if (c === undefined || c.start >= until) {
        note(text.slice(at, until));
        at = until;
        break;
      }
      note(text.slice(at, c.start) + (c.line ? "" : " "));
      at = c.end;
      comment++;
    }
    parts.push(blank);
  };
  // What each open bracket was: `${` closes a template expression.
  const opened: string[] = [];
  for (const t of parsed.tokens) {
    gap(t.start);
    const label = t.type.label;
    const raw = text.slice(t.start, t.end);
    if (label === "string") parts.push(literal(String(tokenValue(t))));
    else if (label === "regexp") {
      const value = tokenValue(t) as { pattern?: unknown } | undefined;
      out.regexes.push(
        String(value?.pattern ?? raw.slice(1, raw.lastIndexOf("/"))).slice(0, MAX_LITERAL),
      );
      parts.push(`/§${out.regexes.length - 1}/`);
    } else if (label === "`") {
      const closing = opened[opened.length - 1] === "`";
      if (closing) opened.pop();
      else opened.push("`");
      parts.push(closing ? ")" : "(");
    } else if (label === "template" || label === "invalidTemplate") {
      const value = tokenValue(t);
      parts.push(literal(typeof value === "string" ? value : raw));
    } else if (label === "${") {
      opened.push("${");
      parts.push(" + (");
    } else if (raw === "{" || raw === "(" || raw === "[") {
      opened.push(raw);
      parts.push(raw);
    } else if (raw === "}" && opened[opened.length - 1] === "${") {
      opened.pop();
      parts.push(") + ");
    } else {
      if (raw === "}" || raw === ")" || raw === "]") opened.pop();
      // Names and numbers are cut, so no run of word characters is long.
      parts.push(raw.length > MAX_WORD ? raw.slice(0, MAX_WORD) : raw);
    }
    at = t.end;
  }
  gap(text.length);
  out.code = parts.join("");
  return out;
}
