/**
 * The join between the commands and the PostgreSQL job queue (`queue/`): the three things a
 * command asks of a queue. The queue's URL arrives as a {@linkcode QueueTarget}: `url` holds
 * its credentials and is for the connection only; messages use `redacted` and `scrub`.
 *
 * @module
 */
import type { QueueStatus } from "../queue/queue_status.ts";
import { redactQueueUrl } from "../queue/queue_url.ts";
import {
  type EvaluationService,
  queuedEvaluationService,
} from "../utilities/evaluation_service.ts";
import type { QueueTarget } from "./_queue_flag.ts";

export type { QueueStatus };

/**
 * The engine, loaded when a queue is first used: a command without `--queue` (and the
 * launcher) never loads graphile-worker or the PostgreSQL driver.
 */
const engine = () => import("../queue/mod.ts");

/**
 * The status as text (`queue/queue_status.ts`'s `formatQueueStatus`).
 *
 * @param status From {@linkcode readQueueStatus}.
 * @returns Lines of text.
 */
export async function formatQueueStatus(status: QueueStatus): Promise<string> {
  return (await engine()).formatQueueStatus(status);
}

/**
 * Runs a step of the engine's, rethrowing its failure with the queue named as the commands
 * name it (`QueueTarget.redacted`) and nothing secret left in the message.
 */
async function inCommandTerms<T>(queue: QueueTarget, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = String((error as Error)?.message ?? error)
      .replaceAll(redactQueueUrl(queue.url), queue.redacted);
    throw new Error(queue.scrub(message));
  }
}

/**
 * How long a command waits for an unreachable queue when it starts: it says so at once
 * instead of after the minute a running queue rides out.
 */
export const QUEUE_OPEN_TIMEOUT_MS = 5_000;

/**
 * The coordinator's side: every leaf evaluation goes to the queue as a job keyed by its
 * content, and comes back as the result a worker recorded (`queuedEvaluationService`).
 *
 * @param queue The queue.
 * @param options.onWarning Connection trouble the queue rides out, one line each.
 * @returns The service, connected, with `close()` to release its connections.
 */
export async function createQueueEvaluationService(
  queue: QueueTarget,
  options: { onWarning?: (line: string) => void } = {},
): Promise<EvaluationService & { close(): Promise<void> }> {
  const { openJobQueue } = await engine();
  const client = await inCommandTerms(queue, () =>
    openJobQueue(queue.url, {
      openTimeoutMs: QUEUE_OPEN_TIMEOUT_MS,
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    }));
  const service = queuedEvaluationService(
    (key, payload, requires) => client.submit(key, payload, requires),
    { scrub: queue.scrub },
  );
  return Object.assign(service, { close: () => client.close() });
}

/** What a worker runs, as the `worker` command gives it. */
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
  /** Told about each job its handler ran, for the worker's log. */
  onJob?(outcome: { key: string; ok: boolean; ms: number; error?: string }): void;
  /** The queue's warnings (lost connections, jobs left for another plugin), one line each. */
  log?(line: string): void;
}

/**
 * A worker: takes leaf jobs from the queue until `options.stopped` resolves, then finishes the
 * jobs under way and returns.
 *
 * @param queue The queue.
 * @param options The handler, the validator, the plugin hash and the concurrency.
 * @returns How many jobs this worker recorded.
 */
export async function runQueueWorkerOn(
  queue: QueueTarget,
  options: QueueWorkerOptions,
): Promise<{ jobsDone: number }> {
  const controller = new AbortController();
  void options.stopped.then(() => controller.abort());
  let seq = 0;
  const handle = async (payload: unknown) => {
    const key = `#${++seq}`;
    const started = performance.now();
    try {
      const result = await options.handle(payload);
      options.onJob?.({ key, ok: true, ms: performance.now() - started });
      return result;
    } catch (error) {
      const message = queue.scrub(String((error as Error)?.message ?? error));
      options.onJob?.({ key, ok: false, ms: performance.now() - started, error: message });
      throw error;
    }
  };
  const { runQueueWorker } = await engine();
  const { jobsDone } = await inCommandTerms(queue, () =>
    runQueueWorker({
      url: queue.url,
      concurrency: options.sandboxes,
      pluginHash: options.pluginHash,
      handle,
      validate: options.validate,
      signal: controller.signal,
      openTimeoutMs: QUEUE_OPEN_TIMEOUT_MS,
      ...(options.log === undefined ? {} : { log: options.log }),
    }));
  return { jobsDone };
}

/**
 * Reads the queue's state: jobs by state, dead jobs with their reasons, workers with their
 * last heartbeat, throughput over the last minute.
 *
 * @param queue The queue.
 * @returns The status (its URL without the password).
 */
export function readQueueStatus(queue: QueueTarget): Promise<QueueStatus> {
  return inCommandTerms(queue, async () => (await engine()).queueStatus(queue.url));
}
