/**
 * Where leaf evaluations run: an {@linkcode EvaluationService} takes a `LeafJob` and gives
 * its `LeafResult`. The local service runs it in this process's sandboxes (the default
 * everywhere); {@linkcode queuedEvaluationService} sends it through a job queue's `submit`
 * to workers on any machine. Either way the caller replays the result's audit events into
 * its own audit sink, so a run's `audit.jsonl` does not depend on where its programs ran.
 *
 * @module
 */
import { HostFailureError } from "./host_failure.ts";
import { type LeafJob, leafJobBuild, leafJobKey } from "./leaf_job.ts";
import { type LeafResult, parseLeafResult, runLeafJob } from "./leaf_evaluation.ts";
import type { WorkLimiter } from "./utility.ts";

/** How many evaluations a service holds, for the progress line. */
export interface EvaluationStats {
  /** Evaluations handed to the service and not answered yet. */
  pending: number;
  /** Of those, how many a worker is running now, when the service can tell. */
  running?: number;
}

/** Runs leaf evaluations. */
export interface EvaluationService {
  /**
   * Runs one job and resolves to its result. Rejects only for the host's failures (no
   * sandbox, a lost queue): a program's own failure is part of the result.
   */
  run(job: LeafJob): Promise<LeafResult>;
  /** What the service holds now, when it reports it (a queue does; local sandboxes do not). */
  stats?(): EvaluationStats;
}

/**
 * Leaf evaluations in this process's sandboxes, at most as many at once as `limiter` allows.
 *
 * @param options.limiter Caps evaluations in flight (each holds a sandbox and a core).
 * @default {no cap}
 * @returns The service.
 */
export function localEvaluationService(options: { limiter?: WorkLimiter } = {}): EvaluationService {
  const { limiter } = options;
  return {
    run: (job) => limiter === undefined ? runLeafJob(job) : limiter.run(() => runLeafJob(job)),
  };
}

/**
 * A job queue's coordinator side, as the queue engine exposes it: puts `payload` on the queue
 * under the content key `key` for a worker whose plugin hash is `requires.pluginHash`, and
 * resolves to what that worker's handler returned (a job already done under `key` resolves
 * to its recorded result), or rejects when the job failed for good (dead-lettered).
 */
export type QueueSubmit = (
  key: string,
  payload: unknown,
  requires: { pluginHash: string },
) => Promise<unknown>;

/**
 * Leaf evaluations through a job queue: each job is submitted under its content key
 * (`leafJobKey`), so a job submitted or run twice is one job with one result, and the result
 * is checked (`parseLeafResult`) before it is used. A job the queue gives up on is the host's
 * failure (`HostFailureError`), never a program's score: the run stops and can be resumed.
 *
 * @example
 * ```ts
 * import { queuedEvaluationService } from "./evaluation_service.ts";
 * import { equal } from "node:assert/strict";
 * const service = queuedEvaluationService(() => new Promise(() => {}), {
 *   running: () => 0,
 * });
 * equal(service.stats?.().pending, 0);
 * ```
 *
 * @param submit The queue's submit.
 * @param options.running How many of this coordinator's jobs workers run now, when the
 * queue can tell. @default {not reported}
 * @param options.scrub Removes secrets (the queue URL's password) from an error's message
 * before it is kept anywhere. @default {the message as is}
 * @returns The service.
 */
export function queuedEvaluationService(
  submit: QueueSubmit,
  options: { running?: () => number; scrub?: (text: string) => string } = {},
): EvaluationService {
  const scrub = options.scrub ?? ((text: string) => text);
  let pending = 0;
  return {
    async run(job) {
      const key = leafJobKey(job);
      pending++;
      let answer: unknown;
      try {
        answer = await submit(key, job, { pluginHash: leafJobBuild(job) });
      } catch (error) {
        throw new HostFailureError(
          `the job queue could not evaluate a program (job ${
            key.slice(0, 12)
          }, ${job.task} ${job.split}): ${scrub(String((error as Error)?.message ?? error))}`,
          // Not the error itself as the cause: its text may hold the queue's secrets.
          { source: "sandbox" },
        );
      } finally {
        pending--;
      }
      try {
        return parseLeafResult(answer, job);
      } catch (error) {
        throw new HostFailureError(
          `a queue worker answered job ${key.slice(0, 12)} with something else than a result: ${
            (error as Error).message
          }`,
          { source: "sandbox", cause: error },
        );
      }
    },
    stats() {
      const running = options.running?.();
      return running === undefined ? { pending } : { pending, running: Math.min(running, pending) };
    },
  };
}
