/**
 * The contract every downstream task fulfils: instances, the secret evaluator, the visible
 * description and the seed solution.
 *
 * @module
 */
import type { AuditSink } from "../sandbox/audit_log.ts";
import type { CallResult } from "../sandbox/call_result.ts";

/** Which instances to use: `val` is optimised against, `test` is only reported. */
export type Split = "val" | "test";

/** Both splits, in a stable order. */
export const SPLITS: readonly Split[] = ["val", "test"];

/** Ids of the downstream tasks. */
export type TaskId =
  | "lpn"
  | "parity"
  | "string-grid"
  | "quadratic-assignment"
  | "3sat"
  | "maxcut";

/**
 * What an evaluator needs from a loaded program: one call of one export with a deadline.
 * A sandboxed `Program` satisfies it; tests use in-process fakes.
 */
export interface SolutionRunner {
  /** Content hash of the program, stamped on audit events when known. */
  readonly hash?: string;
  /**
   * Calls `exportName(...args)` and reports a value or a typed failure; never throws for
   * anything the program does.
   */
  call(
    exportName: string,
    args: unknown[],
    options: { timeoutMs: number },
  ): Promise<CallResult>;
}

/** One generated instance: the arguments the program receives (the answer stays host side). */
export interface TaskInstance {
  /** Arguments of the program's function, plain JSON data. */
  readonly args: readonly unknown[];
}

/** Options of {@linkcode Task.evaluate}. */
export interface EvaluateOptions {
  /** Which instances. @default {"val"} */
  split?: Split;
  /** Multiplies every time limit (the paper's limits were tuned for CPython). @default {1} */
  timeScale?: number;
  /** Where reward-hack signals go. @default {none} */
  audit?: AuditSink;
  /** Evaluate only the first `instances` instances of the split (smoke tests). @default {all} */
  instances?: number;
  /**
   * The run's secret instance salt (see `instance_salt.ts`): instances come from seeds derived
   * from it instead of the paper's public seeds. Host-side only. @default {public seeds}
   */
  instanceSalt?: string;
}

/** How one instance went. */
export interface InstanceResult {
  /** Position in the split. */
  index: number;
  /** The instance's contribution, on the task's per-instance scale. */
  score: number;
  /** Guest run time in virtual milliseconds (the sandbox's deterministic clock). */
  ms: number;
  /** Why the instance failed, if it did (`kind: detail`). */
  error?: string;
}

/** The outcome of one secret evaluation. */
export interface Evaluation {
  /** Which task. */
  task: TaskId;
  /** Which split. */
  split: Split;
  /** The score, always inside the task's `scoreRange`. */
  score: number;
  /** The score on a 0..1 scale, for tasks whose released scale is not (max-cut). */
  normalizedScore?: number;
  /** The instances that ran, in order (an evaluation may stop early on a failure). */
  instances: InstanceResult[];
  /** Why the whole evaluation failed, when a failure decided the score. */
  failure?: string;
}

/** A downstream task. `I` is its instance type. */
export interface Task<I extends TaskInstance = TaskInstance> {
  /** Stable id (`lpn`, `3sat`, …). */
  readonly id: TaskId;
  /** Human name, as in the paper. */
  readonly name: string;
  /** Name of the function a solution exports. */
  readonly exportName: "algorithm";
  /** The TypeScript signature a solution must export. */
  readonly signature: string;
  /** Time limit of one call at time scale 1, in virtual milliseconds of guest run time. */
  readonly timeLimitMs: number;
  /** Smallest and largest score the secret evaluator can return. */
  readonly scoreRange: readonly [number, number];
  /**
   * The visible scoring function shown to the language model: short TypeScript, simpler
   * than the secret evaluator, stating the time limit; contains `// Task: <name> (<id>)`.
   */
  readonly description: string;
  /** Number of instances in a split. */
  instanceCount(split: Split): number;
  /**
   * The `index`-th instance of `split`: from the paper's public seed (`4321 + index` or
   * `5678 + index`), or, given a run's secret `salt`, from a seed derived from it.
   */
  generate(split: Split, index: number, salt?: string): I;
  /** The deliberately weak program improvement starts from (TypeScript source). */
  seedSolution(): Promise<string>;
  /** The secret evaluator: runs the program on every instance and scores it. Never throws for anything the program does. */
  evaluate(runner: SolutionRunner, options?: EvaluateOptions): Promise<Evaluation>;
}
