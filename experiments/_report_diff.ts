/**
 * A small line diff for the report's improver lineage: the longest common subsequence of
 * lines (after trimming the common head and tail), grouped into hunks with a few lines of
 * context, as in a unified diff.
 *
 * @module
 */

/** One line of a diff: kept (" "), removed ("-") or added ("+"). */
export interface DiffLine {
  op: " " | "-" | "+";
  text: string;
}

/** A run of changes with context, numbered from 1 as in a unified diff header. */
export interface DiffHunk {
  /** First line in the old text (1-based) and how many old lines the hunk covers. */
  oldStart: number;
  oldLines: number;
  /** First line in the new text (1-based) and how many new lines the hunk covers. */
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

/** A line diff: its hunks and counts, or `tooLarge` when it was not computed. */
export interface LineDiff {
  hunks: DiffHunk[];
  added: number;
  removed: number;
  /** True when the changed middle exceeded `maxCells` and no hunks were computed. */
  tooLarge: boolean;
}

/** Options of {@linkcode lineDiff}. */
export interface LineDiffOptions {
  /** Unchanged lines shown around each change. @default {3} */
  context?: number;
  /** Largest LCS table (old × new changed lines) computed. @default {4_000_000} */
  maxCells?: number;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The full edit script between two line arrays (every line, no context trimming). */
function editScript(a: string[], b: string[], maxCells: number): DiffLine[] | undefined {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const n = x.length, m = y.length;
  if (n * m > maxCells) return undefined;
  // lcs[i * (m + 1) + j] = length of the LCS of x[i..] and y[j..]
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = x[i] === y[j]
        ? lcs[(i + 1) * (m + 1) + j + 1]! + 1
        : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: " ", text }));
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push({ op: " ", text: x[i]! });
      i++, j++;
    } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) {
      out.push({ op: "-", text: x[i]! });
      i++;
    } else {
      out.push({ op: "+", text: y[j]! });
      j++;
    }
  }
  for (const text of a.slice(a.length - tail)) out.push({ op: " ", text });
  return out;
}

/**
 * Diffs two texts line by line.
 *
 * @example
 * ```ts
 * import { lineDiff } from "./_report_diff.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * const d = lineDiff("a\nb\nc\n", "a\nB\nc\n");
 * equal(d.added, 1);
 * equal(d.removed, 1);
 * deepEqual(d.hunks[0]!.lines.map((l) => l.op + l.text), [" a", "-b", "+B", " c"]);
 * ```
 *
 * @param before The old text.
 * @param after The new text.
 * @param options Context lines and the size cap.
 * @returns The hunks (none when the texts are equal) and the counts.
 */
export function lineDiff(before: string, after: string, options: LineDiffOptions = {}): LineDiff {
  const context = options.context ?? 3;
  const script = editScript(splitLines(before), splitLines(after), options.maxCells ?? 4_000_000);
  if (script === undefined) return { hunks: [], added: 0, removed: 0, tooLarge: true };
  const added = script.filter((l) => l.op === "+").length;
  const removed = script.filter((l) => l.op === "-").length;
  // Keep the lines within `context` of a change; join hunks whose context touches.
  const keep = new Uint8Array(script.length);
  script.forEach((line, k) => {
    if (line.op === " ") return;
    for (let d = Math.max(0, k - context); d <= Math.min(script.length - 1, k + context); d++) {
      keep[d] = 1;
    }
  });
  const hunks: DiffHunk[] = [];
  let oldLine = 1, newLine = 1;
  let current: DiffHunk | undefined;
  script.forEach((line, k) => {
    if (keep[k]) {
      current ??= { oldStart: oldLine, oldLines: 0, newStart: newLine, newLines: 0, lines: [] };
      current.lines.push(line);
      if (line.op !== "+") current.oldLines++;
      if (line.op !== "-") current.newLines++;
    } else if (current !== undefined) {
      hunks.push(current);
      current = undefined;
    }
    if (line.op !== "+") oldLine++;
    if (line.op !== "-") newLine++;
  });
  if (current !== undefined) hunks.push(current);
  return { hunks, added, removed, tooLarge: false };
}

/**
 * Formats a diff as unified-diff text (hunk headers and `+`/`-`/` ` lines).
 *
 * @example
 * ```ts
 * import { formatUnifiedDiff, lineDiff } from "./_report_diff.ts";
 * import { equal } from "node:assert/strict";
 * equal(formatUnifiedDiff(lineDiff("a\n", "b\n")), "@@ -1,1 +1,1 @@\n-a\n+b");
 * ```
 *
 * @param diff A diff from {@linkcode lineDiff}.
 * @returns The text, without a trailing newline.
 */
export function formatUnifiedDiff(diff: LineDiff): string {
  return diff.hunks.map((h) =>
    [
      `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
      ...h.lines.map((l) => l.op + l.text),
    ].join("\n")
  ).join("\n");
}
