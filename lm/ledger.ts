/**
 * The usage ledger: one JSONL record per model request, cache hit or refusal.
 *
 * @module
 */

import { JsonlFile, readJsonl } from "../common/jsonl_file.ts";
import { orderFreeSum } from "../common/order_free_sum.ts";
import type { ChoiceFate, FinishReason } from "./chat_backend.ts";

/**
 * What a ledger record is: `intent` before a paid request is sent, `completion` after it
 * (with `error` set when it failed), `cache_hit` for a replayed answer, `refused` for a call
 * a budget, the cost cap or replay mode stopped (nothing sent, cost 0).
 */
export type LedgerKind = "intent" | "completion" | "cache_hit" | "refused";

/** One ledger record. */
export interface LedgerRecord {
  /** ISO time the host wrote it. */
  time: string;
  /** What it records. */
  kind: LedgerKind;
  /** One id per request; an intent and its completion share it. */
  callId: string;
  /** The run, if known. */
  run?: string;
  /** The caller's occurrence scope (e.g. `r0/t1/e2/run3`: run, iteration, evaluation, improver run), if any. */
  scope?: string;
  /** The model asked. */
  model: string;
  /** Whether the offline stand-in (not a language model) answered. */
  standIn: boolean;
  /** Content address of the request (see `requestHash`). */
  requestHash: string;
  /** Which occurrence of that request in the run (0 = first). */
  occurrence: number;
  /** Replies asked for. */
  n: number;
  /** Temperature asked for, `null` for the server default. */
  temperature: number | null;
  /** Prompt tokens used (0 unless a completion or cache hit). */
  promptTokens: number;
  /** Completion tokens used. */
  completionTokens: number;
  /** Wall-clock milliseconds. */
  latencyMs: number;
  /** Dollars spent; 0 for hits and refusals; `null` when the model has no price. */
  costUsd: number | null;
  /** On an intent: the worst-case dollars reserved for it (`null` when unpriced). */
  reservedUsd?: number | null;
  /** Whether the answer came from the cache. */
  cacheHit: boolean;
  /** What went wrong, if anything. */
  error: string | null;
  /** HTTP attempts made, retries included. */
  attempts?: number;
  /** Transient failures retried, by kind (HTTP status, `timeout`, …); absent when none. */
  retries?: Partial<Record<string, number>>;
  /**
   * On a completion: recorded by a later process from the answer the cache holds, because the
   * process that paid for it stopped between storing the answer and recording this line.
   */
  recovered?: boolean;
  /** On a completion or cache hit: the fate of each reply (absent in old ledgers). */
  fates?: ChoiceFate[];
  /** On a completion or cache hit: replies that finished normally (`stop`, `unknown`) with an empty answer. */
  emptyAnswers?: number;
  /** On a completion: whether `costUsd` is what the provider reported (`usage.cost`). */
  costReported?: boolean;
}

/** Why a reply carried no answer. */
export type NoAnswerReason = Exclude<FinishReason, "stop" | "tool_calls" | "unknown"> | "empty";

/** Replies that carried no usable answer, by reason. */
export interface ReplyFates {
  /** Replies whose fate is known (records written before fates were kept are not counted). */
  replies: number;
  /** Replies without an answer, by reason (`length`, `content_filter`, `refusal`, `error`, `empty`). */
  withoutAnswer: Partial<Record<NoAnswerReason, number>>;
}

/**
 * Counts the distinct replies of a run (a request answered again from the cache counts once)
 * and those that carried no answer, by reason: cut by the token limit (`length`), filtered,
 * refused, failed upstream, or finished with an empty answer.
 *
 * @param records Ledger records.
 * @returns The counts.
 *
 * @example
 * ```ts
 * import { countReplyFates } from "./ledger.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(countReplyFates([]), { replies: 0, withoutAnswer: {} });
 * ```
 */
export function countReplyFates(
  records: readonly Pick<
    LedgerRecord,
    "kind" | "error" | "fates" | "emptyAnswers" | "requestHash" | "occurrence"
  >[],
): ReplyFates {
  const result: ReplyFates = { replies: 0, withoutAnswer: {} };
  // A request answered in one process and replayed from the cache in a resumed one is one
  // request: its replies count once.
  const seen = new Set<string>();
  for (const record of records) {
    if (record.kind !== "completion" && record.kind !== "cache_hit") continue;
    if (record.fates === undefined || record.error !== null) continue;
    const id = `${record.requestHash}#${record.occurrence}`;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const fate of record.fates) {
      result.replies++;
      const reason = fate.finishReason;
      if (
        reason === "length" || reason === "content_filter" || reason === "refusal" ||
        reason === "error"
      ) {
        result.withoutAnswer[reason] = (result.withoutAnswer[reason] ?? 0) + 1;
      }
    }
    // Replies that finished normally with an empty answer (e.g. all reasoning).
    const empty = record.emptyAnswers ?? 0;
    if (empty > 0) result.withoutAnswer.empty = (result.withoutAnswer.empty ?? 0) + empty;
  }
  return result;
}

/**
 * The fate fields of a ledger record for a request's replies: the fates, and how many replies
 * finished normally with an empty answer.
 *
 * @param choices The answers handed on.
 * @param fates Their fates (absent for old cache entries).
 * @returns The fields to spread into the record.
 *
 * @example
 * ```ts
 * import { ledgerFateFields } from "./ledger.ts";
 * import { equal } from "node:assert/strict";
 * equal(ledgerFateFields(["", "x"], [{ finishReason: "stop" }, { finishReason: "stop" }]).emptyAnswers, 1);
 * ```
 */
export function ledgerFateFields(
  choices: readonly string[],
  fates: readonly ChoiceFate[] | undefined,
): { fates?: ChoiceFate[]; emptyAnswers?: number } {
  if (fates === undefined) return {};
  const emptyAnswers =
    fates.filter((f, i) =>
      (f.finishReason === "stop" || f.finishReason === "unknown") &&
      (choices[i] ?? "").trim() === ""
    ).length;
  return { fates: [...fates], ...(emptyAnswers > 0 ? { emptyAnswers } : {}) };
}

/**
 * Describes what a run spent for people: dollars when every paid request was priced, else says
 * the cost is unknown (never $0 for what had no price).
 *
 * @param spend Dollars over priced requests, paid requests, and those without a price.
 * @returns E.g. `$0.0123`, `unknown (no price for the model)`, `$0.01 + unknown (2 unpriced requests)`.
 *
 * @example
 * ```ts
 * import { describeCost } from "./ledger.ts";
 * import { equal } from "node:assert/strict";
 * equal(describeCost({ costUsd: 0, paid: 3, unpriced: 3 }), "unknown (no price for the model)");
 * equal(describeCost({ costUsd: 0.5, paid: 3, unpriced: 0 }), "$0.5000");
 * ```
 */
export function describeCost(spend: { costUsd: number; paid: number; unpriced: number }): string {
  const dollars = `$${spend.costUsd.toFixed(4)}`;
  if (spend.unpriced <= 0) return dollars;
  if (spend.unpriced >= spend.paid) return "unknown (no price for the model)";
  return `${dollars} + unknown (${spend.unpriced} unpriced requests)`;
}

const NO_ANSWER_WORDS: Record<NoAnswerReason, string> = {
  length: "cut by the token limit",
  content_filter: "filtered by the provider's content filter",
  refusal: "refused by the model",
  error: "lost to an upstream error",
  empty: "empty",
};

/**
 * Why one reply carried no answer, if it carried none.
 *
 * @param choice The answer handed on (reasoning removed).
 * @param fate Its fate.
 * @returns The reason, or `undefined` when the reply has an answer.
 *
 * @example
 * ```ts
 * import { noAnswerReason } from "./ledger.ts";
 * import { equal } from "node:assert/strict";
 * equal(noAnswerReason("", { finishReason: "length" }), "length");
 * equal(noAnswerReason(" ", { finishReason: "stop" }), "empty");
 * equal(noAnswerReason("x", { finishReason: "stop" }), undefined);
 * ```
 */
export function noAnswerReason(choice: string, fate: ChoiceFate): NoAnswerReason | undefined {
  const reason = fate.finishReason;
  if (
    reason === "length" || reason === "content_filter" || reason === "refusal" ||
    reason === "error"
  ) return reason;
  if ((reason === "stop" || reason === "unknown") && choice.trim() === "") return "empty";
  return undefined;
}

/**
 * Describes one reason a reply carried no answer, for people.
 *
 * @param reason The reason.
 * @returns E.g. `cut by the token limit`.
 */
export function describeNoAnswer(reason: NoAnswerReason): string {
  return NO_ANSWER_WORDS[reason];
}

/**
 * Describes replies without an answer for people, one phrase per reason.
 *
 * @param fates The counts.
 * @returns E.g. `["3 of 24 replies were cut by the token limit"]`; empty when all answered.
 *
 * @example
 * ```ts
 * import { describeReplyFates } from "./ledger.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(describeReplyFates({ replies: 24, withoutAnswer: { length: 3 } }), ["3 of 24 replies were cut by the token limit"]);
 * ```
 */
export function describeReplyFates(fates: ReplyFates): string[] {
  return (Object.keys(NO_ANSWER_WORDS) as NoAnswerReason[])
    .filter((reason) => (fates.withoutAnswer[reason] ?? 0) > 0)
    .map((reason) => {
      const count = fates.withoutAnswer[reason]!;
      return `${count} of ${fates.replies} ${fates.replies === 1 ? "reply" : "replies"} ${
        count === 1 ? "was" : "were"
      } ${NO_ANSWER_WORDS[reason]}`;
    });
}

/** Totals over a ledger. */
export interface LedgerSummary {
  /** Requests answered (paid or from cache). */
  answered: number;
  /** Requests answered from the cache. */
  cacheHits: number;
  /** Requests refused before sending. */
  refused: number;
  /** Paid requests that failed. */
  errors: number;
  /** Prompt tokens over answered requests. */
  promptTokens: number;
  /** Completion tokens over answered requests. */
  completionTokens: number;
  /** Dollars over completions (unpriced ones count 0; see `unpricedCalls`). */
  costUsd: number;
  /** Completions whose model had no price. */
  unpricedCalls: number;
  /** Intents with no completion (a crash while the request was in flight). */
  pendingIntents: number;
  /** Worst-case dollars of those pending intents: spend that may have happened. */
  pendingReservedUsd: number;
  /** Whether any record came from the offline stand-in. */
  standIn: boolean;
}

/**
 * Sums a ledger. Counting each intent without a completion at its reserved worst case keeps
 * a crash from losing spend.
 *
 * @param records The records.
 * @returns The totals.
 *
 * @example
 * ```ts
 * import { summarizeLedger } from "./ledger.ts";
 * import { equal } from "node:assert/strict";
 * equal(summarizeLedger([]).answered, 0);
 * ```
 */
export function summarizeLedger(records: readonly LedgerRecord[]): LedgerSummary {
  const summary: LedgerSummary = {
    answered: 0,
    cacheHits: 0,
    refused: 0,
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    unpricedCalls: 0,
    pendingIntents: 0,
    pendingReservedUsd: 0,
    standIn: false,
  };
  const pending = new Map<string, LedgerRecord>();
  // Dollars are added in an order of their own: the ledger's is the order calls finished in.
  const costs: number[] = [];
  for (const record of records) {
    if (record.standIn) summary.standIn = true;
    switch (record.kind) {
      case "intent":
        pending.set(record.callId, record);
        break;
      case "completion":
        pending.delete(record.callId);
        if (record.error !== null) {
          summary.errors++;
          break;
        }
        summary.answered++;
        summary.promptTokens += record.promptTokens;
        summary.completionTokens += record.completionTokens;
        if (record.costUsd === null) summary.unpricedCalls++;
        else costs.push(record.costUsd);
        break;
      case "cache_hit":
        summary.answered++;
        summary.cacheHits++;
        summary.promptTokens += record.promptTokens;
        summary.completionTokens += record.completionTokens;
        break;
      case "refused":
        summary.refused++;
        break;
    }
  }
  summary.costUsd = orderFreeSum(costs);
  summary.pendingIntents = pending.size;
  summary.pendingReservedUsd = orderFreeSum(
    [...pending.values()].map((intent) => intent.reservedUsd ?? 0),
  );
  return summary;
}

/**
 * Reads a ledger file, skipping a torn last line and records that are not ledger records
 * (`common/jsonl_file.ts`'s policy; {@linkcode Ledger.open} reports how many it skipped).
 *
 * @param path The JSONL file.
 * @returns The records in order.
 *
 * @example
 * ```ts
 * import { readLedger } from "./ledger.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(await readLedger("/tmp/no-such-ledger.jsonl"), []);
 * ```
 */
export async function readLedger(path: string): Promise<LedgerRecord[]> {
  return (await readJsonl(path, { accept: isLedgerRecord })).records;
}

function isLedgerRecord(value: unknown): value is LedgerRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.kind === "string" &&
    ["intent", "completion", "cache_hit", "refused"].includes(r.kind) &&
    typeof r.callId === "string" && typeof r.model === "string" &&
    typeof r.requestHash === "string" && typeof r.promptTokens === "number" &&
    typeof r.completionTokens === "number";
}

/** Options of a ledger. */
export interface LedgerOptions {
  /** Called with every record after it is stored (e.g. to mirror it into an event log). */
  onRecord?: (record: LedgerRecord) => void;
}

/**
 * The ledger of a run: records kept in memory and, when opened on a path, appended to a JSONL
 * file with an fsync per record.
 *
 * @example
 * ```ts
 * import { Ledger } from "./ledger.ts";
 * import { equal } from "node:assert/strict";
 * const ledger = new Ledger();
 * equal(ledger.summary().answered, 0);
 * ```
 */
export class Ledger {
  #records: LedgerRecord[] = [];
  /** Intents of earlier processes with no completion, by `requestHash#occurrence`. */
  #unfinished = new Map<string, LedgerRecord>();
  #writer: JsonlFile | undefined;
  #skipped = 0;
  #onRecord: ((record: LedgerRecord) => void) | undefined;

  /**
   * Creates an in-memory ledger.
   *
   * @param options Hooks.
   */
  constructor(options: LedgerOptions = {}) {
    this.#onRecord = options.onRecord;
  }

  /**
   * Opens a ledger that appends to a JSONL file (created if missing; earlier records are
   * kept in the file, not loaded into {@linkcode Ledger.records}; only the intents that never
   * got a completion are remembered, see {@linkcode Ledger.unfinishedIntent}).
   *
   * @param path The file.
   * @param options Hooks.
   * @returns The ledger.
   */
  static async open(path: string, options: LedgerOptions = {}): Promise<Ledger> {
    const ledger = new Ledger(options);
    const read = await readJsonl(path, { accept: isLedgerRecord });
    const earlier = read.records;
    ledger.#skipped = read.corrupt.length + (read.torn === undefined ? 0 : 1);
    const open = new Map<string, LedgerRecord>();
    for (const r of earlier) {
      if (r.kind === "intent") open.set(r.callId, r);
      else if (r.kind === "completion") open.delete(r.callId);
    }
    for (const r of open.values()) ledger.#unfinished.set(`${r.requestHash}#${r.occurrence}`, r);
    ledger.#writer = await JsonlFile.open(path);
    return ledger;
  }

  /**
   * Lines of the file that were not ledger records when it was opened: damaged lines, and a
   * torn last line (cut off on open).
   */
  get skippedLines(): number {
    return this.#skipped;
  }

  /**
   * An earlier process's intent for this request and occurrence that never got a completion
   * (the process stopped while the request was in flight, or after storing its answer).
   *
   * @param requestHash The request's content address.
   * @param occurrence Which occurrence.
   * @returns The intent, or undefined.
   */
  unfinishedIntent(requestHash: string, occurrence: number): LedgerRecord | undefined {
    return this.#unfinished.get(`${requestHash}#${occurrence}`);
  }

  /** The records written through this object, in order. */
  get records(): readonly LedgerRecord[] {
    return this.#records;
  }

  /**
   * Appends a record; resolves once it is on disk.
   *
   * @param record The record.
   */
  async append(record: LedgerRecord): Promise<void> {
    if (record.kind === "completion") {
      this.#unfinished.delete(`${record.requestHash}#${record.occurrence}`);
    }
    this.#records.push(record);
    await this.#writer?.append(record);
    this.#onRecord?.(record);
  }

  /** Sums the records written through this object. */
  summary(): LedgerSummary {
    return summarizeLedger(this.#records);
  }

  /** Closes the file, if any. */
  async close(): Promise<void> {
    await this.#writer?.close();
  }

  /** Closes the file, if any. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
