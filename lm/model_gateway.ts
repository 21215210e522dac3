/**
 * The run's single way to a model: global budget and cost cap, cache and replay, ledger.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { AuditHook } from "./audit_hook.ts";
import type { ChatBackend, ChatMessage, ChatRequest, ChatResult } from "./chat_backend.ts";
import { BudgetExceededError, ModelError, ReplayMissError } from "./errors.ts";
import type { GlobalBudget, Reservation } from "./global_budget.ts";
import {
  describeNoAnswer,
  Ledger,
  ledgerFateFields,
  type LedgerRecord,
  noAnswerReason,
} from "./ledger.ts";
import { costUsd, DEFAULT_PRICES, priceFor, type PriceTable } from "./price_table.ts";
import { requestHash } from "./request_hash.ts";
import type { ResponseCache } from "./response_cache.ts";
import { deriveSeed } from "../common/seeded_random.ts";
import { worstCasePromptTokens } from "./token_estimate.ts";

/** Options of a gateway. */
export interface ModelGatewayOptions {
  /** Where every request, hit and refusal is recorded. @default an in-memory ledger */
  ledger?: Ledger;
  /** The response cache. @default none */
  cache?: ResponseCache;
  /** Answer from the cache only; a miss is a `ReplayMissError`. Needs `cache`. @default false */
  replay?: boolean;
  /** The run's caps on calls, tokens and dollars. @default unlimited */
  globalBudget?: GlobalBudget;
  /** Prices. @default DEFAULT_PRICES */
  prices?: PriceTable;
  /** Cap on completion tokens per reply, sent with every request. @default 4096 */
  maxTokens?: number;
  /** Seed from which per-request sampling seeds are derived. @default 0 */
  seed?: number;
  /** Send a derived `seed` with each request (needed for exact stand-in replay). @default true */
  sendSeed?: boolean;
  /** Where refusals are reported. @default none */
  audit?: AuditHook;
  /** Run id written into ledger records. @default none */
  run?: string;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number;
}

/** One logical model call: one request per message, `n` replies each. */
export interface ModelCall {
  /** The system message. */
  expertise: string;
  /** The user messages, one request each. */
  messages: readonly string[];
  /** Replies per message. */
  n: number;
  /** Temperature; omitted means the server's default. */
  temperature?: number;
  /**
   * Namespace of occurrence counting: calls made concurrently by independent parts of a run
   * (e.g. parallel improver runs) should each pass their own stable scope, so that the k-th
   * identical request of a scope replays the same answer whatever the scheduling. @default ""
   */
  scope?: string;
}

interface PlannedRequest {
  request: ChatRequest;
  key: string;
  scope: string | undefined;
}

/**
 * The one path from model objects to a backend. It reserves each call's worst case in the
 * global budget (refusing calls that could overshoot, at no cost), answers from the cache by
 * occurrence when it can, records an intent before and a completion after each paid request,
 * and stores answers in the cache.
 *
 * @example
 * ```ts
 * import { ModelGateway } from "./model_gateway.ts";
 * import { OfflineBackend } from "../stand_in/offline_backend.ts";
 * import { equal } from "node:assert/strict";
 * const gateway = new ModelGateway(new OfflineBackend({ catalog: [] }));
 * const replies = await gateway.call({ expertise: "You help.", messages: ["hello"], n: 2 });
 * equal(replies.length, 2);
 * equal(gateway.ledger.summary().answered, 1);
 * ```
 */
export class ModelGateway {
  readonly #backend: ChatBackend;
  readonly #ledger: Ledger;
  readonly #cache: ResponseCache | undefined;
  readonly #replay: boolean;
  readonly #budget: GlobalBudget | undefined;
  readonly #prices: PriceTable;
  readonly #maxTokens: number;
  readonly #seed: number;
  readonly #sendSeed: boolean;
  readonly #audit: AuditHook | undefined;
  readonly #run: string | undefined;
  readonly #clock: () => number;
  readonly #occurrences = new Map<string, number>();

  /**
   * Creates a gateway.
   *
   * @param backend What answers requests.
   * @param options Ledger, cache, budget, prices and seeds.
   * @throws {TypeError} When `replay` is set without a cache.
   * @throws {RangeError} When `maxTokens` is not a positive integer.
   */
  constructor(backend: ChatBackend, options: ModelGatewayOptions = {}) {
    if (options.replay && options.cache === undefined) {
      throw new TypeError("Cannot replay without a cache: pass 'cache' with 'replay'");
    }
    const maxTokens = options.maxTokens ?? 4096;
    if (!Number.isInteger(maxTokens) || maxTokens < 1) {
      throw new RangeError(
        `Cannot create a model gateway as 'maxTokens' must be an integer >= 1: current value is ${maxTokens}`,
      );
    }
    this.#backend = backend;
    this.#ledger = options.ledger ?? new Ledger();
    this.#cache = options.cache;
    this.#replay = options.replay ?? false;
    this.#budget = options.globalBudget;
    this.#prices = options.prices ?? DEFAULT_PRICES;
    this.#maxTokens = maxTokens;
    this.#seed = options.seed ?? 0;
    this.#sendSeed = options.sendSeed ?? true;
    this.#audit = options.audit;
    this.#run = options.run;
    this.#clock = options.clock ?? Date.now;
  }

  /** The model name requests go to. */
  get model(): string {
    return this.#backend.model;
  }

  /**
   * Whether the offline stand-in (not a language model) is answering: the backend is the
   * in-process stand-in, or a reply so far (this process's or, on resume, an earlier one's)
   * came from it, e.g. over HTTP from `stop lm-serve`.
   */
  get standIn(): boolean {
    return this.#backend.standIn || this.#ledger.records.some((r) => r.standIn);
  }

  /** The ledger. */
  get ledger(): Ledger {
    return this.#ledger;
  }

  /** The audit hook, if any. */
  get audit(): AuditHook | undefined {
    return this.#audit;
  }

  /** The global budget, if any. */
  get globalBudget(): GlobalBudget | undefined {
    return this.#budget;
  }

  /**
   * The worst case of one request: tokens (prompt billed once per reply, in case the server
   * ignores `n`) and dollars (`null` when the model is unpriced).
   *
   * @param messages The conversation.
   * @param n Replies.
   * @returns Worst-case tokens and dollars.
   */
  worstCase(messages: readonly ChatMessage[], n: number): { tokens: number; usd: number | null } {
    const promptTokens = worstCasePromptTokens(messages) * n;
    const completionTokens = this.#maxTokens * n;
    if (this.#backend.standIn) return { tokens: promptTokens + completionTokens, usd: 0 };
    const price = priceFor(this.#backend.model, this.#prices);
    return {
      tokens: promptTokens + completionTokens,
      usd: price === undefined ? null : costUsd(price, promptTokens, completionTokens),
    };
  }

  /**
   * Makes one logical call.
   *
   * @param call The expertise, messages, replies per message and temperature.
   * @returns The replies: `n` per message, in message order.
   * @throws {BudgetExceededError} When the global budget or cost cap refuses (nothing sent).
   * @throws {ReplayMissError} In replay mode, when an answer is not cached.
   * @throws {ModelError} When the backend fails.
   */
  async call(call: ModelCall): Promise<string[]> {
    const planned = this.#plan(call);
    let reservation: Reservation | undefined;
    if (this.#budget !== undefined) {
      let tokens = 0;
      let usd: number | null = 0;
      for (const { request } of planned) {
        const worst = this.worstCase(request.messages, request.n);
        tokens += worst.tokens;
        usd = usd === null || worst.usd === null ? null : usd + worst.usd;
      }
      try {
        reservation = this.#budget.reserve({ calls: 1, tokens, usd });
      } catch (error) {
        if (error instanceof BudgetExceededError) {
          await this.#refuse(planned.map((p) => ({ ...p, occurrence: -1 })), error.message);
          this.#audit?.record({ kind: "budget_exceeded", detail: error.message });
        }
        throw error;
      }
    }
    const withOccurrence = planned.map((p) => {
      const occurrence = this.#occurrences.get(p.key) ?? 0;
      this.#occurrences.set(p.key, occurrence + 1);
      return { ...p, occurrence };
    });
    if (this.#replay) {
      const misses = withOccurrence.filter((p) =>
        this.#cache?.get(p.key, p.occurrence) === undefined
      );
      if (misses.length > 0) {
        if (reservation !== undefined) this.#budget?.release(reservation);
        const first = misses[0]!;
        const message =
          `Cannot replay a model call as the cache has no answer for request ${first.key} (occurrence ${first.occurrence}); replay mode touches no network`;
        await this.#refuse(misses, message);
        throw new ReplayMissError(message);
      }
    }
    const outcomes = await Promise.allSettled(withOccurrence.map((p) => this.#answer(p)));
    let tokens = 0;
    let usd: number | null = 0;
    let failure: unknown;
    const replies: string[] = [];
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") {
        failure ??= outcome.reason;
        continue;
      }
      tokens += outcome.value.tokens;
      usd = usd === null || outcome.value.usd === null ? null : usd + outcome.value.usd;
      replies.push(...outcome.value.choices);
    }
    if (reservation !== undefined) this.#budget?.settle(reservation, { tokens, usd });
    if (failure !== undefined) throw failure;
    return replies;
  }

  /**
   * Records a call that a model object refused before it reached the gateway (its own budget,
   * too many replies, too long a prompt): one `refused` ledger record (for the first message,
   * with `n` the replies asked for in all), cost 0.
   *
   * @param call The refused call.
   * @param reason Why it was refused.
   */
  async recordRefusal(call: ModelCall, reason: string): Promise<void> {
    // One record per refused call, however many messages it had.
    const [first] = this.#plan({
      ...call,
      messages: call.messages.slice(0, 1),
      n: call.n * call.messages.length,
    });
    if (first !== undefined) await this.#refuse([{ ...first, occurrence: -1 }], reason);
  }

  #plan(call: ModelCall): PlannedRequest[] {
    return call.messages.map((message) => {
      const request: ChatRequest = {
        messages: [{ role: "system", content: call.expertise }, { role: "user", content: message }],
        n: call.n,
        maxTokens: this.#maxTokens,
        ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
      };
      const hash = requestHash(this.#backend.model, request);
      const key = call.scope === undefined || call.scope === ""
        ? hash
        : createHash("sha256").update(`${call.scope}\u0000${hash}`).digest("hex");
      return { request, key, scope: call.scope === "" ? undefined : call.scope };
    });
  }

  async #answer(
    p: PlannedRequest & { occurrence: number },
  ): Promise<{ choices: string[]; tokens: number; usd: number | null }> {
    const base = this.#recordBase(p);
    const cached = this.#cache?.get(p.key, p.occurrence);
    const unfinished = cached === undefined
      ? undefined
      : this.#ledger.unfinishedIntent(p.key, p.occurrence);
    if (cached !== undefined && unfinished !== undefined) {
      // An earlier process paid for this answer and stored it, then stopped before recording
      // the completion (the cache is written first, so that nothing paid is asked for twice):
      // record that completion now, under its intent, so that the ledger counts every paid call.
      const usd = this.#costOf(cached.standIn, cached.usage);
      await this.#ledger.append({
        ...base,
        kind: "completion",
        callId: unfinished.callId,
        standIn: cached.standIn,
        promptTokens: cached.usage.promptTokens,
        completionTokens: cached.usage.completionTokens,
        costUsd: usd,
        recovered: true,
        ...(cached.fates === undefined ? {} : ledgerFateFields(cached.choices, cached.fates)),
      });
      return {
        choices: [...cached.choices],
        tokens: cached.usage.promptTokens + cached.usage.completionTokens,
        usd,
      };
    }
    if (cached !== undefined) {
      await this.#ledger.append({
        ...base,
        kind: "cache_hit",
        callId: crypto.randomUUID(),
        standIn: cached.standIn,
        promptTokens: cached.usage.promptTokens,
        completionTokens: cached.usage.completionTokens,
        costUsd: 0,
        cacheHit: true,
        ...ledgerFateFields(cached.choices, cached.fates),
      });
      return {
        choices: [...cached.choices],
        tokens: cached.usage.promptTokens + cached.usage.completionTokens,
        usd: 0,
      };
    }
    const callId = crypto.randomUUID();
    await this.#ledger.append({
      ...base,
      kind: "intent",
      callId,
      reservedUsd: this.worstCase(p.request.messages, p.request.n).usd,
    });
    const started = this.#clock();
    const request: ChatRequest = this.#sendSeed
      ? { ...p.request, seed: deriveSeed("stop-request-seed", this.#seed, p.key, p.occurrence) }
      : p.request;
    let result: ChatResult;
    try {
      result = await this.#backend.complete(request);
      if (result.choices.length !== p.request.n || result.fates.length !== p.request.n) {
        throw new ModelError(
          `The model returned ${result.choices.length} replies where ${p.request.n} were asked for`,
          { kind: "bad_response", attempts: result.attempts },
        );
      }
    } catch (error) {
      await this.#ledger.append({
        ...base,
        kind: "completion",
        callId,
        latencyMs: this.#clock() - started,
        error: describe(error),
        attempts: error instanceof ModelError ? error.attempts : 1,
        ...(error instanceof ModelError && error.retries !== undefined
          ? { retries: error.retries }
          : {}),
      });
      throw error;
    }
    const standIn = this.#backend.standIn || result.standIn;
    // The provider's own figure (OpenRouter's usage.cost) wins over list prices.
    const reported = !standIn && result.costUsd !== undefined;
    const usd = reported ? result.costUsd! : this.#costOf(standIn, result.usage);
    await this.#cache?.put({
      key: p.key,
      occurrence: p.occurrence,
      model: result.model,
      choices: result.choices,
      fates: result.fates,
      usage: result.usage,
      standIn,
    });
    await this.#ledger.append({
      ...base,
      kind: "completion",
      callId,
      standIn,
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
      latencyMs: result.latencyMs,
      costUsd: usd,
      attempts: result.attempts,
      ...(result.retries === undefined ? {} : { retries: result.retries }),
      ...ledgerFateFields(result.choices, result.fates),
      ...(reported ? { costReported: true } : {}),
    });
    this.#auditNoAnswer(result, `${p.key.slice(0, 12)}#${p.occurrence}`);
    return {
      choices: result.choices,
      tokens: result.usage.promptTokens + result.usage.completionTokens,
      usd,
    };
  }

  /** Records each reply of a paid completion that carried no answer, with its reason. */
  #auditNoAnswer(result: ChatResult, request: string): void {
    if (this.#audit === undefined) return;
    for (const [i, fate] of result.fates.entries()) {
      const reason = noAnswerReason(result.choices[i] ?? "", fate);
      if (reason === undefined) continue;
      const why = fate.error ?? fate.refusal;
      this.#audit.record({
        kind: "reply_without_answer",
        signal: reason,
        detail: `reply ${i + 1} of ${result.fates.length} (request ${request}) was ${
          describeNoAnswer(reason)
        }${why === undefined ? "" : `: ${why}`}`,
      });
    }
  }

  #costOf(standIn: boolean, usage: { promptTokens: number; completionTokens: number }) {
    const price = standIn ? { inputPerMillion: 0, outputPerMillion: 0 } : priceFor(
      this.#backend.model,
      this.#prices,
    );
    return price === undefined ? null : costUsd(price, usage.promptTokens, usage.completionTokens);
  }

  async #refuse(requests: (PlannedRequest & { occurrence: number })[], reason: string) {
    for (const p of requests) {
      await this.#ledger.append({
        ...this.#recordBase(p),
        kind: "refused",
        callId: crypto.randomUUID(),
        error: reason,
      });
    }
  }

  #recordBase(p: PlannedRequest & { occurrence: number }): Omit<LedgerRecord, "kind" | "callId"> {
    return {
      time: new Date(this.#clock()).toISOString(),
      ...(this.#run === undefined ? {} : { run: this.#run }),
      ...(p.scope === undefined ? {} : { scope: p.scope }),
      model: this.#backend.model,
      standIn: this.#backend.standIn,
      requestHash: p.key,
      occurrence: p.occurrence,
      n: p.request.n,
      temperature: p.request.temperature ?? null,
      promptTokens: 0,
      completionTokens: 0,
      latencyMs: 0,
      costUsd: 0,
      cacheHit: false,
      error: null,
    };
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
