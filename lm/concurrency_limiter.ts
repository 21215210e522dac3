/**
 * A cap on work in flight.
 *
 * @module
 */

/**
 * Runs at most `limit` tasks at once, in arrival order.
 *
 * @example
 * ```ts
 * import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
 * import { equal } from "node:assert/strict";
 * const limiter = new ConcurrencyLimiter(1);
 * equal(await limiter.run(async () => 3), 3);
 * ```
 */
export class ConcurrencyLimiter {
  readonly #limit: number;
  #active = 0;
  #waiting: (() => void)[] = [];

  /**
   * Creates a limiter.
   *
   * @param limit Most tasks at once.
   * @throws {RangeError} When `limit` is not an integer >= 1.
   */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(
        `Cannot create a concurrency limiter as 'limit' must be an integer >= 1: current value is ${limit}`,
      );
    }
    this.#limit = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /**
   * Runs a task when a slot is free.
   *
   * @param task The task.
   * @returns What the task returns.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#active--;
      else next();
    }
  }
}
