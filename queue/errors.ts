/**
 * The queue's failures that a caller may catch.
 *
 * @module
 */

/**
 * A job that ended in the dead-letter state: it will not run again under this key.
 *
 * @example
 * ```ts
 * import { QueueJobDeadError } from "./errors.ts";
 * import { equal } from "node:assert/strict";
 * const error = new QueueJobDeadError("k1", "rejected before running: the payload is not an object");
 * equal(error.message, "Cannot use the result of job 'k1' as it was dead-lettered: rejected before running: the payload is not an object");
 * ```
 */
export class QueueJobDeadError extends Error {
  /** The job's key. */
  readonly key: string;
  /** Why it was dead-lettered. */
  readonly reason: string;

  /**
   * @param key The job's key.
   * @param reason Why it was dead-lettered.
   */
  constructor(key: string, reason: string) {
    super(`Cannot use the result of job '${key}' as it was dead-lettered: ${reason}`);
    this.name = "QueueJobDeadError";
    this.key = key;
    this.reason = reason;
  }
}
