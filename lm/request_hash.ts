/**
 * The content address of a chat request.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { ChatRequest } from "./chat_backend.ts";

/**
 * Hashes what determines a request's answer: model, messages, n, temperature and max tokens
 * (not the seed, which the occurrence index replaces).
 *
 * @param model The model name.
 * @param request The request.
 * @returns A lowercase hex SHA-256 digest.
 *
 * @example
 * ```ts
 * import { requestHash } from "./request_hash.ts";
 * import { equal } from "node:assert/strict";
 * const request = { messages: [{ role: "user" as const, content: "hi" }], n: 1 };
 * equal(requestHash("m", request), requestHash("m", { ...request, seed: 7 }));
 * ```
 */
export function requestHash(model: string, request: ChatRequest): string {
  const canonical = JSON.stringify([
    "stop-lm-request-v1",
    model,
    request.messages.map((m) => [m.role, m.content]),
    request.n,
    request.temperature ?? null,
    request.maxTokens ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
