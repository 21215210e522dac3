/**
 * The evaluation loop every task shares: generate, call with the time limit, judge, stop
 * early when a failure decides the whole score, aggregate, clamp.
 *
 * @module
 */
import type { AuditSink } from "../sandbox/audit_log.ts";
import type { Failure } from "../sandbox/call_result.ts";
import { type AuditSignal, hackCategory, recordSignal } from "./audit_signals.ts";
import { hostFailureOf } from "./host_failure.ts";
import { secretSeed } from "./instance_salt.ts";
import type {
  EvaluateOptions,
  Evaluation,
  InstanceResult,
  SolutionRunner,
  Split,
  TaskId,
  TaskInstance,
} from "./task.ts";

/**
 * Seed of the `index`-th instance of a split: the paper's public seed, or, with a run's
 * secret salt, one derived from it (see `instance_salt.ts`).
 */
export function instanceSeed(split: Split, index: number, salt?: string): number {
  return salt === undefined
    ? (split === "val" ? 4321 : 5678) + index
    : secretSeed(salt, split, index);
}

/** What one call produced, as the judge sees it. */
export type Outcome =
  | { kind: "value"; value: unknown; ms: number }
  /** Past the limit; `wall` when the wall-clock backstop, not the virtual clock, stopped it. */
  | { kind: "timeout"; ms: number; message: string; wall?: true }
  | { kind: "error"; ms: number; failure: Failure };

/** A judge's verdict on one instance. */
export type Verdict =
  /** The instance scores `score`; the evaluation goes on. */
  | { score: number; error?: string; hack?: string }
  /** The whole evaluation scores `abort`; it stops here. */
  | { abort: number; error: string; hack?: string };

/** The task-specific parts of an evaluation. */
export interface Rules<I extends TaskInstance> {
  id: TaskId;
  count: (split: Split) => number;
  generate: (split: Split, index: number, salt?: string) => I;
  limitMs: number;
  scoreRange: readonly [number, number];
  /** Score of a program that does not compile or lacks the export. */
  compileFailure: number;
  judge: (instance: I, outcome: Outcome, context: { timeScale: number }) => Verdict;
  /** Final score from the per-instance scores (every instance ran). */
  aggregate: (scores: number[]) => number;
  /** Score on a 0..1 scale, for tasks whose released scale is not. */
  normalize?: (instances: I[], scores: number[]) => number;
}

function clamp(value: number, [low, high]: readonly [number, number]): number {
  if (Number.isNaN(value)) return low;
  return Math.min(high, Math.max(low, value));
}

function describe(failure: Failure): string {
  return `${failure.kind}: ${failure.message}`;
}

/**
 * Records a reward-hack signal of one instance under its category, stamped with the
 * program's hash as the sandbox stamps it (the first 16 hex digits).
 */
function flag(
  audit: AuditSink | undefined,
  runner: SolutionRunner,
  id: TaskId,
  index: number,
  hack: string | undefined,
  signal: AuditSignal = hack === undefined ? "type-mismatch" : hackCategory(hack),
): void {
  if (hack === undefined || audit === undefined) return;
  recordSignal(audit, signal, `${id} instance ${index}: ${hack}`, runner.hash?.slice(0, 16));
}

/**
 * An answer value outside the task's domain, read from a judge's `bad_answer` message
 * (`utilities/_validate.ts` writes `element i is v, not one of …` for a refused element);
 * only finite numbers count (strings, objects and non-finite numbers are other signals).
 */
function outOfRange(verdict: Verdict): string | undefined {
  if (verdict.hack !== undefined || verdict.error === undefined) return undefined;
  const m = /^bad_answer: .*?element (\d+) is (-?\d[\d.e+-]*), not one of (.*)$/s.exec(
    verdict.error,
  );
  return m === null ? undefined : `element ${m[1]} is ${m[2]}, outside ${m[3]}`;
}

async function callOnce(
  runner: SolutionRunner,
  args: unknown[],
  timeoutMs: number,
): Promise<Outcome> {
  let result;
  try {
    result = await runner.call("algorithm", args, { timeoutMs });
  } catch (error) {
    // The host's own failure (no sandbox could start) is not the program's crash.
    const failure = hostFailureOf(error);
    if (failure !== undefined) throw failure;
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "error", ms: 0, failure: { kind: "crashed", message } };
  }
  const ms = Number.isFinite(result.guestMs) ? Math.max(0, result.guestMs) : 0;
  if (!result.ok) {
    if (result.failure.kind === "timeout") {
      return { kind: "timeout", ms, message: result.failure.message };
    }
    if (result.failure.kind === "wall_timeout") {
      // Work the virtual clock does not count yet (a native built-in): scored as a timeout.
      return { kind: "timeout", ms, message: result.failure.message, wall: true };
    }
    return { kind: "error", ms, failure: result.failure };
  }
  if (ms > timeoutMs) {
    return { kind: "timeout", ms, message: `ran ${Math.round(ms)} ms, limit ${timeoutMs} ms` };
  }
  return { kind: "value", value: result.value, ms };
}

/**
 * Runs a program on the instances of a split and scores it by the task's rules.
 *
 * @throws {RangeError} When `timeScale` or `instances` is not a positive number.
 */
export async function runEvaluation<I extends TaskInstance>(
  rules: Rules<I>,
  runner: SolutionRunner,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const split = options.split ?? "val";
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new RangeError(
      `Cannot evaluate as 'timeScale' must be a positive number: current value is ${
        String(timeScale)
      }`,
    );
  }
  let count = rules.count(split);
  if (options.instances !== undefined) {
    if (!Number.isSafeInteger(options.instances) || options.instances < 1) {
      throw new RangeError(
        `Cannot evaluate as 'instances' must be a positive integer: current value is ${
          String(options.instances)
        }`,
      );
    }
    count = Math.min(count, options.instances);
  }
  const limitMs = rules.limitMs * timeScale;
  const results: InstanceResult[] = [];
  const instances: I[] = [];
  let outOfRangeFlagged = false;
  const done = (score: number, failure?: string): Evaluation => {
    const [low, high] = rules.scoreRange;
    if (!(Number.isFinite(score) && score >= low && score <= high)) {
      // Impossible by construction (every judge validates exactly); if it happens anyway the
      // score is clamped and the evaluation is recorded, as the paper's >100% LPN score was.
      flag(
        options.audit,
        runner,
        rules.id,
        results.length,
        `raw score ${score} outside [${low}, ${high}], clamped`,
        "out-of-range",
      );
    }
    return evaluation(score, failure);
  };
  const evaluation = (score: number, failure?: string): Evaluation => ({
    task: rules.id,
    split,
    score: clamp(score, rules.scoreRange),
    ...(rules.normalize === undefined ? {} : {
      normalizedScore: failure === undefined
        ? clamp(rules.normalize(instances, results.map((r) => r.score)), [0, 1])
        : 0,
    }),
    instances: results,
    ...(failure === undefined ? {} : { failure }),
  });

  for (let index = 0; index < count; index++) {
    const instance = rules.generate(split, index, options.instanceSalt);
    const outcome = await callOnce(runner, [...instance.args], limitMs);
    if (
      outcome.kind === "error" &&
      (outcome.failure.kind === "compile_error" || outcome.failure.kind === "missing_export")
    ) {
      const error = describe(outcome.failure);
      results.push({ index, score: 0, ms: outcome.ms, error });
      return done(rules.compileFailure, error);
    }
    let verdict: Verdict;
    try {
      verdict = rules.judge(instance, outcome, { timeScale });
    } catch (error) {
      // A judge bug must not become an uncaught error; score the instance as failed.
      const message = error instanceof Error ? error.message : String(error);
      verdict = { abort: rules.scoreRange[0], error: `judge_error: ${message}` };
    }
    flag(options.audit, runner, rules.id, index, verdict.hack);
    const outside = outOfRange(verdict);
    if (outside !== undefined && !outOfRangeFlagged) {
      // Once per evaluation: an off-by-one program would otherwise flag every instance.
      outOfRangeFlagged = true;
      flag(options.audit, runner, rules.id, index, outside, "out-of-range");
    }
    if ("abort" in verdict) {
      results.push({ index, score: 0, ms: outcome.ms, error: verdict.error });
      return done(verdict.abort, verdict.error);
    }
    const score = Number.isFinite(verdict.score) ? verdict.score : 0;
    results.push({
      index,
      score,
      ms: outcome.ms,
      ...(verdict.error === undefined ? {} : { error: verdict.error }),
    });
    instances.push(instance);
  }
  return done(rules.aggregate(results.map((r) => r.score)));
}

/** Describes a non-value outcome as an instance error string. */
export function outcomeError(outcome: Exclude<Outcome, { kind: "value" }>): string {
  if (outcome.kind === "timeout") {
    return `${outcome.wall ? "wall_timeout" : "timeout"}: ${outcome.message}`;
  }
  return describe(outcome.failure);
}

/** The arithmetic mean (0 for no values). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let total = 0;
  for (const v of values) total += v;
  return total / values.length;
}
