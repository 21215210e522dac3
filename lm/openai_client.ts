/**
 * The OpenAI-compatible chat backend: the only file that imports `openai`.
 *
 * @module
 */

import OpenAI, { AzureOpenAI } from "openai";
import type {
  ChatBackend,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatUsage,
  ChoiceFate,
  FinishReason,
} from "./chat_backend.ts";
import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { type ErrorBody, readErrorBody } from "./error_body.ts";
import { ModelError, type ModelErrorKind } from "./errors.ts";
import { splitReasoning } from "./split_reasoning.ts";
import { STAND_IN_MODEL } from "./stand_in_name.ts";
import { parseRetryAfter, retryDelayMs, type RetryDelayOptions } from "./retry_delay.ts";
import { estimatePromptTokens, estimateTokens } from "./token_estimate.ts";

/** The OpenAI API's base URL. */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";

/** HTTP attempts of one request, and the transient failures retried, by kind. */
interface AttemptCounter {
  attempts: number;
  retries: Record<string, number>;
}

/** What happened before a retry (for progress display and tests). */
export interface RetryEvent {
  /** Retries made before this one (0-based). */
  retry: number;
  /** Milliseconds waited before retrying. */
  delayMs: number;
  /** Why the attempt failed. */
  reason: string;
  /** HTTP status, if any. */
  status: number | undefined;
}

/**
 * The shape of the requests an endpoint accepts, learned from its rejections (or restored
 * from a run's config, so that a resumed or replayed run sends the same shape).
 */
export interface RequestShape {
  /** The parameter that carries the completion-token cap. */
  maxTokensParameter: "max_tokens" | "max_completion_tokens";
  /** Whether `temperature` is sent (reasoning models accept only their default). */
  temperature: boolean;
  /** Whether `n` is sent; `false` splits a call into parallel single requests. */
  n: boolean;
  /** Whether `seed` is sent. */
  seed: boolean;
  /** The most completion tokens the account can afford per request, when a 402 said so. */
  maxTokensCap?: number;
}

/** The shape of a plain OpenAI chat endpoint. */
export const DEFAULT_REQUEST_SHAPE: Readonly<RequestShape> = {
  maxTokensParameter: "max_tokens",
  temperature: true,
  n: true,
  seed: true,
};

/** What an adaptation changed (reported once per kind). */
export type AdaptationKind =
  | "max_completion_tokens"
  | "max_tokens"
  | "omit_temperature"
  | "split_n"
  | "omit_seed"
  | "fit_context"
  | "fit_credit"
  | "fit_output";

/** An adaptation of the request shape to what the endpoint accepts. */
export interface AdaptationEvent {
  /** What changed. */
  kind: AdaptationKind;
  /** What the run will do, for people. */
  message: string;
}

/** Options of the OpenAI-compatible client. */
export interface OpenAiClientOptions {
  /** The model name. */
  model: string;
  /** Base URL of the API (ends in `/v1` for most servers). @default OPENAI_BASE_URL */
  baseUrl?: string;
  /** API key; local servers often need none. @default "no-key" */
  apiKey?: string;
  /** Deadline of one HTTP attempt, body included, in milliseconds. @default 120000 */
  timeoutMs?: number;
  /** Retries after a 429, 5xx, connection error, timeout or unreadable body. @default 5 */
  maxRetries?: number;
  /** HTTP requests in flight at most. @default 8 */
  concurrency?: number;
  /** Backoff settings. @default {} */
  retry?: RetryDelayOptions;
  /** Never send `temperature` (set automatically when the model rejects it). @default false */
  omitTemperature?: boolean;
  /** The request shape to start from (a run's stored one). @default DEFAULT_REQUEST_SHAPE */
  shape?: RequestShape;
  /** Fewest completion tokens a request may be lowered to, to fit a context or credit. @default 512 */
  minMaxTokens?: number;
  /**
   * Azure OpenAI `api-version`; setting it (or a `*.azure.com` base URL) uses the `openai`
   * package's `AzureOpenAI` client: `api-key` header, deployment in the path. @default none
   */
  apiVersion?: string;
  /** Told once per kind when the request shape adapts to the endpoint. @default none */
  onAdapt?: (event: AdaptationEvent) => void;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Waits between retries. @default a `setTimeout` promise */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source. @default Math.random */
  random?: () => number;
  /** Milliseconds, for latency and `Retry-After` dates. @default Date.now */
  clock?: () => number;
  /** Told before each retry. @default none */
  onRetry?: (event: RetryEvent) => void;
}

interface Classified {
  error: ModelError;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

interface OneAnswer {
  choices: string[];
  fates: ChoiceFate[];
  usage: ChatUsage;
  costUsd: number | undefined;
  model: string;
  standIn: boolean;
}

/** What one request sent, and how to change the next attempt of it. */
interface Attempt {
  sent: Record<string, unknown>;
  maxTokens: number | undefined;
}

/** How an adaptation answers a rejection: send again, or split `n`. */
type Adapted = "again" | "split" | undefined;

const AZURE_HOST =
  /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i;

/**
 * Whether a base URL (with an API version, or not) is an Azure OpenAI endpoint.
 *
 * @param baseUrl The base URL.
 * @param apiVersion The `api-version`, if any.
 * @returns Whether the Azure client is used.
 *
 * @example
 * ```ts
 * import { isAzureEndpoint } from "./openai_client.ts";
 * import { equal } from "node:assert/strict";
 * equal(isAzureEndpoint("https://res.openai.azure.com/openai", undefined), true);
 * equal(isAzureEndpoint("http://127.0.0.1:8080/v1", undefined), false);
 * ```
 */
export function isAzureEndpoint(baseUrl: string, apiVersion: string | undefined): boolean {
  if (apiVersion !== undefined && apiVersion !== "") return true;
  try {
    return AZURE_HOST.test(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}

class NotHonoured extends Error {}

/**
 * A chat backend for OpenAI and OpenAI-compatible servers (vLLM, llama.cpp, Ollama, Azure,
 * OpenRouter, the local stand-in server). It adapts the request shape from what a rejected
 * request carried and what the rejection says (`max_completion_tokens` for reasoning models,
 * no `temperature`, `n` split into parallel single requests, no `seed`, fewer `max_tokens` to
 * fit the context window or the credit), so requests already in flight when the first
 * rejection arrives converge; it keeps each choice's fate (finish reason, refusal, filter,
 * upstream error) and its reasoning apart from the answer; it caps requests in flight,
 * retries 429, 5xx, connection errors, timeouts and unreadable bodies with backoff and jitter
 * honouring `Retry-After`, and raises a fatal `ModelError` for what retrying cannot fix.
 *
 * @example
 * ```ts
 * import { OpenAiClient } from "./openai_client.ts";
 * import { equal } from "node:assert/strict";
 * const client = new OpenAiClient({ model: "gpt-4o", apiKey: "sk-test" });
 * equal(client.model, "gpt-4o");
 * equal(client.nHonoured, undefined);
 * equal(client.shape.maxTokensParameter, "max_tokens");
 * ```
 */
export class OpenAiClient implements ChatBackend {
  /** The model name (the deployment name on Azure). */
  readonly model: string;
  /** Always `false`; a stand-in server is recognised per reply. */
  readonly standIn = false;
  /** The base URL. */
  readonly baseUrl: string;
  /** Whether the endpoint is Azure OpenAI. */
  readonly azure: boolean;
  readonly #client: OpenAI;
  readonly #limiter: ConcurrencyLimiter;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retry: RetryDelayOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #clock: () => number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #onAdapt: ((event: AdaptationEvent) => void) | undefined;
  readonly #minMaxTokens: number;
  readonly #shape: RequestShape;
  readonly #adaptations = new Map<AdaptationKind, AdaptationEvent>();
  #nHonoured: boolean | undefined;
  #contextTokens: number | undefined;

  /**
   * Creates a client (no request is made).
   *
   * @param options Model, endpoint, key, limits and injected clock, jitter and `fetch`.
   * @throws {RangeError} When a limit is out of range.
   */
  constructor(options: OpenAiClientOptions) {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const maxRetries = options.maxRetries ?? 5;
    const minMaxTokens = options.minMaxTokens ?? 512;
    if (!(timeoutMs > 0)) {
      throw new RangeError(
        `Cannot create the client as 'timeoutMs' must be > 0: current value is ${timeoutMs}`,
      );
    }
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new RangeError(
        `Cannot create the client as 'maxRetries' must be an integer >= 0: current value is ${maxRetries}`,
      );
    }
    if (!Number.isInteger(minMaxTokens) || minMaxTokens < 1) {
      throw new RangeError(
        `Cannot create the client as 'minMaxTokens' must be an integer >= 1: current value is ${minMaxTokens}`,
      );
    }
    this.model = options.model;
    this.baseUrl = options.baseUrl ?? OPENAI_BASE_URL;
    this.#timeoutMs = timeoutMs;
    this.#maxRetries = maxRetries;
    this.#minMaxTokens = minMaxTokens;
    this.#limiter = new ConcurrencyLimiter(options.concurrency ?? 8);
    this.#retry = options.retry ?? {};
    this.#sleep = options.sleep ??
      ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#clock = options.clock ?? Date.now;
    this.#onRetry = options.onRetry;
    this.#onAdapt = options.onAdapt;
    this.#shape = { ...DEFAULT_REQUEST_SHAPE, ...options.shape };
    if (options.omitTemperature) this.#shape.temperature = false;
    if (options.shape?.n === false) this.#nHonoured = false;
    const apiKey = options.apiKey === undefined || options.apiKey === ""
      ? "no-key"
      : options.apiKey;
    const fetchWith = options.fetch ?? globalThis.fetch;
    const common = {
      apiKey,
      baseURL: this.baseUrl,
      // Explicit values keep the SDK from reading the environment (least permissions).
      organization: null,
      project: null,
      webhookSecret: null,
      logLevel: "off" as const,
      maxRetries: 0,
      timeout: timeoutMs,
      // Error bodies come in many shapes; the SDK reads only `{"error":{…}}`.
      fetch: ((input, init) => normalizeErrors(fetchWith, input, init)) as typeof fetch,
    };
    this.azure = isAzureEndpoint(this.baseUrl, options.apiVersion);
    if (this.azure) {
      if (options.apiVersion === undefined || options.apiVersion === "") {
        throw new TypeError(
          `Cannot use the Azure OpenAI endpoint '${this.baseUrl}' without an API version: pass --api-version (e.g. 2024-10-21) or set OPENAI_API_VERSION`,
        );
      }
      this.#client = new AzureOpenAI({ ...common, apiVersion: options.apiVersion });
    } else {
      this.#client = new OpenAI(common);
    }
  }

  /** Whether the server honours `n`: `undefined` until a request with `n > 1` tells. */
  get nHonoured(): boolean | undefined {
    return this.#nHonoured;
  }

  /** Whether the model rejected `temperature` (it is omitted from then on). */
  get temperatureRejected(): boolean {
    return !this.#shape.temperature;
  }

  /** The request shape learned so far (store it with the run; pass it back as `shape`). */
  get shape(): RequestShape {
    return { ...this.#shape };
  }

  /** The adaptations made so far, one per kind, in order. */
  get adaptations(): AdaptationEvent[] {
    return [...this.#adaptations.values()];
  }

  /** The context window, when a rejection stated it. */
  get contextTokens(): number | undefined {
    return this.#contextTokens;
  }

  /**
   * Completes one request.
   *
   * @param request The request.
   * @param options An abort signal.
   * @returns The replies (answers only), their fates, usage, latency and attempts.
   * @throws {ModelError} When the request fails for good.
   */
  async complete(
    request: ChatRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<ChatResult> {
    const started = this.#clock();
    const counter: AttemptCounter = { attempts: 0, retries: {} };
    const parallel = async (count: number, firstSeed: number | undefined) =>
      await Promise.all(
        Array.from(
          { length: count },
          (_, i) =>
            this.#ask(
              request,
              1,
              firstSeed === undefined ? undefined : firstSeed + i,
              counter,
              options.signal,
            ),
        ),
      );
    let answers: OneAnswer[];
    if (request.n > 1 && !this.#shape.n) {
      answers = await parallel(request.n, request.seed);
    } else {
      try {
        const first = await this.#ask(request, request.n, request.seed, counter, options.signal);
        if (request.n > 1) {
          this.#nHonoured = first.choices.length >= request.n;
          if (!this.#nHonoured) {
            this.#learn(
              "split_n",
              () => {
                this.#shape.n = false;
              },
              `the endpoint answered ${first.choices.length} of ${request.n} choices (it ignores n): each call is split into parallel single requests (prompt tokens are paid per reply)`,
            );
          }
        }
        first.choices = first.choices.slice(0, request.n);
        first.fates = first.fates.slice(0, request.n);
        const got = first.choices.length;
        answers = [first];
        if (got < request.n) {
          answers.push(
            ...await parallel(
              request.n - got,
              request.seed === undefined ? undefined : request.seed + got,
            ),
          );
        }
      } catch (error) {
        if (!(error instanceof NotHonoured)) throw error;
        answers = await parallel(request.n, request.seed);
      }
    }
    const costs = answers.map((a) => a.costUsd);
    return {
      choices: answers.flatMap((a) => a.choices),
      fates: answers.flatMap((a) => a.fates),
      usage: {
        promptTokens: answers.reduce((s, a) => s + a.usage.promptTokens, 0),
        completionTokens: answers.reduce((s, a) => s + a.usage.completionTokens, 0),
        estimated: answers.some((a) => a.usage.estimated),
        ...(answers.some((a) => a.usage.reasoningTokens !== undefined)
          ? { reasoningTokens: answers.reduce((s, a) => s + (a.usage.reasoningTokens ?? 0), 0) }
          : {}),
      },
      latencyMs: this.#clock() - started,
      model: answers[0]?.model ?? this.model,
      attempts: counter.attempts,
      ...(Object.keys(counter.retries).length === 0 ? {} : { retries: counter.retries }),
      standIn: answers.some((a) => a.standIn),
      ...(costs.every((c) => c !== undefined)
        ? { costUsd: costs.reduce((s: number, c) => s + (c ?? 0), 0) }
        : {}),
    };
  }

  /**
   * Lists the models the endpoint serves (`GET /models`), with the same retries.
   *
   * @returns Model ids.
   * @throws {ModelError} When the listing fails for good.
   */
  async listModels(): Promise<string[]> {
    const page = await this.#withRetries({ attempts: 0, retries: {} }, async (signal) => {
      const list = await this.#client.models.list({ signal });
      return list.data;
    });
    return page.map((m) => m.id);
  }

  async #ask(
    request: ChatRequest,
    n: number,
    seed: number | undefined,
    counter: AttemptCounter,
    signal: AbortSignal | undefined,
  ): Promise<OneAnswer> {
    const attempt: Attempt = { sent: {}, maxTokens: request.maxTokens };
    return await this.#withRetries(
      counter,
      async (attemptSignal) => {
        const body: Record<string, unknown> = {
          model: this.model,
          messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
        };
        if (n !== 1) body.n = n;
        if (request.temperature !== undefined && this.#shape.temperature) {
          body.temperature = request.temperature;
        }
        if (attempt.maxTokens !== undefined) {
          const cap = this.#shape.maxTokensCap;
          body[this.#shape.maxTokensParameter] = cap === undefined
            ? attempt.maxTokens
            : Math.min(cap, attempt.maxTokens);
        }
        if (seed !== undefined && this.#shape.seed) body.seed = seed;
        attempt.sent = body;
        const raw: unknown = await this.#client.chat.completions.create(
          body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
          { signal: attemptSignal },
        );
        return this.#parse(raw, request.messages);
      },
      signal,
      (status, body) => this.#adapt(status, body, attempt),
    );
  }

  async #withRetries<T>(
    counter: AttemptCounter,
    attempt: (signal: AbortSignal) => Promise<T>,
    outer?: AbortSignal,
    adapt?: (status: number, body: ErrorBody) => Adapted,
  ): Promise<T> {
    let adaptations = 0;
    for (let retry = 0;; retry++) {
      counter.attempts++;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.#timeoutMs);
      const onOuterAbort = () => controller.abort();
      outer?.addEventListener("abort", onOuterAbort);
      try {
        return await this.#limiter.run(() => attempt(controller.signal));
      } catch (error) {
        if (outer?.aborted) throw error;
        if (
          adapt !== undefined && adaptations < 8 && error instanceof OpenAI.APIError &&
          typeof error.status === "number"
        ) {
          const adapted = adapt(error.status, errorBodyOf(error));
          if (adapted === "split") throw new NotHonoured();
          if (adapted === "again") {
            // A rejected request is not paid and is not a failure: send the adapted one.
            adaptations++;
            retry--;
            continue;
          }
        }
        const c = this.#classify(error, timedOut, counter);
        if (!c.retryable || retry >= this.#maxRetries) throw c.error;
        const kind = timedOut ? "timeout" : c.error.status ?? c.error.kind;
        counter.retries[kind] = (counter.retries[kind] ?? 0) + 1;
        const delayMs = retryDelayMs(retry, c.retryAfterMs, this.#random, this.#retry);
        this.#onRetry?.({ retry, delayMs, reason: c.error.message, status: c.error.status });
        await this.#sleep(delayMs);
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", onOuterAbort);
      }
    }
  }

  /** Records an adaptation (once per kind) and applies it. */
  #learn(kind: AdaptationKind, apply: () => void, message: string): void {
    apply();
    if (this.#adaptations.has(kind)) return;
    const event = { kind, message };
    this.#adaptations.set(kind, event);
    this.#onAdapt?.(event);
  }

  /**
   * Decides from what the rejected request carried and what the rejection says whether the
   * request can be sent again in another shape. Deciding by the request sent (not by the
   * current setting) lets every request in flight at the first rejection converge.
   */
  #adapt(status: number, body: ErrorBody, attempt: Attempt): Adapted {
    const sent = attempt.sent;
    const text = `${body.message} ${body.code ?? ""} ${body.type ?? ""}`;
    const param = body.param ?? "";
    const tokenParameter = "max_completion_tokens" in sent
      ? "max_completion_tokens"
      : "max_tokens" in sent
      ? "max_tokens"
      : undefined;
    const sentTokens = tokenParameter === undefined ? undefined : sent[tokenParameter] as number;
    // Too little credit for this many tokens (OpenRouter 402): lower to what is affordable.
    const afford = /can only afford (\d+)/i.exec(text);
    if (status === 402 && afford !== null && sentTokens !== undefined) {
      const affordable = Number(afford[1]);
      if (affordable >= this.#minMaxTokens && affordable < sentTokens) {
        this.#learn(
          "fit_credit",
          () => {
            this.#shape.maxTokensCap = Math.min(this.#shape.maxTokensCap ?? Infinity, affordable);
          },
          `the account affords ${affordable} completion tokens per request, not ${sentTokens}: max_tokens is lowered to ${affordable}`,
        );
        return "again";
      }
      return undefined;
    }
    if (status === 400 || status === 413 || status === 422) {
      // The prompt plus max_tokens exceed the context window: lower max_tokens to fit.
      const fit = this.#fitContext(body, sentTokens);
      if (fit !== undefined) {
        attempt.maxTokens = fit.maxTokens;
        this.#learn(
          "fit_context",
          () => {
            this.#contextTokens = fit.contextTokens;
          },
          `the context window is ${fit.contextTokens} tokens: max_tokens is lowered per request to fit the prompt (at least ${this.#minMaxTokens})`,
        );
        return "again";
      }
      // The token parameter itself is refused (not "max_tokens is too large", a context or
      // output-cap error that names the parameter): send the other one.
      if (
        tokenParameter !== undefined &&
        (param === tokenParameter || text.includes(tokenParameter)) &&
        /unsupported|not supported|unrecognized|unknown (?:field|param)|extra (?:field|input)|not permitted|use '/i
          .test(text) &&
        !/too large|context length|at most \d+/i.test(text)
      ) {
        const other = tokenParameter === "max_tokens" ? "max_completion_tokens" : "max_tokens";
        this.#learn(
          other,
          () => {
            this.#shape.maxTokensParameter = other;
          },
          `the model takes '${other}' instead of '${tokenParameter}'`,
        );
        return "again";
      }
      // The model's own output cap ("supports at most N completion tokens"): send at most N.
      const cap = numberIn(/supports at most (\d+) completion tokens/i, text);
      if (cap !== undefined && sentTokens !== undefined && cap < sentTokens) {
        this.#learn(
          "fit_output",
          () => {
            this.#shape.maxTokensCap = Math.min(this.#shape.maxTokensCap ?? Infinity, cap);
          },
          `the model writes at most ${cap} completion tokens: max_tokens is lowered to ${cap}`,
        );
        return "again";
      }
      if ("temperature" in sent && (param === "temperature" || /\btemperature\b/i.test(text))) {
        this.#learn(
          "omit_temperature",
          () => {
            this.#shape.temperature = false;
          },
          "the model rejects 'temperature': it is omitted, so every reply uses the model's default",
        );
        return "again";
      }
      if ("seed" in sent && (param === "seed" || /['"`]seed['"`]/.test(text))) {
        this.#learn(
          "omit_seed",
          () => {
            this.#shape.seed = false;
          },
          "the server rejects 'seed': it is omitted, so sampling is not reproducible",
        );
        return "again";
      }
    }
    if (typeof sent.n === "number" && sent.n > 1 && refusesN(status, param, text)) {
      this.#nHonoured = false;
      this.#learn(
        "split_n",
        () => {
          this.#shape.n = false;
        },
        `the endpoint allows one choice per request: each call is split into parallel requests (prompt tokens are paid per reply)`,
      );
      return "split";
    }
    return undefined;
  }

  #fitContext(
    body: ErrorBody,
    sentTokens: number | undefined,
  ): { maxTokens: number; contextTokens: number } | undefined {
    if (sentTokens === undefined) return undefined;
    const text = body.message;
    const context = body.contextTokens ??
      numberIn(/maximum context length is (\d+)/i, text) ??
      numberIn(/context (?:length|size|window) (?:is |of )?(\d+)/i, text);
    const prompt = body.promptTokens ??
      numberIn(/(\d+) (?:tokens )?in the messages/i, text) ??
      numberIn(/has (\d+) input tokens/i, text) ??
      numberIn(/(\d+) input tokens/i, text);
    if (context === undefined || prompt === undefined) return undefined;
    const room = context - prompt - 8;
    if (room >= sentTokens || room < this.#minMaxTokens) return undefined;
    return { maxTokens: room, contextTokens: context };
  }

  #classify(error: unknown, timedOut: boolean, counter: AttemptCounter): Classified {
    const where = `${this.baseUrl} (model '${this.model}')`;
    const make = (
      kind: ModelErrorKind,
      message: string,
      retryable: boolean,
      status?: number,
      retryAfterMs?: number,
    ): Classified => ({
      error: new ModelError(message, {
        kind,
        attempts: counter.attempts,
        ...(Object.keys(counter.retries).length === 0 ? {} : { retries: { ...counter.retries } }),
        cause: error,
        ...(status === undefined ? {} : { status }),
      }),
      retryable,
      retryAfterMs,
    });
    if (timedOut || error instanceof OpenAI.APIConnectionTimeoutError) {
      return make(
        "unavailable",
        `The model request to ${where} timed out after ${this.#timeoutMs} ms`,
        true,
      );
    }
    if (error instanceof ModelError) {
      const retries = Object.keys(counter.retries).length === 0 ? undefined : counter.retries;
      const counted = retries === undefined ? error : new ModelError(error.message, {
        kind: error.kind,
        attempts: counter.attempts,
        retries: { ...retries },
        cause: error.cause,
        ...(error.status === undefined ? {} : { status: error.status }),
      });
      return { error: counted, retryable: error.kind === "bad_response", retryAfterMs: undefined };
    }
    if (error instanceof OpenAI.APIConnectionError) {
      const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
      return make(
        "unavailable",
        `Cannot reach ${where}${cause}. Check the base URL (--base-url or OPENAI_BASE_URL)`,
        true,
      );
    }
    if (error instanceof OpenAI.APIError && typeof error.status === "number") {
      const status = error.status;
      const body = errorBodyOf(error);
      const text = body.message.replace(/[.\s]+$/, "") +
        (body.upstream === undefined ? "" : ` (${body.upstream})`);
      const code = `${body.code ?? ""} ${body.type ?? ""} ${body.innerCode ?? ""}`;
      if (
        /content_filter|ResponsibleAIPolicyViolation/i.test(code) ||
        /content management policy/i.test(text)
      ) {
        const flagged = body.filtered === undefined ? "" : ` (${body.filtered.join(", ")})`;
        return make(
          "content_filter",
          `${where} refused our prompt by its content filter${flagged} (${status}): ${text}. The run stops here; the prompt, not an improver, was refused`,
          false,
          status,
        );
      }
      if (status === 400 || status === 422) {
        return make(
          "bad_request",
          `${where} rejected the request (${status}): ${text}`,
          false,
          status,
        );
      }
      if (status === 401) {
        return make(
          "auth",
          `${where} refused the API key (401): ${text}. Check ${
            this.azure ? "the Azure key (sent as 'api-key')" : "OPENAI_API_KEY"
          }`,
          false,
          status,
        );
      }
      if (status === 403) {
        return make("auth", `${where} refused access (403): ${text}`, false, status);
      }
      if (status === 404) {
        const advice = this.azure
          ? "Check the deployment name (--model), that the base URL is https://RESOURCE.openai.azure.com/openai (or …/openai/deployments/NAME) and the API version"
          : "Check the model name and that the base URL ends in /v1";
        return make("not_found", `${where} answered 404: ${text}. ${advice}`, false, status);
      }
      if (
        status === 402 ||
        (status === 429 && /insufficient_quota|billing|quota/i.test(`${code} ${text}`))
      ) {
        return make(
          "spend_cap",
          `${where} refused for lack of quota or credit (${status}): ${text}. The run stops here`,
          false,
          status,
        );
      }
      if (status === 408 || status === 409 || status === 429 || status >= 500) {
        return make(
          "unavailable",
          `${where} answered ${status}: ${text}`,
          true,
          status,
          parseRetryAfter(error.headers, this.#clock()),
        );
      }
      return make("bad_request", `${where} answered ${status}: ${text}`, false, status);
    }
    if (error instanceof SyntaxError) {
      return make(
        "bad_response",
        `${where} sent a body that is not valid JSON: ${error.message}`,
        true,
      );
    }
    return make(
      "unavailable",
      `The model request to ${where} failed: ${
        error instanceof Error ? error.message : String(error)
      }`,
      true,
    );
  }

  #parse(raw: unknown, messages: readonly ChatMessage[]): OneAnswer {
    const bad = (why: string) =>
      new ModelError(`${this.baseUrl} (model '${this.model}') sent an unusable reply: ${why}`, {
        kind: "bad_response",
      });
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      const preview = typeof raw === "string" ? raw.slice(0, 80) : typeof raw;
      throw bad(`expected a JSON object, got ${JSON.stringify(preview)}`);
    }
    const body = raw as Record<string, unknown>;
    const choices = body.choices;
    if (!Array.isArray(choices) || choices.length === 0) throw bad("no choices");
    const ordered = [...choices].sort((a, b) => indexOf(a) - indexOf(b));
    const texts: string[] = [];
    const fates: ChoiceFate[] = [];
    for (const choice of ordered) {
      const c = (typeof choice === "object" && choice !== null ? choice : {}) as Record<
        string,
        unknown
      >;
      const message = c.message as Record<string, unknown> | null | undefined;
      const failure = upstreamError(c.error);
      if (typeof message !== "object" || message === null) {
        if (failure === undefined) throw bad("a choice has no message");
        texts.push("");
        fates.push({ finishReason: "error", error: failure });
        continue;
      }
      const content = message.content;
      if (content !== null && content !== undefined && typeof content !== "string") {
        throw bad("a message's content is not text");
      }
      const split = splitReasoning(content ?? "");
      const reasoning = [message.reasoning_content, message.reasoning]
        .filter((r): r is string => typeof r === "string" && r !== "");
      if (split.reasoning !== undefined) reasoning.push(split.reasoning);
      const refusal = typeof message.refusal === "string" && message.refusal !== ""
        ? message.refusal
        : undefined;
      let finishReason = finishReasonOf(c.finish_reason);
      if (refusal !== undefined && split.answer === "") finishReason = "refusal";
      if (failure !== undefined) finishReason = "error";
      const filtered = filteredCategories(c.content_filter_results);
      const fate: ChoiceFate = { finishReason };
      if (reasoning.length > 0) fate.reasoning = [...new Set(reasoning)].join("\n\n");
      if (refusal !== undefined) fate.refusal = refusal;
      if (failure !== undefined) fate.error = failure;
      else if (filtered !== undefined) fate.error = `filtered: ${filtered}`;
      texts.push(split.answer);
      fates.push(fate);
    }
    const usage = body.usage as Record<string, unknown> | null | undefined;
    const prompt = usage?.prompt_tokens;
    const completion = usage?.completion_tokens;
    const cost = usage?.cost;
    const details = usage?.completion_tokens_details as Record<string, unknown> | undefined;
    const reasoningTokens = details?.reasoning_tokens;
    const known = typeof prompt === "number" && typeof completion === "number" &&
      Number.isFinite(prompt) && Number.isFinite(completion) && prompt >= 0 && completion >= 0;
    const model = typeof body.model === "string" ? body.model : this.model;
    return {
      choices: texts,
      fates,
      usage: known
        ? {
          promptTokens: prompt,
          completionTokens: completion,
          estimated: false,
          ...(typeof reasoningTokens === "number" && reasoningTokens > 0
            ? { reasoningTokens }
            : {}),
        }
        : {
          promptTokens: estimatePromptTokens(messages),
          completionTokens: texts.reduce((s, t) => s + estimateTokens(t), 0),
          estimated: true,
        },
      costUsd: typeof cost === "number" && Number.isFinite(cost) && cost >= 0 ? cost : undefined,
      model,
      standIn: model === STAND_IN_MODEL || body.system_fingerprint === STAND_IN_MODEL,
    };
  }
}

/** Whether a rejection says the endpoint allows one choice per request. */
function refusesN(status: number, param: string, text: string): boolean {
  if (/only one completion choice/i.test(text)) return true; // llama.cpp, 400 or (older) 500
  if (status !== 400 && status !== 422) return false;
  if (param === "n") return true;
  return /['"`]n['"`]/.test(text) ||
    /\bn\b\s*(?:must|should|can only|has to)\s*(?:be\s*)?(?:1|one|equal to 1|exactly 1|at most 1|less than or equal to 1)\b/i
      .test(text) ||
    /\bn\s*(?:=|>|>=)\s*1\b.*not supported|multiple (?:choices|completions) (?:are )?not supported/i
      .test(text) ||
    /\bn\b\s*:\s*(?:input )?should be (?:1|one|less than or equal to 1)\b/i.test(text);
}

function numberIn(pattern: RegExp, text: string): number | undefined {
  const match = pattern.exec(text);
  return match === null ? undefined : Number(match[1]);
}

function finishReasonOf(value: unknown): FinishReason {
  switch (value) {
    case "stop":
    case "eos":
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "length":
    case "max_tokens":
      return "length";
    case "content_filter":
      return "content_filter";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "error":
    case "abort":
      return "error";
    default:
      return "unknown";
  }
}

function upstreamError(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value !== "object" || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const message = typeof e.message === "string" ? e.message : JSON.stringify(value);
  return e.code === undefined ? message : `${String(e.code)}: ${message}`;
}

function filteredCategories(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const flagged = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) =>
      typeof v === "object" && v !== null && (v as Record<string, unknown>).filtered === true
    )
    .map(([k]) => k);
  return flagged.length === 0 ? undefined : flagged.join(", ");
}

function errorBodyOf(error: InstanceType<typeof OpenAI.APIError>): ErrorBody {
  const e = error.error as Partial<ErrorBody> | undefined;
  if (typeof e === "object" && e !== null && typeof e.message === "string") {
    return e as ErrorBody;
  }
  return { message: error.message.replace(/^\d{3}\s+/, "") };
}

/** Rewrites every error body into the `{"error":{…}}` envelope the SDK reads. */
async function normalizeErrors(
  fetchWith: typeof fetch,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<Response> {
  const response = await fetchWith(input, init);
  if (response.ok) return response;
  const text = await response.text().catch(() => "");
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify({ error: readErrorBody(response.status, text) }), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

function indexOf(choice: unknown): number {
  const index = (choice as Record<string, unknown> | null)?.index;
  return typeof index === "number" ? index : 0;
}
