/**
 * Boundary errors of the language-model layer. Each has `name` set and keeps its `cause`.
 *
 * @module
 */

/** What a budget limits. */
export type BudgetResource = "calls" | "responses" | "tokens" | "dollars";

/** Which budget refused: the model object's own, or the run's global one. */
export type BudgetScope = "object" | "run";

/**
 * A call was refused because a budget would be exceeded. Nothing was sent and the call
 * cost nothing.
 *
 * @example
 * ```ts
 * import { BudgetExceededError } from "./errors.ts";
 * import { equal } from "node:assert/strict";
 * const error = new BudgetExceededError("no calls left", { scope: "object", resource: "calls" });
 * equal(error.name, "BudgetExceededError");
 * ```
 */
export class BudgetExceededError extends Error {
  /** Which budget refused. */
  readonly scope: BudgetScope;
  /** What it ran out of. */
  readonly resource: BudgetResource;
  /**
   * Creates the error.
   *
   * @param message What was refused and why.
   * @param options Which budget and resource refused, and the cause if any.
   */
  constructor(
    message: string,
    options: { scope: BudgetScope; resource: BudgetResource; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = "BudgetExceededError";
    this.scope = options.scope;
    this.resource = options.resource;
  }
}

/**
 * A replay run asked for a request the cache does not hold. No network was touched.
 *
 * @example
 * ```ts
 * import { ReplayMissError } from "./errors.ts";
 * import { equal } from "node:assert/strict";
 * equal(new ReplayMissError("missing").name, "ReplayMissError");
 * ```
 */
export class ReplayMissError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which request was missing.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "ReplayMissError";
  }
}

/** Why a model request failed. */
export type ModelErrorKind =
  | "auth"
  | "bad_request"
  | "not_found"
  | "spend_cap"
  | "content_filter"
  | "unavailable"
  | "bad_response";

/**
 * A request to a chat-completion endpoint failed. `fatal` errors (bad key, bad request,
 * spend cap, unknown model, our prompt refused by a content filter) are never retried and should stop the run with the message;
 * `unavailable` and `bad_response` errors are raised once the retries are used up.
 *
 * @example
 * ```ts
 * import { ModelError } from "./errors.ts";
 * import { equal } from "node:assert/strict";
 * const error = new ModelError("key refused", { kind: "auth", status: 401 });
 * equal(error.fatal, true);
 * ```
 */
export class ModelError extends Error {
  /** Why it failed. */
  readonly kind: ModelErrorKind;
  /** HTTP status, when there was one. */
  readonly status: number | undefined;
  /** HTTP attempts made, retries included. */
  readonly attempts: number;
  /** Transient failures retried before this error, by kind (see `ChatResult.retries`). */
  readonly retries: Partial<Record<string, number>> | undefined;
  /**
   * Creates the error.
   *
   * @param message What failed, and what to do about it.
   * @param options Kind, HTTP status, attempts made, retries by kind and cause.
   */
  constructor(
    message: string,
    options: {
      kind: ModelErrorKind;
      status?: number;
      attempts?: number;
      retries?: Partial<Record<string, number>>;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = "ModelError";
    this.kind = options.kind;
    this.status = options.status;
    this.attempts = options.attempts ?? 1;
    this.retries = options.retries;
  }

  /** Whether the run should stop: retrying cannot help. */
  get fatal(): boolean {
    return this.kind === "auth" || this.kind === "bad_request" || this.kind === "not_found" ||
      this.kind === "spend_cap" || this.kind === "content_filter";
  }
}
