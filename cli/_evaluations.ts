/**
 * Where a command's leaf evaluations run: local sandboxes, or the job queue `--queue` names
 * (through `queue_engine.ts`'s hook).
 *
 * @module
 */
import type { EvaluationService } from "../utilities/evaluation_service.ts";
import type { QueueTarget } from "./_queue_flag.ts";
import { createQueueEvaluationService } from "./_queue_engine.ts";

/** A command's evaluation service, and how to release it. */
export interface OpenedEvaluations {
  /** The queue's service, or `undefined` for local sandboxes (every utility's default). */
  evaluations: EvaluationService | undefined;
  /** Releases the queue's connections; nothing for local sandboxes. */
  close(): Promise<void>;
}

/**
 * Opens the evaluation service of a command: the queue's when one is given.
 *
 * @param queue The queue from `--queue` or `STOP_QUEUE_URL`, if any.
 * @param given A service to use instead (a library caller's own, or a test's fake); the caller
 * closes it. @default {the queue's, or local sandboxes}
 * @returns The service (`undefined` for local) and its `close`.
 * @throws {Error} When the queue cannot be reached; the message holds no secret of its URL.
 */
export async function openEvaluations(
  queue: QueueTarget | undefined,
  given?: EvaluationService,
): Promise<OpenedEvaluations> {
  if (given !== undefined) return { evaluations: given, close: () => Promise.resolve() };
  if (queue === undefined) return { evaluations: undefined, close: () => Promise.resolve() };
  let service;
  try {
    service = await createQueueEvaluationService(queue);
  } catch (error) {
    throw new Error(queue.scrub((error as Error).message), { cause: error });
  }
  return { evaluations: service, close: () => service.close() };
}
