/**
 * A scripted chat backend for this folder's tests.
 *
 * @module
 */

import type { ChatBackend, ChatRequest, ChatResult } from "./chat_backend.ts";

/** A backend that answers `reply-<k>-<i>` and records the requests it got. */
export class FakeBackend implements ChatBackend {
  readonly model: string;
  readonly standIn = false;
  readonly requests: ChatRequest[] = [];
  failWith: Error | undefined;
  #count = 0;

  constructor(model = "gpt-4o") {
    this.model = model;
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    this.requests.push(request);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const k = this.#count++;
    return Promise.resolve({
      choices: Array.from({ length: request.n }, (_, i) => `reply-${k}-${i}`),
      fates: Array.from({ length: request.n }, () => ({ finishReason: "stop" as const })),
      usage: { promptTokens: 100, completionTokens: 10 * request.n, estimated: false },
      latencyMs: 1,
      model: this.model,
      attempts: 1,
      standIn: false,
    });
  }
}
