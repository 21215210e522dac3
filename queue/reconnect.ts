/**
 * Riding out a lost database connection: which errors mean "the connection is gone, try
 * again" (a restart, a refused or reset connection) rather than a wrong statement, and running
 * an idempotent database step again until it goes through or a deadline passes.
 *
 * @module
 */

/** PostgreSQL error codes that mean the server is going away or not there yet. */
const CONNECTION_CODES = new Set([
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
]);

/** Socket-level error codes of a lost or refused connection. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTCONN"]);

/**
 * Whether an error means the database connection was lost or refused (worth a retry), as
 * opposed to an error of the statement itself.
 *
 * @example
 * ```ts
 * import { isConnectionError } from "./reconnect.ts";
 * import { equal } from "node:assert/strict";
 * equal(isConnectionError(Object.assign(new Error("terminating connection"), { code: "57P01" })), true);
 * equal(isConnectionError(Object.assign(new Error("syntax error"), { code: "42601" })), false);
 * ```
 *
 * @param error Anything thrown.
 * @returns Whether to try again on a new connection.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (CONNECTION_CODES.has(code) || SOCKET_CODES.has(code) || code.startsWith("08")) {
      return true;
    }
  }
  if (error instanceof Deno.errors.ConnectionRefused) return true;
  if (error instanceof Deno.errors.ConnectionReset) return true;
  if (error instanceof Deno.errors.BrokenPipe) return true;
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET/i
    .test(error.message);
}

/**
 * Runs an idempotent database step, again after each connection error (with a growing pause,
 * 50 ms up to 1 s), until it succeeds, fails otherwise, or `timeoutMs` has passed.
 *
 * @param step The step (must be safe to run more than once).
 * @param options.timeoutMs How long to keep trying after the first connection error.
 * @param options.describe What the step does and where, for the error (no password in it).
 * @param options.signal Stops trying (the last error is thrown).
 * @param options.scrub Cleans the last error's message before it is quoted (removes the
 *   queue URL's password).
 * @returns What the step returns.
 * @throws {Error} The step's own error, or after `timeoutMs` an error saying what could not
 *   be reached (with the last connection error as its cause).
 */
export async function withReconnect<T>(
  step: () => Promise<T>,
  options: {
    timeoutMs: number;
    describe: string;
    signal?: AbortSignal;
    scrub?: (text: string) => string;
  },
): Promise<T> {
  let deadline: number | undefined;
  let pause = 50;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const now = performance.now();
      deadline ??= now + options.timeoutMs;
      if (now >= deadline || options.signal?.aborted) {
        throw new Error(
          `Cannot ${options.describe} as the database stayed unreachable for ${
            (options.timeoutMs / 1000).toFixed(options.timeoutMs < 10_000 ? 1 : 0)
          } s (last error: ${(options.scrub ?? ((t) => t))((error as Error).message)})`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, deadline! - now)));
      pause = Math.min(pause * 2, 1000);
    }
  }
}

/**
 * A line printer that lets through a line at most once per `windowMs` for each shape of line
 * (the line with its numbers blanked), so a database restart that cuts ten connections and
 * fails forty reconnects says so in a few lines, not fifty.
 *
 * @example
 * ```ts
 * import { throttleLines } from "./reconnect.ts";
 * import { deepEqual } from "node:assert/strict";
 * const seen: string[] = [];
 * const log = throttleLines((line) => seen.push(line), 10_000);
 * log("retry in 115ms"); log("retry in 338ms"); log("connected");
 * deepEqual(seen, ["retry in 115ms", "connected"]);
 * ```
 *
 * @param log Where lines go.
 * @param windowMs How long a shape of line stays quiet after it was printed.
 * @returns The throttled printer.
 */
export function throttleLines(
  log: (line: string) => void,
  windowMs: number,
): (line: string) => void {
  const last = new Map<string, number>();
  return (line) => {
    const shape = line.replace(/\d+/g, "#");
    const now = performance.now();
    const previous = last.get(shape);
    if (previous !== undefined && now - previous < windowMs) return;
    last.set(shape, now);
    log(line);
  };
}
