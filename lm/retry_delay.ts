/**
 * How long to wait before retrying a model request.
 *
 * @module
 */

/** Backoff settings. */
export interface RetryDelayOptions {
  /** First backoff step in milliseconds. @default 500 */
  baseMs?: number;
  /** Longest computed backoff in milliseconds. @default 30000 */
  maxMs?: number;
  /** Longest server-requested (`Retry-After`) wait honoured, in milliseconds. @default 120000 */
  maxRetryAfterMs?: number;
}

/**
 * Reads a `Retry-After` (seconds or an HTTP date) or `retry-after-ms` header value.
 *
 * @param headers The response headers, if any.
 * @param now Milliseconds since the epoch (for HTTP dates).
 * @returns Milliseconds to wait, or `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./retry_delay.ts";
 * import { equal } from "node:assert/strict";
 * equal(parseRetryAfter(new Headers({ "retry-after": "2" }), 0), 2000);
 * ```
 */
export function parseRetryAfter(headers: Headers | undefined, now: number): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms !== null && ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms))) {
    return Math.max(0, Number(ms));
  }
  const value = headers?.get("retry-after");
  if (value === null || value === undefined || value.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Computes the wait before retry number `attempt` (0-based): the server's `Retry-After` when
 * given (capped), else exponential backoff with equal jitter.
 *
 * @param attempt Retries already made.
 * @param retryAfterMs The server's requested wait, if any.
 * @param random Uniform numbers in [0, 1).
 * @param options Backoff settings.
 * @returns Milliseconds to wait.
 *
 * @example
 * ```ts
 * import { retryDelayMs } from "./retry_delay.ts";
 * import { equal } from "node:assert/strict";
 * equal(retryDelayMs(0, 1500, Math.random), 1500);
 * equal(retryDelayMs(2, undefined, () => 0, { baseMs: 100 }), 200);
 * ```
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
  options: RetryDelayOptions = {},
): number {
  const { baseMs = 500, maxMs = 30_000, maxRetryAfterMs = 120_000 } = options;
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxRetryAfterMs);
  const step = Math.min(maxMs, baseMs * 2 ** attempt);
  return step / 2 + random() * (step / 2);
}
