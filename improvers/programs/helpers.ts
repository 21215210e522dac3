/**
 * The guest helper module: the one module a generated program may import, as
 * `import { extractCode } from "./helpers.ts";`. This exact source is served to guest
 * programs, so it uses ES2020 only and imports nothing.
 *
 * A fenced code block is a line that starts (after optional spaces or tabs) with three or
 * more backticks and an optional info string without backticks (a language tag such as
 * `ts`), followed by content lines, up to a line holding only backticks, at least as many
 * as opened the block. A longer fence can therefore contain shorter ones. A block that is
 * never closed runs to the end of the reply (a reply cut short by a token limit). The
 * opening fence's indentation is removed from the content lines, and blank lines at the
 * start and end of the content are dropped.
 *
 * @module
 */

const OPENING_FENCE = /^([ \t]*)(`{3,})([^`]*)$/;
const CLOSING_FENCE = /^[ \t]*(`{3,})[ \t]*$/;

/**
 * Returns the largest fenced code block of a model reply (measured without surrounding
 * whitespace; the first one wins a tie), or `undefined` when the reply has no fenced
 * block with anything but whitespace in it.
 *
 * @param reply A model reply.
 * @returns The code, without its fences, or `undefined`.
 *
 * @example
 * ```ts
 * import { extractCode } from "./helpers.ts";
 * const fence = "`".repeat(3);
 * const reply = `Idea: cache.\n${fence}ts\nexport const x = 1;\n${fence}\n`;
 * if (extractCode(reply) !== "export const x = 1;") throw new Error("unexpected");
 * ```
 */
export function extractCode(reply: string): string | undefined;
/**
 * Returns the largest fenced code block of each reply (one result per reply, in order).
 *
 * @param replies Model replies.
 * @returns The code of each reply, or `undefined` for a reply without code.
 */
export function extractCode(replies: readonly string[]): (string | undefined)[];
export function extractCode(
  input: string | readonly string[],
): string | undefined | (string | undefined)[] {
  if (typeof input === "string") return largestBlock(input);
  if (!Array.isArray(input)) return undefined;
  const results: (string | undefined)[] = [];
  for (const reply of input) {
    results.push(typeof reply === "string" ? largestBlock(reply) : undefined);
  }
  return results;
}

function largestBlock(text: string): string | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  let best: string | undefined;
  let bestSize = 0;
  let i = 0;
  while (i < lines.length) {
    const opening = OPENING_FENCE.exec(lines[i] ?? "");
    if (opening === null) {
      i++;
      continue;
    }
    const indent = (opening[1] ?? "").length;
    const fenceLength = (opening[2] ?? "").length;
    const body: string[] = [];
    let j = i + 1;
    let closed = false;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? "";
      const closing = CLOSING_FENCE.exec(line);
      if (closing !== null && (closing[1] ?? "").length >= fenceLength) {
        closed = true;
        break;
      }
      body.push(removeIndent(line, indent));
    }
    while (body.length > 0 && (body[0] ?? "").trim() === "") body.shift();
    while (body.length > 0 && (body[body.length - 1] ?? "").trim() === "") body.pop();
    const code = body.join("\n");
    const size = code.trim().length;
    if (size > bestSize) {
      best = code;
      bestSize = size;
    }
    i = closed ? j + 1 : j;
  }
  return best;
}

function removeIndent(line: string, indent: number): string {
  let k = 0;
  while (k < indent && k < line.length && (line[k] === " " || line[k] === "\t")) k++;
  return line.slice(k);
}
