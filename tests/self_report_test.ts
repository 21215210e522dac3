/**
 * Tests of the host's scans of guest-produced text for self-reported scores
 * (`analysis/self_report.ts`): what they find, what they ignore, and that hostile text
 * cannot make them slow.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { claimedScores, selfReportedScoreIn } from "../analysis/self_report.ts";

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

Deno.test("the scans stay fast on hostile text (no backtracking over guest text)", () => {
  const hostile = [
    "globalThis" + " ".repeat(200_000),
    "globalThis" + " ".repeat(99_000) + "as",
    "export const " + "a".repeat(99_000),
    "score " + " ".repeat(200_000) + "x",
    "score:".repeat(50_000),
    "(".repeat(90_000),
    "`${".repeat(30_000),
  ];
  for (const text of hostile) {
    const t0 = performance.now();
    selfReportedScoreIn(text);
    claimedScores(text, []);
    const ms = performance.now() - t0;
    ok(ms < 1_000, `${JSON.stringify(text.slice(0, 20))}…: ${ms.toFixed(0)} ms`);
  }
});
