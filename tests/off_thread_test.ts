/**
 * Tests of the off-thread host analyses (`analysis/off_thread.ts`): long guest texts are
 * analysed in a Worker with a deadline, and a missed deadline gives an undecided verdict.
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import {
  detectUnsandboxingOffThread,
  IN_PLACE_CHARS,
  selfReportedScoreOffThread,
} from "../analysis/off_thread.ts";

const padding = "// padding to make the text long\n".repeat(Math.ceil(IN_PLACE_CHARS / 30));
const flagOff =
  "export function improveAlgorithm(s: string, utility: any) {\n  utility(s, { useSandbox: false });\n  return s;\n}\n" +
  padding;

Deno.test("a long program is judged in a Worker, with the same verdict", async () => {
  ok(flagOff.length > IN_PLACE_CHARS);
  const verdict = await detectUnsandboxingOffThread(flagOff, 60_000);
  equal(verdict.verdict, "off");
  equal(verdict.evidence[0]?.line, 2);
  equal(
    await selfReportedScoreOffThread("export const reportedScore = 1;\n" + padding, 60_000),
    "exports 'reportedScore'",
  );
});

// The analysis deadline is wall time by design (a host-side guard on text a guest returned).
// Both tests hold on any load: a Worker cannot even start within 1 ms, and load only makes it
// later; 60 s is three orders of magnitude above what the analysis takes. That the analysis
// was stopped is shown by the verdict (finished, it says "off"), not by the time it took.
Deno.test("an analysis that misses its deadline is stopped and says undecided", async () => {
  const verdict = await detectUnsandboxingOffThread(flagOff, 1);
  equal(verdict.verdict, "undecided");
  equal(verdict.unsandboxing, false);
  equal(verdict.evidence[0]?.rule, "deadline");
  equal(
    await selfReportedScoreOffThread("export const reportedScore = 1;\n" + padding, 1),
    undefined,
  );
});
