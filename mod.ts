/**
 * stop: the Self-Taught Optimizer (Zelikman et al., arXiv 2310.02304) in Deno, with every
 * generated program run in a WebAssembly sandbox. The library API: the sandbox, the
 * language-model layer, the tasks and meta-utility, and the improvers.
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
export { AuditLog, InstancePool, loadProgram, Program, runProgram } from "./sandbox/mod.ts";
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
  createChatBackend,
  createLanguageModel,
  forecastCost,
  GlobalBudget,
  Ledger,
  ModelGateway,
  OfflineBackend,
  ResponseCache,
  serveOfflineModel,
} from "./lm/mod.ts";
export type { LanguageModel } from "./lm/mod.ts";
export { getTask, isTaskId, TASK_IDS, TASKS, Utility } from "./utilities/mod.ts";
export type { Evaluation, Split, Task, TaskId } from "./utilities/mod.ts";
export { MetaUtility } from "./utilities/mod.ts";
export { classifyStrategy, improverGuestApi, runImprover, selfImprove } from "./improvers/mod.ts";
