/**
 * What a replay must reproduce of a self-improvement run, compared number by number.
 *
 * @module
 */
import type { SelfImproveSummary } from "./self_improve_run.ts";

/**
 * Lists how two summaries of the same run differ in what a replay must reproduce: per
 * iteration acceptance, meta-utility (mean and standard error), strategy and model requests;
 * the lineage; the best improver. Wall time, cost and the audit of the process are not
 * compared (a replay pays nothing).
 *
 * @example
 * ```ts
 * import { compareSummaries } from "./compare_summaries.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(compareSummaries({ iterations: [], lineage: [] }, { iterations: [], lineage: [] }), []);
 * ```
 *
 * @param original The finished run's summary.
 * @param replayed The replay's summary.
 * @returns One line per difference; empty when the replay reproduced the run.
 */
export function compareSummaries(
  original: Pick<SelfImproveSummary, "iterations" | "lineage"> & { best?: unknown },
  replayed: Pick<SelfImproveSummary, "iterations" | "lineage"> & { best?: unknown },
): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (original.iterations.length !== replayed.iterations.length) {
    out.push(`iterations: ${original.iterations.length} vs ${replayed.iterations.length}`);
  }
  for (const [i, a] of original.iterations.entries()) {
    const b = replayed.iterations[i];
    if (b === undefined) continue;
    for (const field of ["accepted", "metaUtility", "se", "strategy", "chatRequests"] as const) {
      if (!same(a[field], b[field])) {
        out.push(
          `T=${a.t} ${field}: ${JSON.stringify(a[field])} vs ${JSON.stringify(b[field])}`,
        );
      }
    }
  }
  if (original.lineage.length !== replayed.lineage.length) {
    out.push(`lineage: ${original.lineage.length} vs ${replayed.lineage.length} steps`);
  }
  for (const [i, a] of original.lineage.entries()) {
    const b = replayed.lineage[i];
    if (b === undefined) continue;
    for (const field of ["accepted", "reason", "metaUtility", "candidateMetaUtility"] as const) {
      if (!same(a[field], b[field])) {
        out.push(
          `run ${a.run} T=${a.t} ${field}: ${JSON.stringify(a[field])} vs ${
            JSON.stringify(b[field])
          }`,
        );
      }
    }
  }
  if (!same(original.best, replayed.best)) {
    out.push(`best: ${JSON.stringify(original.best)} vs ${JSON.stringify(replayed.best)}`);
  }
  return out;
}
