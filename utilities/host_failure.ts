/**
 * Failures that belong to the host, not to the program it was running: the model endpoint
 * refused in a way retrying cannot fix (a bad key, no credit, an unknown model, our own
 * prompt refused by a content filter), or the sandbox could not start. Such a failure is
 * never a verdict on a program: it is carried out of every guest run it happens in and stops
 * the run, which can then be resumed once the cause is fixed.
 *
 * @module
 */
import { ModelError } from "../lm/errors.ts";
import { PluginUnavailableError } from "../sandbox/errors.ts";

/** Whose machinery failed. */
export type HostFailureSource = "endpoint" | "sandbox";

/**
 * The host failed where a program was running: the run must stop (resumably), and no
 * program may be scored, rejected or blamed for it.
 *
 * @example
 * ```ts
 * import { HostFailureError } from "./host_failure.ts";
 * import { equal } from "node:assert/strict";
 * const error = new HostFailureError("the sandbox could not start", { source: "sandbox" });
 * equal(error.name, "HostFailureError");
 * ```
 */
export class HostFailureError extends Error {
  /** Whose machinery failed. */
  readonly source: HostFailureSource;
  /**
   * Creates the error.
   *
   * @param message What failed and what to do about it.
   * @param options Whose machinery failed, and the underlying error.
   */
  constructor(message: string, options: { source: HostFailureSource; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "HostFailureError";
    this.source = options.source;
  }
}

/**
 * Says whether an error is the host's (see {@linkcode HostFailureError}) and, if so, returns
 * it as one: a `HostFailureError` as is, a fatal `ModelError` (`fatal === true`) as an
 * endpoint failure, a `PluginUnavailableError` as a sandbox failure. Anything else (a
 * program's own error, a budget refusal, a transient endpoint error) gives `undefined`.
 *
 * @example
 * ```ts
 * import { hostFailureOf } from "./host_failure.ts";
 * import { ModelError } from "../lm/errors.ts";
 * import { equal } from "node:assert/strict";
 * const failure = hostFailureOf(new ModelError("key refused", { kind: "auth", status: 401 }));
 * equal(failure?.source, "endpoint");
 * equal(hostFailureOf(new Error("the improver threw")), undefined);
 * ```
 *
 * @param error Anything caught.
 * @returns The host failure, or `undefined` when the error is not the host's.
 */
export function hostFailureOf(error: unknown): HostFailureError | undefined {
  if (error instanceof HostFailureError) return error;
  if (error instanceof ModelError && error.fatal) {
    // The client's message already says what failed and what to do about it.
    const status = error.status === undefined ? "" : `HTTP ${error.status}, `;
    return new HostFailureError(
      `the model endpoint failed (${status}${error.kind}): ${error.message}`,
      { source: "endpoint", cause: error },
    );
  }
  if (error instanceof PluginUnavailableError) {
    return new HostFailureError(`the sandbox could not start: ${error.message}`, {
      source: "sandbox",
      cause: error,
    });
  }
  return undefined;
}
