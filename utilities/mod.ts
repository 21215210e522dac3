/**
 * The paper's downstream tasks: seeded instance generators, secret evaluators that validate
 * a program's answers exactly, visible descriptions shown to the language model, seed
 * solutions, and the host-side utility with its budget.
 *
 * ```ts
 * import { getTask } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 * equal(getTask("lpn").instanceCount("test"), 50);
 * ```
 *
 * @module
 */
export {
  type EvaluateOptions,
  type Evaluation,
  type InstanceResult,
  type SolutionRunner,
  type Split,
  SPLITS,
  type Task,
  type TaskId,
  type TaskInstance,
} from "./task.ts";
export { getTask, isTaskId, TASK_IDS, TASKS } from "./tasks.ts";
export {
  DEFAULT_UTILITY_BUDGET,
  type LoadedSolution,
  type SolutionLoader,
  Utility,
  type UtilityOptions,
} from "./utility.ts";
export { SeededRandom } from "../common/seeded_random.ts";
export { HostFailureError, hostFailureOf, type HostFailureSource } from "./host_failure.ts";
export { LPN_FAILURE_SCORE, lpnTask } from "./lpn.ts";
export { parityTask } from "./parity.ts";
export { type ParityInstance } from "./_parity_instance.ts";
export { type StringGridInstance, stringGridTask } from "./string_grid.ts";
export { gridDistance } from "./grid_distance.ts";
export {
  QAP_FAILURE_SCORE,
  QAP_LAMBDA,
  QAP_SIZE,
  type QuadraticAssignmentInstance,
  quadraticAssignmentObjective,
  quadraticAssignmentTask,
} from "./quadratic_assignment.ts";
export {
  satisfiesFormula,
  THREE_SAT_FAILURE_SCORE,
  type ThreeSatInstance,
  threeSatTask,
} from "./three_sat.ts";
export { cutWeight, MAXCUT_FAILURE_SCORE, type MaxCutInstance, maxCutTask } from "./maxcut.ts";
export {
  type ImproverRunner,
  type MetaEvaluation,
  type MetaRun,
  MetaUtility,
  metaUtilityDescription,
  type MetaUtilityOptions,
} from "./meta_utility.ts";
export { AUDIT_SIGNALS, type AuditSignal, signalOf } from "./audit_signals.ts";
export { loadWatchedSolution } from "./watched_solution.ts";
export {
  LEAF_JOB_VERSION,
  type LeafJob,
  leafJobKey,
  MAX_LEAF_SOURCE_BYTES,
  MAX_LEAF_TIME_SCALE,
  validateLeafJob,
} from "./leaf_job.ts";
export {
  type LeafAuditEvent,
  LeafJobRefusedError,
  type LeafResult,
  parseLeafResult,
  replayLeafAudit,
  runLeafJob,
} from "./leaf_evaluation.ts";
export {
  type EvaluationService,
  type EvaluationStats,
  localEvaluationService,
  queuedEvaluationService,
  type QueueSubmit,
} from "./evaluation_service.ts";
