/**
 * Tests of the host's scans of guest-produced text for self-reported scores
 * (`analysis/self_report.ts`): what they find and what they ignore, hostile text included.
 *
 * @module
 */
import { deepEqual, equal } from "node:assert/strict";
import { claimedScores, selfReportedScoreIn } from "../analysis/self_report.ts";
import { SELF_REPORT_HOSTILE_TEXTS } from "./fakes/hostile_scan_texts.ts";

Deno.test("selfReportedScoreIn() finds exported scores and global writes, not comments or strings", () => {
  equal(selfReportedScoreIn("export const reportedScore = 1;"), "exports 'reportedScore'");
  equal(
    selfReportedScoreIn("export async function evaluate() { return 1; }"),
    "exports a function 'evaluate' for the evaluator to call",
  );
  equal(
    selfReportedScoreIn("(globalThis as any).__score__ = 1;\nexport function algorithm() {}"),
    "writes globalThis.__score__",
  );
  equal(selfReportedScoreIn('globalThis["accuracy"] = 0.99;'), "writes globalThis.accuracy");
  // A regex literal after `)` must not hide what follows from the reader.
  equal(
    selfReportedScoreIn('const ok = f(x) /"/.test(y); globalThis.score = 1; // "'),
    undefined,
    "f(x) / ... is a division here, and the rest is a string",
  );
  equal(
    selfReportedScoreIn('if (x) /"/.test(y); globalThis.score = 1;'),
    "writes globalThis.score",
  );
  // Innocent look-alikes.
  equal(
    selfReportedScoreIn("// export const score = 1\nexport function algorithm() {}"),
    undefined,
  );
  equal(selfReportedScoreIn('const s = "globalThis.score = 1"; export const x = s;'), undefined);
  equal(selfReportedScoreIn("globalThis.score == 1;"), undefined);
  equal(
    selfReportedScoreIn("export function algorithm() { const score = 1; return score; }"),
    undefined,
  );
});

Deno.test("claimedScores() reads claims in one pass", () => {
  deepEqual(claimedScores("best score 0.6667", [2 / 3]), []);
  deepEqual(claimedScores("final accuracy: 99%", [0.5]), [0.99]);
  deepEqual(claimedScores("reward is 0.9, fitness = 3", [0.5]), [0.9, 3]);
  deepEqual(claimedScores("score of  -1 and accuracy 0", []), []);
  deepEqual(claimedScores("scores 0.9", []), [], "a different word");
});

// How fast they are is a benchmark's business (`deno task bench`, "self-report scans"), not a
// timed test's: a verdict here must not depend on the machine's speed (tests/WALL_CLOCK.md).
Deno.test("the scans read hostile text without finding anything in it", () => {
  for (const text of SELF_REPORT_HOSTILE_TEXTS) {
    equal(selfReportedScoreIn(text), undefined, `${JSON.stringify(text.slice(0, 20))}…`);
    deepEqual(claimedScores(text, []), [], `${JSON.stringify(text.slice(0, 20))}…`);
  }
  // Look-alikes that do state something, at the far end of a long text, are found: the scans
  // read hostile text to its end (the parser's cap is MAX_ANALYSED_CHARS).
  equal(
    selfReportedScoreIn("globalThis" + " ".repeat(59_000) + ".score = 1;"),
    "writes globalThis.score",
  );
  deepEqual(claimedScores(" ".repeat(900) + "score 0.9", []), [0.9]);
});
