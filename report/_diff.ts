/**
 * The report's line diffs of the improver lineage, computed by the npm `diff` package
 * (jsdiff's `structuredPatch`: Myers's algorithm, hunks with a few lines of context) and kept
 * in the report's own types, with the hunk numbers of a unified diff header.
 *
 * @module
 */
import { structuredPatch } from "diff";

/** One line of a diff: kept (" "), removed ("-") or added ("+"). */
export interface DiffLine {
  op: " " | "-" | "+";
  text: string;
}

/**
 * A run of changes with context, numbered as in a unified diff header: from 1, except that a
 * side the hunk covers no line of names the line before the hunk (0 at the top of the file).
 */
export interface DiffHunk {
  /** First line in the old text and how many old lines the hunk covers. */
  oldStart: number;
  oldLines: number;
  /** First line in the new text and how many new lines the hunk covers. */
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

/** A line diff: its hunks and counts, or `tooLarge` when it was not computed. */
export interface LineDiff {
  hunks: DiffHunk[];
  added: number;
  removed: number;
  /** True when the diff would have cost more than `maxCells` and no hunks were computed. */
  tooLarge: boolean;
}

/** Options of {@linkcode lineDiff}. */
export interface LineDiffOptions {
  /** Unchanged lines shown around each change. @default {3} */
  context?: number;
  /**
   * Largest work spent on the diff, in cells of the edit graph: lines of both texts times
   * the number of lines added and removed (Myers's bound). @default {4_000_000}
   */
  maxCells?: number;
}

/** The text with `\n` line ends and a final one, so that a missing last newline is no change. */
function normalize(text: string): string {
  const lf = text.replace(/\r\n/g, "\n");
  return lf === "" || lf.endsWith("\n") ? lf : `${lf}\n`;
}

const lineCount = (text: string) => text.split("\n").length - 1;

/**
 * Diffs two texts line by line.
 *
 * @example
 * ```ts
 * import { lineDiff } from "./_diff.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * const d = lineDiff("a\nb\nc\n", "a\nB\nc\n");
 * equal(d.added, 1);
 * equal(d.removed, 1);
 * deepEqual(d.hunks[0]!.lines.map((l) => l.op + l.text), [" a", "-b", "+B", " c"]);
 * ```
 *
 * @param before The old text.
 * @param after The new text.
 * @param options Context lines and the cost cap.
 * @returns The hunks (none when the texts are equal) and the counts.
 */
export function lineDiff(before: string, after: string, options: LineDiffOptions = {}): LineDiff {
  const old = normalize(before), now = normalize(after);
  const size = lineCount(old) + lineCount(now);
  const maxEditLength = Math.floor((options.maxCells ?? 4_000_000) / Math.max(1, size));
  const patch = structuredPatch("before", "after", old, now, undefined, undefined, {
    context: options.context ?? 3,
    maxEditLength,
  });
  if (patch === undefined) return { hunks: [], added: 0, removed: 0, tooLarge: true };
  let added = 0, removed = 0;
  const hunks = patch.hunks.map((h): DiffHunk => {
    const lines = h.lines.map((line): DiffLine => {
      const op = line[0];
      if (op !== " " && op !== "-" && op !== "+") {
        throw new TypeError(`Cannot read diff line '${line}': no texts end without a newline`);
      }
      if (op === "+") added++;
      if (op === "-") removed++;
      return { op, text: line.slice(1) };
    });
    // jsdiff numbers an empty side from the line after it; a unified header, from the one before.
    return {
      oldStart: h.oldLines === 0 ? h.oldStart - 1 : h.oldStart,
      oldLines: h.oldLines,
      newStart: h.newLines === 0 ? h.newStart - 1 : h.newStart,
      newLines: h.newLines,
      lines,
    };
  });
  return { hunks, added, removed, tooLarge: false };
}

/**
 * A hunk's unified-diff header.
 *
 * @example
 * ```ts
 * import { hunkHeader } from "./_diff.ts";
 * import { equal } from "node:assert/strict";
 * equal(hunkHeader({ oldStart: 0, oldLines: 0, newStart: 1, newLines: 2, lines: [] }), "@@ -0,0 +1,2 @@");
 * ```
 *
 * @param hunk A hunk from {@linkcode lineDiff}.
 * @returns `@@ -oldStart,oldLines +newStart,newLines @@`.
 */
export function hunkHeader(hunk: DiffHunk): string {
  return `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
}

/**
 * Formats a diff as unified-diff text (hunk headers and `+`/`-`/` ` lines).
 *
 * @example
 * ```ts
 * import { formatUnifiedDiff, lineDiff } from "./_diff.ts";
 * import { equal } from "node:assert/strict";
 * equal(formatUnifiedDiff(lineDiff("a\n", "b\n")), "@@ -1,1 +1,1 @@\n-a\n+b");
 * ```
 *
 * @param diff A diff from {@linkcode lineDiff}.
 * @returns The text, without a trailing newline.
 */
export function formatUnifiedDiff(diff: LineDiff): string {
  return diff.hunks.map((h) => [hunkHeader(h), ...h.lines.map((l) => l.op + l.text)].join("\n"))
    .join("\n");
}
