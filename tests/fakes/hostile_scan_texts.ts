/**
 * Guest text built to make a backtracking or quadratic scan of the host slow: shared by the
 * scans' tests (what they find in it) and by `deno task bench` (how long they take on it).
 *
 * @module
 */

/** Texts for the self-report scans (`analysis/self_report.ts`). */
export const SELF_REPORT_HOSTILE_TEXTS: readonly string[] = [
  "globalThis" + " ".repeat(200_000),
  "globalThis" + " ".repeat(99_000) + "as",
  "export const " + "a".repeat(99_000),
  "score " + " ".repeat(200_000) + "x",
  "score:".repeat(50_000),
  "(".repeat(90_000),
  "`${".repeat(30_000),
];

/** A prompt for the stand-in's request recogniser: 200k characters of `Task:`. */
export const RECOGNIZER_HOSTILE_TEXT = "Task:".repeat(40_000);
