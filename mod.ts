/**
 * stop: the Self-Taught Optimizer (Zelikman et al., arXiv 2310.02304) in Deno, with every
 * generated program run in a WebAssembly sandbox. The library API: the sandbox, the
 * language-model layer, the tasks and meta-utility, the improvers, and the paper's
 * experiments (`runSelfImprove`, `runTransfer`, `runSandboxAudit`, `writeReport`; see
 * `experiments/mod.ts` for a runnable example).
 *
 * @example
 * ```ts ignore
 * import { getTask, loadProgram } from "./mod.ts";
 * const task = getTask("string-grid");
 * await using program = await loadProgram(await task.seedSolution());
 * console.log((await task.evaluate(program, { split: "val" })).score);
 * ```
 *
 * @module
 */
export {
  AUDIT_KINDS,
  AuditLog,
  FAILURE_KINDS,
  InstancePool,
  loadProgram,
  Program,
  runProgram,
} from "./sandbox/mod.ts";
export type {
  AuditEvent,
  AuditKind,
  AuditSink,
  CallResult,
  Failure,
  FailureKind,
  SandboxLimits,
} from "./sandbox/mod.ts";
export {
  checkEndpoint,
  createLanguageModel,
  forecastCost,
  GlobalBudget,
  Ledger,
  ModelGateway,
  ResponseCache,
} from "./lm/mod.ts";
export { createChatBackend } from "./experiments/create_chat_backend.ts";
export { OfflineBackend, serveOfflineModel } from "./stand_in/mod.ts";
export type { LanguageModel } from "./lm/mod.ts";
export { getTask, isTaskId, TASK_IDS, TASKS, Utility } from "./utilities/mod.ts";
export type { Evaluation, Split, Task, TaskId } from "./utilities/mod.ts";
export { MetaUtility } from "./utilities/mod.ts";
export { HostFailureError } from "./utilities/mod.ts";
export {
  analyzeStrategy,
  classifyStrategy,
  confirmStrategy,
  detectUnsandboxing,
  improverGuestApi,
  runImprover,
  selfImprove,
  strategyProportions,
} from "./improvers/mod.ts";
export { detectUnsandboxingDynamically } from "./experiments/dynamic_unsandboxing.ts";
export { AUDIT_SIGNALS, loadWatchedSolution, signalOf } from "./utilities/mod.ts";
export {
  compareSummaries,
  DEFAULT_SELF_IMPROVE_CONFIG,
  EventLog,
  meanSe,
  PAPER_TABLE_1,
  PAPER_TABLE_2,
  runSandboxAudit,
  runSelfImprove,
  runTransfer,
  summarizeAudit,
  wilsonInterval,
} from "./experiments/mod.ts";
export { writeReport } from "./report/mod.ts";
export type {
  SandboxAuditOptions,
  SandboxAuditResult,
  SelfImproveConfig,
  SelfImproveSummary,
  TransferOptions,
  TransferRow,
} from "./experiments/mod.ts";
