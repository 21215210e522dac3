/**
 * The join between the commands and the PostgreSQL job-queue engine (`queue/`): the three
 * things a command asks of a queue, each behind one function. The engine is not built in this
 * branch, so each says so with a clear error; the queue engine's merge replaces their bodies
 * with calls into its client (`submit`, `runQueueWorker`, the status query), and nothing else
 * changes. The queue's URL arrives as a {@linkcode QueueTarget}: `url` holds its credentials
 * and is for the connection only; messages use `redacted` and `scrub`.
 *
 * @module
 */
import type { EvaluationService } from "../utilities/evaluation_service.ts";
import type { QueueTarget } from "./_queue_flag.ts";

/** The queue engine is not part of this build. */
export class QueueEngineMissingError extends Error {
  /** @param queue The queue that was asked for (only its redacted form is shown). */
  constructor(queue: QueueTarget) {
    super(
      `Cannot use the job queue at ${queue.redacted} as the queue engine is not built in this branch: run without --queue (and without STOP_QUEUE_URL) to score programs in local sandboxes`,
    );
    this.name = "QueueEngineMissingError";
  }
}

/**
 * The coordinator's side: leaf evaluations through the queue (build it with
 * `queuedEvaluationService(client.submit, { running, scrub })` from
 * `utilities/evaluation_service.ts`), with `close()` to release its connections.
 *
 * @param queue The queue.
 * @returns The service, connected.
 * @throws {QueueEngineMissingError} Always, in this branch.
 */
export function createQueueEvaluationService(
  queue: QueueTarget,
): Promise<EvaluationService & { close(): Promise<void> }> {
  return Promise.reject(new QueueEngineMissingError(queue));
}

/** What a worker runs: the queue engine's `runQueueWorker` options, as the commands give them. */
export interface QueueWorkerOptions {
  /** Jobs run at once (each holds a sandbox and a core). */
  sandboxes: number;
  /** This worker's sandbox plugin build hash: it takes only jobs that require it. */
  pluginHash: string;
  /** Runs one job's payload (after `validate` accepted it) and returns its result. */
  handle(payload: unknown): Promise<unknown>;
  /** Why a payload must not run (it is then dead-lettered with that reason), or `undefined`. */
  validate(payload: unknown): string | undefined;
  /** Resolves when the worker should stop taking jobs (e.g. on Ctrl-C). */
  stopped: Promise<void>;
  /** Told about each job done or refused, for the worker's log. */
  onJob?(outcome: { key: string; ok: boolean; ms: number; error?: string }): void;
}

/**
 * A worker: takes leaf jobs from the queue until `options.stopped` resolves, then finishes the
 * jobs under way and returns.
 *
 * @param queue The queue.
 * @param options The handler, the validator, the plugin hash and the concurrency.
 * @throws {QueueEngineMissingError} Always, in this branch.
 */
export function runQueueWorkerOn(queue: QueueTarget, options: QueueWorkerOptions): Promise<void> {
  void options;
  return Promise.reject(new QueueEngineMissingError(queue));
}

/** Jobs by state, workers and throughput: what `stop queue status` shows. */
export interface QueueStatus {
  /** Jobs by state. */
  jobs: { waiting: number; running: number; done: number; failed: number; dead: number };
  /** Workers seen, with their last heartbeat (ISO time) and the plugin hash they run. */
  workers: { id: string; lastHeartbeat: string; pluginHash?: string; running?: number }[];
  /** Jobs finished in the last minute. */
  lastMinute: number;
}

/**
 * Reads the queue's state.
 *
 * @param queue The queue.
 * @returns Jobs by state, workers, throughput.
 * @throws {QueueEngineMissingError} Always, in this branch.
 */
export function readQueueStatus(queue: QueueTarget): Promise<QueueStatus> {
  return Promise.reject(new QueueEngineMissingError(queue));
}
