/**
 * Telling what the offline stand-in is asked for.
 *
 * @module
 */

import type { ChatMessage } from "../lm/chat_backend.ts";
import type { CatalogTarget } from "./catalog_types.ts";
import { strategyQuestionLabels } from "./strategy_question.ts";

/**
 * What a request asks for: a program for a target, which strategy an improver uses (see
 * `strategy_question.ts`), or something the stand-in cannot tell.
 */
export type RecognizedRequest =
  | { kind: "program"; target: CatalogTarget; how: "improver" | "task-line" | "keywords" }
  | { kind: "strategy-question"; labels: string[] }
  | { kind: "unknown" };

const TASK_IDS: readonly CatalogTarget[] = [
  "lpn",
  "parity",
  "string-grid",
  "quadratic-assignment",
  "3sat",
  "maxcut",
];

const KEYWORDS: readonly [CatalogTarget, RegExp][] = [
  ["lpn", /learning parity with noise|\blpn\b|noisy parity/i],
  ["parity", /\bparity\b/i],
  ["string-grid", /grid[ _-]?dist|string grid/i],
  ["quadratic-assignment", /quadratic[ _-]assignment/i],
  ["3sat", /\b3-?sat\b|satisfiab/i],
  ["maxcut", /max[ _-]?cut|maximum cut/i],
];

/**
 * Recognises a request: a strategy question when the conversation has the strategy question's
 * label line (it shows an improver, so this comes first); an improver when the conversation
 * mentions `improveAlgorithm`; else
 * the task named by a `Task: <name> (<id>)` line of the visible utility description; else
 * the task its keywords suggest; else unknown.
 *
 * @param messages The conversation.
 * @returns What is asked for.
 *
 * @example
 * ```ts
 * import { recognizeRequest } from "./recognize_request.ts";
 * import { deepEqual } from "node:assert/strict";
 * const asked = recognizeRequest([{ role: "user", content: "// Task: Max-cut (maxcut)" }]);
 * deepEqual(asked, { kind: "program", target: "maxcut", how: "task-line" });
 * ```
 */
export function recognizeRequest(messages: readonly ChatMessage[]): RecognizedRequest {
  const text = messages.map((m) => m.content).join("\n");
  const labels = strategyQuestionLabels(text);
  if (labels !== undefined) return { kind: "strategy-question", labels };
  if (/improveAlgorithm|improve_algorithm/.test(text)) {
    return { kind: "program", target: "improver", how: "improver" };
  }
  for (const match of text.matchAll(/Task:[^\n(]{0,200}\(([a-z0-9-]+)\)/g)) {
    const id = match[1] as CatalogTarget;
    if (TASK_IDS.includes(id)) return { kind: "program", target: id, how: "task-line" };
  }
  for (const [target, pattern] of KEYWORDS) {
    if (pattern.test(text)) return { kind: "program", target, how: "keywords" };
  }
  return { kind: "unknown" };
}
