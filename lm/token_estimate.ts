/**
 * Token estimates: a typical count (characters / 4) and a worst-case bound.
 *
 * @module
 */

import type { ChatMessage } from "./chat_backend.ts";

/** Tokens a chat format adds per message (role markers), a generous bound. */
export const TOKENS_PER_MESSAGE = 8;

/**
 * Estimates the tokens of a text the usual way: characters / 4, rounded up.
 *
 * @param text The text.
 * @returns The estimate.
 *
 * @example
 * ```ts
 * import { estimateTokens } from "./token_estimate.ts";
 * import { equal } from "node:assert/strict";
 * equal(estimateTokens("abcdefgh"), 2);
 * ```
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Estimates the prompt tokens of a conversation (characters / 4 plus a few per message).
 *
 * @param messages The conversation.
 * @returns The estimate.
 *
 * @example
 * ```ts
 * import { estimatePromptTokens } from "./token_estimate.ts";
 * import { equal } from "node:assert/strict";
 * equal(estimatePromptTokens([{ role: "user", content: "abcd" }]), 5);
 * ```
 */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
}

/**
 * An upper bound on the prompt tokens of a conversation: a byte-level tokenizer never makes
 * more tokens than UTF-8 bytes, plus `TOKENS_PER_MESSAGE` per message.
 *
 * @param messages The conversation.
 * @returns The bound.
 *
 * @example
 * ```ts
 * import { worstCasePromptTokens } from "./token_estimate.ts";
 * import { equal } from "node:assert/strict";
 * equal(worstCasePromptTokens([{ role: "user", content: "hé" }]), 3 + 8);
 * ```
 */
export function worstCasePromptTokens(messages: readonly ChatMessage[]): number {
  const encoder = new TextEncoder();
  return messages.reduce(
    (sum, m) => sum + encoder.encode(m.content).length + TOKENS_PER_MESSAGE,
    0,
  );
}
