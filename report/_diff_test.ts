import { deepEqual, equal } from "node:assert/strict";
import { formatUnifiedDiff, lineDiff } from "./_diff.ts";

/** The hunk headers of a diff, as `[oldStart, oldLines, newStart, newLines]`. */
function headers(before: string, after: string, context?: number): number[][] {
  const d = lineDiff(before, after, context === undefined ? {} : { context });
  return d.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines]);
}

// A hunk that covers no line of one side names the line *before* it on that side (0 at the
// top of the file), as `diff -u` and `patch` read it.
Deno.test("lineDiff() numbers a pure insertion's hunk after the line it follows", async (t) => {
  await t.step("into an empty text", () => {
    deepEqual(headers("", "a\nb\n"), [[0, 0, 1, 2]]);
    equal(formatUnifiedDiff(lineDiff("", "a\nb\n")), "@@ -0,0 +1,2 @@\n+a\n+b");
  });
  await t.step("in the middle, without context", () => {
    deepEqual(headers("a\nb\nc\n", "a\nb\nx\nc\n", 0), [[2, 0, 3, 1]]);
  });
  await t.step("at the top, without context", () => {
    deepEqual(headers("a\nb\n", "x\na\nb\n", 0), [[0, 0, 1, 1]]);
  });
  await t.step("at the end, without context", () => {
    deepEqual(headers("a\nb\n", "a\nb\nx\n", 0), [[2, 0, 3, 1]]);
  });
});

Deno.test("lineDiff() numbers a pure deletion's hunk after the line it follows", async (t) => {
  await t.step("down to an empty text", () => {
    deepEqual(headers("a\nb\n", ""), [[1, 2, 0, 0]]);
    equal(formatUnifiedDiff(lineDiff("a\nb\n", "")), "@@ -1,2 +0,0 @@\n-a\n-b");
  });
  await t.step("in the middle, without context", () => {
    deepEqual(headers("a\nb\nx\nc\n", "a\nb\nc\n", 0), [[3, 1, 2, 0]]);
  });
  await t.step("at the top, without context", () => {
    deepEqual(headers("x\na\nb\n", "a\nb\n", 0), [[1, 1, 0, 0]]);
  });
});

Deno.test("lineDiff() keeps the usual numbering when both sides have lines", async (t) => {
  await t.step("an insertion with context", () => {
    deepEqual(headers("a\nb\nc\n", "a\nb\nx\nc\n", 1), [[2, 2, 2, 3]]);
  });
  await t.step("a replacement without context", () => {
    deepEqual(headers("a\nb\nc\n", "a\nB\nc\n", 0), [[2, 1, 2, 1]]);
  });
  await t.step("a missing final newline is not a change", () => {
    deepEqual(headers("a\nb", "a\nb\n"), []);
    deepEqual(headers("a\r\nb\r\n", "a\nb\n"), []);
  });
});
