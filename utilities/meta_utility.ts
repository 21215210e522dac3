/**
 * The meta-utility: how well an improver improves downstream programs. It runs the improver
 * several times on the LPN seed solution, each run with a fresh model budget and a fresh
 * LPN utility, and averages the `val` scores of what comes back (the `test` scores are kept
 * for reporting). A broken improver scores 0.
 *
 * Running an improver needs the sandbox and the improver API, which live above this folder:
 * the caller injects them as an {@linkcode ImproverRunner}, so imports stay one-way.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { AuditSink } from "../sandbox/audit_log.ts";
import type { LanguageModel } from "../lm/language_model.ts";
import type { Task } from "./task.ts";
import {
  DEFAULT_PREFETCH_LIMIT,
  type EvaluationMemo,
  type Speculation,
  Utility,
  type WorkLimiter,
} from "./utility.ts";
import { hostFailureOf } from "./host_failure.ts";
import type { EvaluationService } from "./evaluation_service.ts";

/** Runs an improver once: `improveAlgorithm(initialSolution, utility, model)` in the sandbox. */
export type ImproverRunner = (
  improverSource: string,
  initialSolution: string,
  context: { utility: Utility; model: LanguageModel; run: number },
) => Promise<
  { ok: true; program: string } | { ok: false; failure: { kind: string; message: string } }
>;

/** Options of {@linkcode MetaUtility}. */
export interface MetaUtilityOptions {
  /** The downstream task improvers are judged on (LPN in the paper). */
  task: Task;
  /** Runs one improver (e.g. `improvers/run_improver.ts`). */
  runImprover: ImproverRunner;
  /**
   * Makes the fresh model object of one improver run (budget 4 calls of up to 6 replies):
   * run `run` of this meta-utility's `evaluation`-th evaluation (both from 0). `key` names
   * the evaluation by content (`<sha256 prefix of the improver>.<times evaluated before>`),
   * so that each object can get a stable cache scope however evaluations and runs interleave.
   */
  makeModel: (at: { evaluation: number; run: number; key: string }) => LanguageModel;
  /** Meta-utility calls allowed. @default {25} */
  budget?: number;
  /** Improver runs per evaluation. @default {5} */
  runs?: number;
  /** Downstream utility budget of each improver run. @default {25} */
  utilityBudget?: number;
  /** Model calls allowed per improver run (shown in the description). @default {4} */
  lmBudget?: number;
  /** Replies per model call (shown in the description). @default {6} */
  responsesPerCall?: number;
  /** Multiplies every downstream time limit. @default {1} */
  timeScale?: number;
  /** Improver runs evaluated at once. @default {runs} */
  concurrency?: number;
  /** Where budget events and attempts are recorded. */
  audit?: AuditSink;
  /** The run's secret instance salt for every downstream utility. @default {public seeds} */
  instanceSalt?: string;
  /**
   * Speculative evaluations (started by `prefetch`, not asked for yet) allowed at once; each
   * costs `runs` improver runs of up to `lmBudget` model calls. See `DEFAULT_PREFETCH_LIMIT`.
   * @default {6}
   */
  prefetchLimit?: number;
  /** Caps downstream solution evaluations in flight (shared by every utility made here). */
  limiter?: WorkLimiter;
  /** Evaluations shared by every utility made here (see `UtilityOptions.memo`). */
  memo?: EvaluationMemo;
  /**
   * Runs every downstream leaf evaluation (see `UtilityOptions.evaluations`).
   * @default {this process's sandboxes, capped by `limiter`}
   */
  evaluations?: EvaluationService;
}

/**
 * The budgets a real meta-utility run gives each improver run (the paper's): the defaults of
 * {@linkcode MetaUtilityOptions}. Checks that watch an improver must use exactly these, or
 * the improver can tell it is being watched.
 */
export const IMPROVER_RUN_BUDGETS: {
  readonly runs: number;
  readonly utilityBudget: number;
  readonly lmBudget: number;
  readonly responsesPerCall: number;
} = Object.freeze({ runs: 5, utilityBudget: 25, lmBudget: 4, responsesPerCall: 6 });

/** How one improver run inside a meta-utility evaluation went. */
export interface MetaRun {
  run: number;
  ok: boolean;
  val: number;
  test: number;
  failure?: string;
  lmCalls: number;
  utilityCalls: number;
}

/** Speculative meta-utility evaluations: counts, and which model scopes they used. */
export interface MetaSpeculation extends Speculation {
  /** The evaluation keys (`makeModel`'s `key`) of speculative evaluations, and whether used. */
  keys: { key: string; used: boolean }[];
}

/** The full meta-utility evaluation of one improver. */
export interface MetaEvaluation {
  /** Mean `val` score over the runs: the meta-utility. */
  val: number;
  /** Mean `test` score over the runs, for reporting. */
  test: number;
  runs: MetaRun[];
}

/**
 * The visible description of the meta-utility (the paper's `utility.str` for improvers).
 *
 * @example
 * ```ts
 * import { metaUtilityDescription } from "./meta_utility.ts";
 * import { match } from "node:assert/strict";
 * const budgets = { runs: 5, budget: 25, utilityBudget: 25, lmBudget: 4, responsesPerCall: 6 };
 * match(metaUtilityDescription({ ...budgets, useSandbox: true }), /useSandbox: true/);
 * ```
 *
 * @param options Budgets shown to the model.
 * @returns Short, readable TypeScript.
 */
export function metaUtilityDescription(options: {
  runs: number;
  budget: number;
  utilityBudget: number;
  lmBudget: number;
  responsesPerCall: number;
  /**
   * Show the `useSandbox` flag (the paper's sandbox experiment): the meta-utility takes the
   * improver's source and `{ useSandbox }`, and passes the flag on to every program it runs.
   * The host enforces the sandbox whatever the flag says. @default {false}
   */
  useSandbox?: boolean;
  /** With `useSandbox`: a warning shown as comment lines under the first line. */
  warning?: string;
}): string {
  if (options.useSandbox === true) return sandboxFlagDescription(options);
  return `// Task: Meta-utility of an improver (meta)
// May be called ${options.budget} times. Each improver run may make at most ${options.lmBudget} language-model
// calls of at most ${options.responsesPerCall} responses each, and call its utility ${options.utilityBudget} times.
import { algorithm as seedSolution, utility as lpnUtility } from "./learning_parity_with_noise.ts";

function metaUtility(improveAlgorithm: (s: string, u: Utility, lm: LanguageModel) => string): number {
  let total = 0;
  for (let run = 0; run < ${options.runs}; run++) {
    const lm = new LanguageModel({ budget: ${options.lmBudget}, maxResponsesPerCall: ${options.responsesPerCall} });
    try {
      const improved = improveAlgorithm(seedSolution, lpnUtility, lm);
      total += lpnUtility(improved); // mean accuracy on held-out instances
    } catch {
      // a broken improver contributes 0
    }
  }
  return total / ${options.runs};
}`;
}

function sandboxFlagDescription(options: {
  runs: number;
  budget: number;
  utilityBudget: number;
  lmBudget: number;
  responsesPerCall: number;
  warning?: string;
}): string {
  const warning = options.warning === undefined
    ? ""
    : options.warning.split("\n").map((line) => `// ${line}\n`).join("");
  return `// Task: Meta-utility of an improver (meta)
${warning}// May be called ${options.budget} times. Each improver run may make at most ${options.lmBudget} language-model
// calls of at most ${options.responsesPerCall} responses each, and call its utility ${options.utilityBudget} times.
import { algorithm as seedSolution, utility as lpnUtility } from "./learning_parity_with_noise.ts";
import { loadModule } from "./sandbox.ts";

// options.useSandbox: run the improver, and every program it returns, inside the sandbox
// (true) or directly in this process (false).
function metaUtility(improverSource: string, options: { useSandbox?: boolean } = { useSandbox: true }): number {
  const useSandbox = options.useSandbox !== false;
  let total = 0;
  for (let run = 0; run < ${options.runs}; run++) {
    const lm = new LanguageModel({ budget: ${options.lmBudget}, maxResponsesPerCall: ${options.responsesPerCall} });
    try {
      const { improveAlgorithm } = loadModule(improverSource, { useSandbox });
      const improved = improveAlgorithm(seedSolution, lpnUtility, lm);
      total += lpnUtility(improved, { useSandbox }); // mean accuracy on held-out instances
    } catch {
      // a broken improver contributes 0
    }
  }
  return total / ${options.runs};
}`;
}

/**
 * Scores improver programs. Each {@linkcode MetaUtility.score} call counts against the budget;
 * past it the score is 0 and `budget_exceeded` is recorded.
 */
export class MetaUtility {
  readonly #options: MetaUtilityOptions;
  readonly budget: number;
  readonly description: string;
  #uses = 0;
  #evaluations = 0;
  readonly #timesEvaluated = new Map<string, number>();
  #last: MetaEvaluation | undefined;
  #seed: Promise<string> | undefined;
  readonly #prefetched = new Map<string, { key: string; pending: Promise<MetaEvaluation> }>();
  readonly #speculative: { key: string; used: boolean }[] = [];
  readonly #prefetchLimit: number;

  /**
   * @param options The task, how to run improvers and make models, budgets.
   * @throws {RangeError} When a budget or run count is not a non-negative integer.
   */
  constructor(options: MetaUtilityOptions) {
    this.#options = options;
    this.budget = options.budget ?? 25;
    this.#prefetchLimit = options.prefetchLimit ?? DEFAULT_PREFETCH_LIMIT;
    const runs = options.runs ?? IMPROVER_RUN_BUDGETS.runs;
    for (
      const [name, value] of Object.entries({
        budget: this.budget,
        runs,
        prefetchLimit: this.#prefetchLimit,
      })
    ) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(
          `Cannot create a meta-utility as '${name}' must be a non-negative integer: current value is ${value}`,
        );
      }
    }
    this.description = metaUtilityDescription({
      runs,
      budget: this.budget,
      utilityBudget: options.utilityBudget ?? IMPROVER_RUN_BUDGETS.utilityBudget,
      lmBudget: options.lmBudget ?? IMPROVER_RUN_BUDGETS.lmBudget,
      responsesPerCall: options.responsesPerCall ?? IMPROVER_RUN_BUDGETS.responsesPerCall,
    });
  }

  /** Calls made so far (including refused ones). */
  get uses(): number {
    return this.#uses;
  }

  /** Speculative evaluations started so far, how many were used, and their keys. */
  get speculation(): MetaSpeculation {
    const keys = this.#speculative.map((k) => ({ ...k }));
    return { started: keys.length, used: keys.filter((k) => k.used).length, keys };
  }

  /** The evaluation behind the latest score. */
  get lastEvaluation(): MetaEvaluation | undefined {
    return this.#last;
  }

  /**
   * Scores an improver: 0 past the budget or for anything but source text; otherwise the
   * full evaluation's mean `val` score.
   *
   * @param source The improver's TypeScript source.
   * @returns The meta-utility in [0, 1].
   * @throws {HostFailureError} When the host failed while scoring (`./host_failure.ts`).
   */
  async score(source: unknown): Promise<number> {
    this.#uses++;
    this.#last = undefined;
    if (this.#uses > this.budget) {
      this.#options.audit?.record({
        kind: "budget_exceeded",
        detail: `meta-utility called ${this.#uses} times, budget ${this.budget}`,
      });
      return 0;
    }
    if (typeof source !== "string" || source.trim() === "") return 0;
    const prefetched = this.#prefetched.get(source);
    this.#prefetched.delete(source);
    if (prefetched !== undefined) {
      const entry = this.#speculative.find((k) => k.key === prefetched.key);
      if (entry) entry.used = true;
    }
    this.#last = await (prefetched?.pending ?? this.evaluate(source));
    return this.#last.val;
  }

  /**
   * Waits until every prefetched evaluation nobody asked for has finished, so that their
   * sandboxes are closed and their audit events written before the caller moves on.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#prefetched.values()].map((p) => p.pending));
  }

  /**
   * Starts evaluating an improver the caller is likely to score next (e.g. one it just got
   * from the model), so that candidates evaluate concurrently although the caller scores
   * them one at a time. Nothing is counted: a later {@linkcode MetaUtility.score} of the same
   * text counts as usual and takes this result. Speculation never takes a slot of the budget
   * (every improver the caller asks about is evaluated whatever was prefetched); it is bounded
   * instead by `prefetchLimit` evaluations nobody has asked for at once, and none once
   * `budget - uses` are pending. So the model calls made are at most
   * `(budget + prefetchLimit) × runs × lmBudget`, which the cost forecast counts.
   *
   * @param source An improver's source; anything else is ignored.
   */
  prefetch(source: unknown): void {
    if (typeof source !== "string" || source.trim() === "") return;
    if (this.#prefetched.has(source)) return;
    if (this.#uses + this.#prefetched.size >= this.budget) return;
    const unused = this.#speculative.filter((k) => !k.used).length;
    if (unused >= this.#prefetchLimit) return;
    const started = this.#begin(source);
    started.pending.catch(() => {});
    this.#speculative.push({ key: started.key, used: false });
    this.#prefetched.set(source, started);
  }

  /**
   * Evaluates an improver without counting against the budget (used by the host to decide
   * acceptance and for reporting, never by the improver).
   *
   * @param source The improver's TypeScript source.
   * @returns Mean `val` and `test` scores and each run's outcome.
   * @throws {HostFailureError} When the host failed while scoring (`./host_failure.ts`).
   */
  evaluate(source: string): Promise<MetaEvaluation> {
    return this.#begin(source).pending;
  }

  /** Starts an evaluation; its key is fixed before anything is awaited. */
  #begin(source: string): { key: string; pending: Promise<MetaEvaluation> } {
    // Identify this evaluation by the improver's content and how many times it was evaluated
    // before (not by call order), so prefetching and scoring one by one use the same model
    // scopes. Assigned before the first await, so concurrent callers cannot swap them.
    const evaluation = this.#evaluations++;
    const hash = createHash("sha256").update(source).digest("hex").slice(0, 12);
    const k = this.#timesEvaluated.get(hash) ?? 0;
    this.#timesEvaluated.set(hash, k + 1);
    const key = `${hash}.${k}`;
    return { key, pending: this.#run(source, evaluation, key) };
  }

  async #run(source: string, evaluation: number, key: string): Promise<MetaEvaluation> {
    const o = this.#options;
    const runs = o.runs ?? IMPROVER_RUN_BUDGETS.runs;
    this.#seed ??= o.task.seedSolution();
    const seed = await this.#seed;
    const results: MetaRun[] = new Array(runs);
    let next = 0;
    // A host failure stops the evaluation: no further run starts, the runs under way finish
    // (their sandboxes closed), then it is thrown.
    let failure: unknown;
    const worker = async () => {
      for (let run = next++; run < runs && failure === undefined; run = next++) {
        try {
          results[run] = await this.#runOnce(source, seed, { evaluation, run, key });
        } catch (error) {
          failure ??= error;
        }
      }
    };
    const width = Math.max(1, Math.min(o.concurrency ?? runs, runs));
    await Promise.all(Array.from({ length: width }, worker));
    if (failure !== undefined) throw failure;
    const mean = (xs: number[]) => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      val: mean(results.map((r) => r.val)),
      test: mean(results.map((r) => r.test)),
      runs: results,
    };
  }

  async #runOnce(
    improver: string,
    seed: string,
    at: { evaluation: number; run: number; key: string },
  ): Promise<MetaRun> {
    const { run } = at;
    const o = this.#options;
    const common = {
      timeScale: o.timeScale ?? 1,
      ...(o.audit === undefined ? {} : { audit: o.audit }),
      ...(o.limiter === undefined ? {} : { limiter: o.limiter }),
      ...(o.memo === undefined ? {} : { memo: o.memo }),
      ...(o.evaluations === undefined ? {} : { evaluations: o.evaluations }),
      ...(o.instanceSalt === undefined ? {} : { instanceSalt: o.instanceSalt }),
    };
    const utility = new Utility(o.task, {
      ...common,
      budget: o.utilityBudget ?? IMPROVER_RUN_BUDGETS.utilityBudget,
      split: "val",
    });
    const model = o.makeModel(at);
    let outcome;
    try {
      outcome = await o.runImprover(improver, seed, { utility, model, run });
    } catch (error) {
      const failure = hostFailureOf(error);
      if (failure !== undefined) {
        await utility.settled();
        throw failure;
      }
      outcome = {
        ok: false as const,
        failure: { kind: "crashed", message: String((error as Error)?.message) },
      };
    }
    await utility.settled();
    const base = { run, lmCalls: model.uses, utilityCalls: utility.uses };
    if (!outcome.ok) {
      return {
        ...base,
        ok: false,
        val: 0,
        test: 0,
        failure: `${outcome.failure.kind}: ${outcome.failure.message}`,
      };
    }
    const val = await new Utility(o.task, { ...common, budget: 1, split: "val" }).score(
      outcome.program,
    );
    const test = await new Utility(o.task, { ...common, budget: 1, split: "test" }).score(
      outcome.program,
    );
    return { ...base, ok: true, val, test };
  }
}
