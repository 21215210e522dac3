/**
 * The paper's experiments as library calls, for use from other Deno programs: the STOP loop
 * on LPN with its run directory (resumable), the transfer table (paper Table 1), the
 * sandbox-circumvention audit (paper Table 2), audit summaries and reports.
 *
 * @example A one-iteration STOP run with the offline stand-in (a test harness, not a
 * language model), written to a temporary run directory
 * ```ts
 * import {
 *   DEFAULT_SELF_IMPROVE_CONFIG,
 *   EventLog,
 *   runSelfImprove,
 * } from "./mod.ts";
 * import { AuditLog } from "../sandbox/mod.ts";
 * import { ModelGateway } from "../lm/mod.ts";
 * import { OfflineBackend } from "../stand_in/mod.ts";
 * import { ok } from "node:assert/strict";
 *
 * const path = await Deno.makeTempDir();
 * const config = {
 *   ...DEFAULT_SELF_IMPROVE_CONFIG,
 *   iterations: 0, // just score the seed improver: T = 0
 *   metaTests: 1,
 *   lmBudget: 1,
 *   responses: 1,
 *   utilityBudget: 1,
 * };
 * const events = await EventLog.open(`${path}/events.jsonl`);
 * const summary = await runSelfImprove({
 *   config,
 *   dir: { id: "example", path },
 *   gateway: new ModelGateway(new OfflineBackend()),
 *   events,
 *   audit: new AuditLog(),
 * });
 * events.close();
 * ok(summary.standIn);
 * ok(summary.iterations[0]!.metaUtility.val >= 0);
 * await Deno.remove(path, { recursive: true });
 * ```
 *
 * @module
 */
export {
  CorruptRunError,
  DEFAULT_SELF_IMPROVE_CONFIG,
  type IterationSummary,
  type LineageEntry,
  prepareResume,
  runSelfImprove,
  type RunSelfImproveOptions,
  type SelfImproveConfig,
  type SelfImproveSummary,
} from "./self_improve_run.ts";
export { EventLog, type RunEvent } from "./event_log.ts";
export { createRunDir, type RunDir, runsRoot } from "./run_dir.ts";
export { compareSummaries } from "./compare_summaries.ts";
export {
  type ImprovedImprover,
  improverFromRun,
  loadImprovedImprover,
  runTransfer,
  type TransferOptions,
  type TransferRow,
} from "./transfer.ts";
export { PAPER_TABLE_1, TRANSFER_TASK_IDS, type TransferTaskId } from "./paper_numbers.ts";
export {
  PAPER_TABLE_2,
  runSandboxAudit,
  SANDBOX_WARNING,
  type SandboxAuditOptions,
  type SandboxAuditResult,
} from "./circumvention.ts";
export { type AuditSummary, summarizeAudit } from "./audit_summary.ts";
export { meanSe, wilsonInterval } from "./stats.ts";
