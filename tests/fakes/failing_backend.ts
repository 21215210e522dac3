/**
 * A chat backend that answers like another one until its k-th request, and from then on
 * fails every request with a fatal endpoint error (a revoked key stays revoked), until it is
 * fixed.
 *
 * @module
 */
import type { ChatBackend, ChatRequest, ChatResult } from "../../lm/chat_backend.ts";
import { ModelError } from "../../lm/errors.ts";

/** Options of {@linkcode FailingBackend}. */
export interface FailingBackendOptions {
  /** The request (counted from 1) from which every request fails. @default {Infinity} */
  failAt?: number;
  /** The error each failing request rejects with. @default {a 401 `auth` ModelError} */
  error?: () => Error;
}

/** See the module documentation. */
export class FailingBackend implements ChatBackend {
  readonly model: string;
  readonly standIn: boolean;
  readonly #inner: ChatBackend;
  readonly #failAt: number;
  readonly #error: () => Error;
  #fixed = false;
  /** Requests received, failed ones included. */
  requests = 0;
  /** Requests refused. */
  failed = 0;

  /**
   * @param inner Answers the requests that do not fail.
   * @param options From which request on to fail, and with what.
   */
  constructor(inner: ChatBackend, options: FailingBackendOptions = {}) {
    this.#inner = inner;
    this.model = inner.model;
    this.standIn = inner.standIn;
    this.#failAt = options.failAt ?? Infinity;
    this.#error = options.error ??
      (() =>
        new ModelError("Incorrect API key provided (fake). Check OPENAI_API_KEY.", {
          kind: "auth",
          status: 401,
        }));
  }

  /** Stops failing: later requests are answered by the inner backend. */
  fix(): void {
    this.#fixed = true;
  }

  /** Answers through the inner backend, or fails from the k-th request on. */
  complete(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResult> {
    this.requests++;
    if (!this.#fixed && this.requests >= this.#failAt) {
      this.failed++;
      return Promise.reject(this.#error());
    }
    return this.#inner.complete(request, options);
  }
}
