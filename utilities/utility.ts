/**
 * A task's utility as an improver sees it: scores solution sources, with a budget and a use
 * counter kept in the host.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { AuditSink } from "../sandbox/audit_log.ts";
import { hostFailureOf } from "./host_failure.ts";
import type { Evaluation, SolutionRunner, Split, Task } from "./task.ts";
import { type EvaluationService, localEvaluationService } from "./evaluation_service.ts";
import { leafSourceProblem } from "./leaf_job.ts";
import { leafJobOfThisBuild, replayLeafAudit } from "./leaf_evaluation.ts";

/** The paper's utility budget per improver run. */
export const DEFAULT_UTILITY_BUDGET = 25;

/**
 * The hard limit on speculative work per utility or meta-utility object: evaluations started
 * by `prefetch` that nobody has asked for (yet). Every evaluation the improver asks for runs
 * as well, so one object runs at most `budget + DEFAULT_PREFETCH_LIMIT` evaluations; the cost
 * forecast (`lm/cost_forecast.ts`, `prefetchLimit`) counts them. Six is one model call's
 * replies at the paper's `n`.
 */
export const DEFAULT_PREFETCH_LIMIT = 6;

/** How much speculative work a utility did, and how much of it was used. */
export interface Speculation {
  /** Evaluations started by `prefetch`. */
  started: number;
  /** Of those, how many a later `score` call took. */
  used: number;
}

/** A loaded solution program: a runner that must be closed. `Program` satisfies it. */
export interface LoadedSolution extends SolutionRunner {
  /** Releases the program's sandbox. */
  close(): Promise<void>;
}

/** Loads a solution's source into a fresh sandbox (e.g. `sandbox/program.ts`'s `loadProgram`). */
export type SolutionLoader = (source: string) => Promise<LoadedSolution>;

/** Options of {@linkcode Utility}. */
export interface UtilityOptions {
  /**
   * Loads each scored source into a fresh sandbox, in this process (tests' fakes). When given,
   * `evaluations`, `guestSeed` and `watch` are not used.
   * @default {none: each source is scored as a leaf job by `evaluations`}
   */
  load?: SolutionLoader;
  /**
   * Runs each leaf evaluation (`evaluation_service.ts`): local sandboxes or a job queue. Its
   * audit events are recorded into `audit` as they come back. A sandbox that cannot start, or
   * a queue that gives up on a job, stops with a `HostFailureError`.
   * @default {this process's sandboxes, capped by `limiter`}
   */
  evaluations?: EvaluationService;
  /** Seed of the guest's `Math.random` in every evaluation. @default {0} */
  guestSeed?: number;
  /** Run programs with the guest watch (`watched_solution.ts`). @default {true} */
  watch?: boolean;
  /** Calls allowed. @default {25} */
  budget?: number;
  /** Split scored. @default {"val"} */
  split?: Split;
  /** Multiplies every time limit. @default {1} */
  timeScale?: number;
  /** Where `budget_exceeded` and reward-hack events go. @default {none} */
  audit?: AuditSink;
  /** The run's secret instance salt (`instance_salt.ts`). @default {the paper's public seeds} */
  instanceSalt?: string;
  /** Run id or program hash stamped on budget events. @default {none} */
  program?: string;
  /**
   * Caps evaluations in flight across utilities (each holds a sandbox and a core while it
   * runs) when they run in this process (`load`, or the default `evaluations`); a given
   * `evaluations` service schedules its own. @default {no cap}
   */
  limiter?: WorkLimiter;
  /**
   * Speculative evaluations (started by `prefetch`, not asked for yet) allowed at once; see
   * {@linkcode DEFAULT_PREFETCH_LIMIT}. 0 turns prefetching off. @default {6}
   */
  prefetchLimit?: number;
  /**
   * Evaluations shared between utilities, by task, split, time scale and source: a source
   * scored once is not run again (the instances of a split are fixed and the sandbox's
   * `Math.random` is seeded, so a second run would give the same result). @default {none}
   */
  memo?: EvaluationMemo;
}

/** Shared evaluations (see {@linkcode UtilityOptions.memo}). */
export type EvaluationMemo = Map<string, Promise<Evaluation | undefined>>;

/** Something that runs at most a fixed number of tasks at once (`lm/`'s `ConcurrencyLimiter`). */
export interface WorkLimiter {
  /** Runs `task` when a slot is free. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * A task's utility with a host-side budget: each {@linkcode Utility.score} call counts; past
 * the budget it returns 0 without running anything and records `budget_exceeded`.
 *
 * @example
 * ```ts
 * import { Utility } from "./utility.ts";
 * import { stringGridTask } from "./string_grid.ts";
 * import { equal } from "node:assert/strict";
 * const load = () => Promise.reject(new Error("not used"));
 * const utility = new Utility(stringGridTask, { load, budget: 0 });
 * equal(await utility.score("export function algorithm(t) { return t; }"), 0);
 * equal(utility.uses, 1);
 * ```
 */
export class Utility {
  readonly #task: Task;
  readonly #options: UtilityOptions;
  readonly #budget: number;
  #uses = 0;
  #last: Evaluation | undefined;
  readonly #prefetched = new Map<string, Promise<Evaluation | undefined>>();
  readonly #prefetchLimit: number;
  #speculated = 0;
  #claimed = 0;
  #service: EvaluationService | undefined;

  /**
   * @param task The task whose secret evaluator scores.
   * @param options How to load programs, the budget, split, time scale and audit sink.
   * @throws {RangeError} When `budget` or `prefetchLimit` is not a non-negative integer.
   */
  constructor(task: Task, options: UtilityOptions = {}) {
    const budget = options.budget ?? DEFAULT_UTILITY_BUDGET;
    const prefetchLimit = options.prefetchLimit ?? DEFAULT_PREFETCH_LIMIT;
    for (const [name, value] of Object.entries({ budget, prefetchLimit })) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(
          `Cannot create a utility as '${name}' must be a non-negative integer: current value is ${
            String(value)
          }`,
        );
      }
    }
    this.#task = task;
    this.#options = options;
    this.#budget = budget;
    this.#prefetchLimit = prefetchLimit;
  }

  /** Speculative evaluations started so far, and how many of them were used. */
  get speculation(): Speculation {
    return { started: this.#speculated, used: this.#claimed };
  }

  /** The task scored. */
  get task(): Task {
    return this.#task;
  }

  /** Calls allowed. */
  get budget(): number {
    return this.#budget;
  }

  /** Calls made so far (including refused ones). */
  get uses(): number {
    return this.#uses;
  }

  /** The visible description (the paper's `utility.str`). */
  get description(): string {
    return this.#task.description;
  }

  /** The full evaluation behind the latest score, if one ran. */
  get lastEvaluation(): Evaluation | undefined {
    return this.#last;
  }

  /**
   * Waits until every prefetched evaluation nobody asked for has finished, so that their
   * sandboxes are closed and their audit events written before the caller moves on.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#prefetched.values()]);
  }

  /**
   * Starts scoring a source the improver is likely to ask about (e.g. the code block of a
   * model reply it just received), so that candidates evaluate concurrently although the
   * improver asks about them one at a time. Nothing is counted: a later
   * {@linkcode Utility.score} of the exact same text counts as usual and takes this result.
   * Speculation never takes a slot of the budget: every source the improver asks about is
   * evaluated whatever was prefetched. It is bounded instead: at most `prefetchLimit`
   * prefetched sources nobody has asked for exist at once (so at most that many are ever
   * wasted), and none once `budget - uses` are pending.
   *
   * @param source A solution source; anything else is ignored.
   */
  prefetch(source: unknown): void {
    if (typeof source !== "string" || source.trim() === "") return;
    if (this.#prefetched.has(source)) return;
    if (this.#uses + this.#prefetched.size >= this.#budget) return;
    if (this.#speculated - this.#claimed >= this.#prefetchLimit) return;
    this.#speculated++;
    const pending = this.#evaluate(source);
    pending.catch(() => {});
    this.#prefetched.set(source, pending);
  }

  /**
   * Scores one solution source: 0 past the budget (recorded as `budget_exceeded`) or for a
   * source that is not a non-empty string; otherwise the task's secret evaluation on the
   * configured split in a fresh sandbox. Never throws for anything the program does.
   *
   * @throws {HostFailureError} When the sandbox could not start (`./host_failure.ts`).
   */
  async score(source: unknown): Promise<number> {
    this.#uses++;
    this.#last = undefined;
    const { audit, program } = this.#options;
    if (this.#uses > this.#budget) {
      audit?.record({
        kind: "budget_exceeded",
        detail: `utility '${this.#task.id}' called ${this.#uses} times, budget ${this.#budget}`,
        ...(program === undefined ? {} : { program }),
      });
      return 0;
    }
    if (typeof source !== "string" || source.trim() === "") return 0;
    const prefetched = this.#prefetched.get(source);
    if (prefetched !== undefined) this.#claimed++;
    this.#prefetched.delete(source);
    this.#last = await (prefetched ?? this.#evaluate(source));
    return this.#last?.score ?? 0;
  }

  async #evaluate(source: string): Promise<Evaluation | undefined> {
    const { audit, limiter, instanceSalt: salt } = this.#options;
    const load = this.#options.load;
    const work = load === undefined ? () => this.#evaluateJob(source) : async () => {
      let loaded: LoadedSolution;
      try {
        loaded = await load(source);
      } catch (error) {
        // A sandbox that cannot start is the host's failure, not a score of 0 for the program.
        const failure = hostFailureOf(error);
        if (failure !== undefined) throw failure;
        return undefined;
      }
      try {
        return await this.#task.evaluate(loaded, {
          split: this.#options.split ?? "val",
          timeScale: this.#options.timeScale ?? 1,
          ...(audit === undefined ? {} : { audit }),
          ...(salt === undefined ? {} : { instanceSalt: salt }),
        });
      } finally {
        await loaded.close().catch(() => {});
      }
    };
    // The default service takes the limiter itself; a given service schedules its own work.
    const run = () => limiter === undefined || load === undefined ? work() : limiter.run(work);
    const memo = this.#options.memo;
    if (memo === undefined) return await run();
    const key = [
      this.#task.id,
      this.#options.split ?? "val",
      this.#options.timeScale ?? 1,
      salt === undefined ? "public" : createHash("sha256").update(salt).digest("hex"),
      createHash("sha256").update(source).digest("hex"),
      ...(load === undefined ? [this.#options.guestSeed ?? 0, this.#options.watch ?? true] : []),
    ].join("|");
    let pending = memo.get(key);
    if (pending === undefined) {
      pending = run();
      memo.set(key, pending);
    }
    return await pending;
  }

  /** Scores a source as a leaf job through the evaluation service; `undefined`: did not load. */
  async #evaluateJob(source: string): Promise<Evaluation | undefined> {
    // Too big to send as a job: scored as a program that does not load, wherever it would run.
    if (leafSourceProblem(source) !== undefined) return undefined;
    const o = this.#options;
    const job = await leafJobOfThisBuild({
      task: this.#task.id,
      split: o.split ?? "val",
      timeScale: o.timeScale ?? 1,
      ...(o.instanceSalt === undefined ? {} : { instanceSalt: o.instanceSalt }),
      source,
      ...(o.guestSeed === undefined ? {} : { guestSeed: o.guestSeed }),
      ...(o.watch === undefined ? {} : { watch: o.watch }),
    });
    this.#service ??= o.evaluations ??
      localEvaluationService(o.limiter === undefined ? {} : { limiter: o.limiter });
    const result = await this.#service.run(job);
    replayLeafAudit(result, o.audit);
    return result.evaluation ?? undefined;
  }
}
