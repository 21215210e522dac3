/**
 * Running a {@linkcode LeafJob}: what a worker (or the local evaluation service) does with
 * one. The program is loaded into a fresh sandbox, scored by the task's secret evaluator and
 * closed, exactly as a utility does it locally; the audit events it causes are captured in
 * order, so that the coordinator can replay them into its run's audit log as if the
 * evaluation had run there. The result is plain JSON.
 *
 * A host failure (the sandbox could not start) is thrown as a `HostFailureError`, never
 * turned into a result: a result is always a verdict on the program.
 *
 * @module
 */
import { AUDIT_KINDS, type AuditKind, type AuditSink } from "../sandbox/audit_log.ts";
import { loadProgram } from "../sandbox/program.ts";
import { pluginBuildHash } from "../sandbox/plugin_build_hash.ts";
import { evaluatorBuildHash } from "./evaluator_build_hash.ts";
import { hostFailureOf } from "./host_failure.ts";
import { LEAF_JOB_VERSION, type LeafJob, validateLeafJob } from "./leaf_job.ts";
import { getTask, isTaskId } from "./tasks.ts";
import type { Evaluation, SolutionRunner } from "./task.ts";
import { loadWatchedSolution } from "./watched_solution.ts";

/** One audit event as a sandbox recorded it (`AuditSink.record`'s argument), plain JSON. */
export interface LeafAuditEvent {
  kind: AuditKind;
  detail: string;
  program?: string;
  signal?: string;
  count?: number;
}

/** What running a leaf job gives. */
export interface LeafResult {
  /** The evaluation, or `null` when the program could not be loaded (it scores 0). */
  evaluation: Evaluation | null;
  /** The audit events the evaluation recorded, in the order it recorded them. */
  audit: LeafAuditEvent[];
}

/** A leaf job this process will not run: malformed, or meant for another sandbox plugin. */
export class LeafJobRefusedError extends Error {
  /** @param message Why, with both values when they differ. */
  constructor(message: string) {
    super(message);
    this.name = "LeafJobRefusedError";
  }
}

/** An audit sink that keeps every event as plain data, in order. */
class CapturingSink implements AuditSink {
  readonly events: LeafAuditEvent[] = [];
  record(
    event: { kind: AuditKind; detail: string; program?: string; signal?: string; count?: number },
  ): void {
    this.events.push({
      kind: event.kind,
      detail: String(event.detail),
      ...(event.program === undefined ? {} : { program: String(event.program) }),
      ...(event.signal === undefined ? {} : { signal: String(event.signal) }),
      ...(event.count === undefined ? {} : { count: event.count }),
    });
  }
}

/** What a caller chooses of a leaf job; the rest is this process's build and the defaults. */
export type LeafJobSpec =
  & Omit<LeafJob, "version" | "guestSeed" | "watch" | "pluginHash" | "hostHash">
  & {
    /** Seed of the guest's `Math.random`. @default {0} */
    guestSeed?: number;
    /** Run with the guest watch. @default {true} */
    watch?: boolean;
  };

/**
 * A leaf job for this process's build: the current format version and the plugin and
 * host-code build hashes (`pluginBuildHash`, `evaluatorBuildHash`), which every job a run
 * sends must carry.
 *
 * @example
 * ```ts
 * import { leafJobOfThisBuild } from "./leaf_evaluation.ts";
 * import { equal } from "node:assert/strict";
 * const job = await leafJobOfThisBuild({ task: "lpn", split: "val", timeScale: 1, source: "x" });
 * equal(job.watch, true);
 * equal(job.guestSeed, 0);
 * ```
 *
 * @param spec The task, split, time scale, source and the optional fields.
 * @returns The job.
 */
export async function leafJobOfThisBuild(spec: LeafJobSpec): Promise<LeafJob> {
  return {
    ...spec,
    version: LEAF_JOB_VERSION,
    guestSeed: spec.guestSeed ?? 0,
    watch: spec.watch ?? true,
    pluginHash: await pluginBuildHash(),
    hostHash: await evaluatorBuildHash(),
  };
}

/** Options of {@linkcode runLeafJob}. */
export interface RunLeafJobOptions {
  /** This process's plugin build hash. @default {`pluginBuildHash()`} */
  pluginHash?: string;
  /** This process's host-code build hash. @default {`evaluatorBuildHash()`} */
  hostHash?: string;
}

/**
 * Runs one leaf job in a local sandbox: refuses a job that is malformed or whose plugin hash
 * is not this process's; loads the source (with the guest watch when `job.watch`), runs the
 * task's secret evaluator on the job's split, closes the sandbox, and returns the evaluation
 * with the audit events it recorded.
 *
 * @example
 * ```ts ignore
 * import { runLeafJob } from "./leaf_evaluation.ts";
 * import { pluginBuildHash } from "../sandbox/plugin_build_hash.ts";
 * import { evaluatorBuildHash } from "./evaluator_build_hash.ts";
 * const result = await runLeafJob({
 *   version: 1, task: "lpn", split: "val", timeScale: 1, instances: 2,
 *   source: "export function algorithm() { return []; }",
 *   guestSeed: 0, watch: true, pluginHash: await pluginBuildHash(),
 *   hostHash: await evaluatorBuildHash(),
 * });
 * console.log(result.evaluation?.score, result.audit.length);
 * ```
 *
 * @param job The job (checked with `validateLeafJob` first).
 * @param options This process's plugin hash.
 * @returns The evaluation (`null` when the program did not load) and its audit events.
 * @throws {LeafJobRefusedError} When the job is malformed or for another plugin.
 * @throws {HostFailureError} When the sandbox could not start.
 */
export async function runLeafJob(
  job: LeafJob,
  options: RunLeafJobOptions = {},
): Promise<LeafResult> {
  const problem = validateLeafJob(job);
  if (problem !== undefined) throw new LeafJobRefusedError(`Cannot run the leaf job as ${problem}`);
  const own = options.pluginHash ?? await pluginBuildHash();
  if (job.pluginHash !== own) {
    throw new LeafJobRefusedError(
      `Cannot run the leaf job as it is for sandbox plugin '${job.pluginHash}' and this process runs plugin '${own}': run every machine on the same version of the sandbox ('deno task setup' builds it)`,
    );
  }
  const host = options.hostHash ?? await evaluatorBuildHash();
  if (job.hostHash !== host) {
    throw new LeafJobRefusedError(
      `Cannot run the leaf job as it is for the evaluator build '${job.hostHash}' and this process runs build '${host}': run every machine on the same version of the project (the code that scores differs)`,
    );
  }
  const task = getTask(job.task);
  const audit = new CapturingSink();
  let loaded: SolutionRunner & { close(): Promise<void> };
  try {
    loaded = job.watch
      ? await loadWatchedSolution(job.source, { audit, seed: job.guestSeed })
      : await loadProgram(job.source, { audit, seed: job.guestSeed });
  } catch (error) {
    // A sandbox that cannot start is the host's failure, not a score of 0 for the program.
    const failure = hostFailureOf(error);
    if (failure !== undefined) throw failure;
    return { evaluation: null, audit: audit.events };
  }
  let evaluation: Evaluation;
  try {
    evaluation = await task.evaluate(loaded, {
      split: job.split,
      timeScale: job.timeScale,
      audit,
      ...(job.instances === undefined ? {} : { instances: job.instances }),
      ...(job.instanceSalt === undefined ? {} : { instanceSalt: job.instanceSalt }),
    });
  } finally {
    await loaded.close().catch(() => {});
  }
  // As it will be after any transport: plain JSON (no undefined fields), so a local result
  // and one that crossed a queue are the same object.
  return { evaluation: JSON.parse(JSON.stringify(evaluation)), audit: audit.events };
}

/**
 * Records a leaf result's audit events into a sink, in order, as if the evaluation had run
 * here with that sink.
 *
 * @param result The result.
 * @param sink Where they go (nothing happens without one).
 */
export function replayLeafAudit(result: LeafResult, sink: AuditSink | undefined): void {
  if (sink === undefined) return;
  for (const event of result.audit) sink.record({ ...event });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) return key;
  return undefined;
}

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

function evaluationProblem(e: unknown, job: LeafJob | undefined): string | undefined {
  if (!isPlainObject(e)) return "'evaluation' is not an object or null";
  const extra = onlyKeys(e, ["task", "split", "score", "normalizedScore", "instances", "failure"]);
  if (extra !== undefined) return `'evaluation' has an unknown field '${extra.slice(0, 60)}'`;
  if (typeof e.task !== "string" || !isTaskId(e.task)) return "'evaluation.task' is not a task";
  if (e.split !== "val" && e.split !== "test") return "'evaluation.split' is not a split";
  if (job !== undefined && (e.task !== job.task || e.split !== job.split)) {
    return `the evaluation is of ${e.task}/${e.split}, not of the job's ${job.task}/${job.split}`;
  }
  if (!finite(e.score)) return "'evaluation.score' is not a finite number";
  if (e.normalizedScore !== undefined && !finite(e.normalizedScore)) {
    return "'evaluation.normalizedScore' is not a finite number";
  }
  if (e.failure !== undefined && typeof e.failure !== "string") {
    return "'evaluation.failure' is not a string";
  }
  if (!Array.isArray(e.instances)) return "'evaluation.instances' is not an array";
  for (const [i, inst] of e.instances.entries()) {
    if (
      !isPlainObject(inst) || onlyKeys(inst, ["index", "score", "ms", "error"]) !== undefined ||
      !Number.isSafeInteger(inst.index) || !finite(inst.score) || !finite(inst.ms) ||
      (inst.error !== undefined && typeof inst.error !== "string")
    ) {
      return `'evaluation.instances[${i}]' is not an instance result`;
    }
  }
  return undefined;
}

const KINDS: ReadonlySet<string> = new Set(AUDIT_KINDS);

/**
 * Checks a value that claims to be a {@linkcode LeafResult} (e.g. a worker's answer read back
 * from a job queue) and returns it: exactly `{ evaluation, audit }`, the evaluation `null` or
 * of the job's task and split with finite numbers, every audit event of a known kind with a
 * string detail.
 *
 * @param value Anything.
 * @param job The job it answers, to check the task and split against. @default {not checked}
 * @returns The value, typed.
 * @throws {TypeError} When it is not a leaf result, saying why.
 */
export function parseLeafResult(value: unknown, job?: LeafJob): LeafResult {
  const fail = (why: string): never => {
    throw new TypeError(`Cannot use the leaf result as ${why}`);
  };
  if (!isPlainObject(value)) return fail("it is not an object");
  const extra = onlyKeys(value, ["evaluation", "audit"]);
  if (extra !== undefined) fail(`it has an unknown field '${extra.slice(0, 60)}'`);
  if (value.evaluation !== null) {
    const problem = evaluationProblem(value.evaluation, job);
    if (problem !== undefined) fail(problem);
  }
  if (!Array.isArray(value.audit)) return fail("'audit' is not an array");
  for (const [i, event] of value.audit.entries()) {
    const ok = isPlainObject(event) &&
      onlyKeys(event, ["kind", "detail", "program", "signal", "count"]) === undefined &&
      typeof event.kind === "string" && KINDS.has(event.kind) &&
      typeof event.detail === "string" &&
      (event.program === undefined || typeof event.program === "string") &&
      (event.signal === undefined || typeof event.signal === "string") &&
      (event.count === undefined ||
        (typeof event.count === "number" && Number.isSafeInteger(event.count) &&
          event.count >= 1));
    if (!ok) fail(`'audit[${i}]' is not an audit event`);
  }
  return value as unknown as LeafResult;
}
