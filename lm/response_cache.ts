/**
 * The response cache: content-addressed and occurrence-indexed, in a crash-safe JSONL file.
 *
 * @module
 */

import { JsonlFile, readJsonl } from "../common/jsonl_file.ts";
import type { ChatUsage, ChoiceFate, FinishReason } from "./chat_backend.ts";

/** One stored answer. */
export interface CachedAnswer {
  /** The request's content address (`requestHash`). */
  key: string;
  /** Which occurrence of the request this answers (0 = first). */
  occurrence: number;
  /** The model that answered. */
  model: string;
  /** The replies (answers only). */
  choices: string[];
  /** The fate of each reply (finish reason, reasoning, refusal, error); absent in old files. */
  fates?: ChoiceFate[];
  /** Tokens the original request used. */
  usage: ChatUsage;
  /** Whether the offline stand-in answered. */
  standIn: boolean;
}

/**
 * A cache of answers: the k-th identical request of a run replays the k-th stored answer.
 * Files may be shared between runs: appends are whole fsynced lines, a torn last line is
 * skipped and cut off on open (`common/jsonl_file.ts`), and the first answer stored for a
 * (key, occurrence) wins.
 *
 * @example
 * ```ts
 * import { ResponseCache } from "./response_cache.ts";
 * import { equal } from "node:assert/strict";
 * const cache = new ResponseCache();
 * await cache.put({
 *   key: "k", occurrence: 0, model: "m", choices: ["a"], standIn: false,
 *   usage: { promptTokens: 1, completionTokens: 1, estimated: false },
 * });
 * equal(cache.get("k", 0)?.choices[0], "a");
 * equal(cache.get("k", 1), undefined);
 * ```
 */
export class ResponseCache {
  #answers = new Map<string, CachedAnswer>();
  #writer: JsonlFile | undefined;
  #skipped = 0;

  /**
   * Opens a cache backed by a JSONL file, loading what it holds (created if missing).
   *
   * @param path The file.
   * @returns The cache.
   */
  static async open(path: string): Promise<ResponseCache> {
    const cache = new ResponseCache();
    const { records, corrupt, torn } = await readJsonl(path);
    cache.#skipped = corrupt.length + (torn === undefined ? 0 : 1);
    for (const value of records) {
      if (isCachedAnswer(value)) {
        if (!isFateList(value.fates, value.choices.length)) delete value.fates;
        cache.#remember(value);
      } else cache.#skipped++;
    }
    cache.#writer = await JsonlFile.open(path);
    return cache;
  }

  /** Lines of the file that were skipped on open (torn or damaged). */
  get skippedLines(): number {
    return this.#skipped;
  }

  /** Number of answers held. */
  get size(): number {
    return this.#answers.size;
  }

  /**
   * Looks an answer up.
   *
   * @param key The request's content address.
   * @param occurrence Which occurrence.
   * @returns The answer, or `undefined`.
   */
  get(key: string, occurrence: number): CachedAnswer | undefined {
    return this.#answers.get(`${key}#${occurrence}`);
  }

  /**
   * Stores an answer (in the file too, if any); an existing one for the same key and
   * occurrence is kept.
   *
   * @param answer The answer.
   */
  async put(answer: CachedAnswer): Promise<void> {
    if (!this.#remember(answer)) return;
    await this.#writer?.append({ v: 1, ...answer });
  }

  /** Closes the file, if any. */
  async close(): Promise<void> {
    await this.#writer?.close();
  }

  /** Closes the file, if any. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #remember(answer: CachedAnswer): boolean {
    const id = `${answer.key}#${answer.occurrence}`;
    if (this.#answers.has(id)) return false;
    this.#answers.set(id, {
      key: answer.key,
      occurrence: answer.occurrence,
      model: answer.model,
      choices: [...answer.choices],
      ...(answer.fates === undefined ? {} : { fates: answer.fates.map((f) => ({ ...f })) }),
      usage: { ...answer.usage },
      standIn: answer.standIn,
    });
    return true;
  }
}

function isCachedAnswer(value: unknown): value is CachedAnswer {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  const usage = r.usage as Record<string, unknown> | null | undefined;
  return typeof r.key === "string" && Number.isInteger(r.occurrence) &&
    typeof r.model === "string" && Array.isArray(r.choices) &&
    r.choices.every((c) => typeof c === "string") && typeof usage === "object" &&
    usage !== null && typeof usage.promptTokens === "number" &&
    typeof usage.completionTokens === "number" && typeof r.standIn === "boolean";
}

const FINISH_REASONS: readonly FinishReason[] = [
  "stop",
  "length",
  "content_filter",
  "refusal",
  "error",
  "tool_calls",
  "unknown",
];

/**
 * Whether stored fates are well-formed (one per choice); damaged ones are dropped, not trusted.
 *
 * @param value The stored value.
 * @param length The number of choices.
 * @returns Whether to keep it.
 */
export function isFateList(value: unknown, length: number): value is ChoiceFate[] {
  return Array.isArray(value) && value.length === length &&
    value.every((f) =>
      typeof f === "object" && f !== null &&
      FINISH_REASONS.includes((f as Record<string, unknown>).finishReason as FinishReason) &&
      ["reasoning", "refusal", "error"].every((k) => {
        const v = (f as Record<string, unknown>)[k];
        return v === undefined || typeof v === "string";
      })
    );
}
