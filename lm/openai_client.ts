/**
 * The OpenAI-compatible chat backend: the only file that imports `openai`.
 *
 * @module
 */

import OpenAI from "openai";
import type {
  ChatBackend,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatUsage,
} from "./chat_backend.ts";
import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { ModelError, type ModelErrorKind } from "./errors.ts";
import { STAND_IN_MODEL } from "./offline/stand_in.ts";
import { parseRetryAfter, retryDelayMs, type RetryDelayOptions } from "./retry_delay.ts";
import { estimatePromptTokens, estimateTokens } from "./token_estimate.ts";

/** The OpenAI API's base URL. */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";

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
  adapt?: "temperature" | "max_tokens" | "n";
}

interface OneAnswer {
  choices: string[];
  usage: ChatUsage;
  model: string;
  standIn: boolean;
}

class NotHonoured extends Error {}

/**
 * A chat backend for OpenAI and OpenAI-compatible servers (vLLM, llama.cpp, Ollama, Azure,
 * the local stand-in server). It sends `n` where the server honours it and parallel requests
 * where it does not (detected and remembered), omits `temperature` for models that reject it,
 * caps requests in flight, retries 429, 5xx, connection errors, timeouts and unreadable bodies
 * with backoff and jitter honouring `Retry-After`, and never retries 400, 401, 403, 404 or
 * spend-cap errors: those raise a fatal `ModelError` with a clear message.
 *
 * @example
 * ```ts
 * import { OpenAiClient } from "./openai_client.ts";
 * import { equal } from "node:assert/strict";
 * const client = new OpenAiClient({ model: "gpt-4o", apiKey: "sk-test" });
 * equal(client.model, "gpt-4o");
 * equal(client.nHonoured, undefined);
 * ```
 */
export class OpenAiClient implements ChatBackend {
  /** The model name. */
  readonly model: string;
  /** Always `false`; a stand-in server is recognised per reply. */
  readonly standIn = false;
  /** The base URL. */
  readonly baseUrl: string;
  readonly #client: OpenAI;
  readonly #limiter: ConcurrencyLimiter;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retry: RetryDelayOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #clock: () => number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  #omitTemperature: boolean;
  #temperatureRejected = false;
  #maxTokensParameter: "max_tokens" | "max_completion_tokens" = "max_tokens";
  #nHonoured: boolean | undefined;

  /**
   * Creates a client (no request is made).
   *
   * @param options Model, endpoint, key, limits and injected clock, jitter and `fetch`.
   * @throws {RangeError} When a limit is out of range.
   */
  constructor(options: OpenAiClientOptions) {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const maxRetries = options.maxRetries ?? 5;
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
    this.model = options.model;
    this.baseUrl = options.baseUrl ?? OPENAI_BASE_URL;
    this.#timeoutMs = timeoutMs;
    this.#maxRetries = maxRetries;
    this.#limiter = new ConcurrencyLimiter(options.concurrency ?? 8);
    this.#retry = options.retry ?? {};
    this.#sleep = options.sleep ??
      ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#clock = options.clock ?? Date.now;
    this.#onRetry = options.onRetry;
    this.#omitTemperature = options.omitTemperature ?? false;
    this.#client = new OpenAI({
      apiKey: options.apiKey === undefined || options.apiKey === "" ? "no-key" : options.apiKey,
      baseURL: this.baseUrl,
      // Explicit values keep the SDK from reading the environment (least permissions).
      organization: null,
      project: null,
      webhookSecret: null,
      logLevel: "off",
      maxRetries: 0,
      timeout: timeoutMs,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  /** Whether the server honours `n`: `undefined` until a request with `n > 1` tells. */
  get nHonoured(): boolean | undefined {
    return this.#nHonoured;
  }

  /** Whether the model rejected `temperature` (it is omitted from then on). */
  get temperatureRejected(): boolean {
    return this.#temperatureRejected;
  }

  /**
   * Completes one request.
   *
   * @param request The request.
   * @param options An abort signal.
   * @returns The replies, usage, latency and attempts.
   * @throws {ModelError} When the request fails for good.
   */
  async complete(
    request: ChatRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<ChatResult> {
    const started = this.#clock();
    const counter = { attempts: 0 };
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
    if (request.n > 1 && this.#nHonoured === false) {
      answers = await parallel(request.n, request.seed);
    } else {
      try {
        const first = await this.#ask(request, request.n, request.seed, counter, options.signal);
        if (request.n > 1) this.#nHonoured = first.choices.length >= request.n;
        first.choices = first.choices.slice(0, request.n);
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
    return {
      choices: answers.flatMap((a) => a.choices),
      usage: {
        promptTokens: answers.reduce((s, a) => s + a.usage.promptTokens, 0),
        completionTokens: answers.reduce((s, a) => s + a.usage.completionTokens, 0),
        estimated: answers.some((a) => a.usage.estimated),
      },
      latencyMs: this.#clock() - started,
      model: answers[0]?.model ?? this.model,
      attempts: counter.attempts,
      standIn: answers.some((a) => a.standIn),
    };
  }

  /**
   * Lists the models the endpoint serves (`GET /models`), with the same retries.
   *
   * @returns Model ids.
   * @throws {ModelError} When the listing fails for good.
   */
  async listModels(): Promise<string[]> {
    const page = await this.#withRetries({ attempts: 0 }, undefined, async (signal) => {
      const list = await this.#client.models.list({ signal });
      return list.data;
    });
    return page.map((m) => m.id);
  }

  async #ask(
    request: ChatRequest,
    n: number,
    seed: number | undefined,
    counter: { attempts: number },
    signal: AbortSignal | undefined,
  ): Promise<OneAnswer> {
    return await this.#withRetries(counter, n, async (attemptSignal) => {
      const body: Record<string, unknown> = {
        model: this.model,
        messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      };
      if (n !== 1) body.n = n;
      if (request.temperature !== undefined && !this.#omitTemperature) {
        body.temperature = request.temperature;
      }
      if (request.maxTokens !== undefined) body[this.#maxTokensParameter] = request.maxTokens;
      if (seed !== undefined) body.seed = seed;
      const raw: unknown = await this.#client.chat.completions.create(
        body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
        { signal: attemptSignal },
      );
      return this.#parse(raw, request.messages);
    }, signal);
  }

  async #withRetries<T>(
    counter: { attempts: number },
    n: number | undefined,
    attempt: (signal: AbortSignal) => Promise<T>,
    outer?: AbortSignal,
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
        const c = this.#classify(error, timedOut, counter.attempts);
        if (c.adapt !== undefined && adaptations < 3) {
          adaptations++;
          retry--;
          if (c.adapt === "temperature") {
            this.#omitTemperature = true;
            this.#temperatureRejected = true;
          } else if (c.adapt === "max_tokens") {
            this.#maxTokensParameter = "max_completion_tokens";
          } else if (n !== undefined && n > 1) {
            this.#nHonoured = false;
            throw new NotHonoured();
          } else {
            throw c.error;
          }
          continue;
        }
        if (!c.retryable || retry >= this.#maxRetries) throw c.error;
        const delayMs = retryDelayMs(retry, c.retryAfterMs, this.#random, this.#retry);
        this.#onRetry?.({ retry, delayMs, reason: c.error.message, status: c.error.status });
        await this.#sleep(delayMs);
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", onOuterAbort);
      }
    }
  }

  #classify(error: unknown, timedOut: boolean, attempts: number): Classified {
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
        attempts,
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
      return { error, retryable: error.kind === "bad_response", retryAfterMs: undefined };
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
      const text = error.message ?? "";
      const param = error.param ?? "";
      const code = `${error.code ?? ""} ${error.type ?? ""}`;
      if (status === 400 || status === 422) {
        if (param === "temperature" || /temperature/i.test(text)) {
          if (!this.#omitTemperature) {
            return { ...make("bad_request", text, false, status), adapt: "temperature" };
          }
        }
        if (
          (param === "max_tokens" || /max_tokens/.test(text)) &&
          this.#maxTokensParameter === "max_tokens"
        ) {
          return { ...make("bad_request", text, false, status), adapt: "max_tokens" };
        }
        if (param === "n" || /['"`]n['"`]|\bn\s*(=|>|must)/.test(text)) {
          return { ...make("bad_request", text, false, status), adapt: "n" };
        }
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
          `${where} refused the API key (401): ${text}. Check OPENAI_API_KEY`,
          false,
          status,
        );
      }
      if (status === 403) {
        return make("auth", `${where} refused access (403): ${text}`, false, status);
      }
      if (status === 404) {
        return make(
          "not_found",
          `${where} answered 404: ${text}. Check the model name and that the base URL ends in /v1`,
          false,
          status,
        );
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
    const texts = ordered.map((choice) => {
      const message = (choice as Record<string, unknown> | null)?.message as
        | Record<string, unknown>
        | null
        | undefined;
      if (typeof message !== "object" || message === null) throw bad("a choice has no message");
      const content = message.content;
      if (content === null || content === undefined) return "";
      if (typeof content !== "string") throw bad("a message's content is not text");
      return content;
    });
    const usage = body.usage as Record<string, unknown> | null | undefined;
    const prompt = usage?.prompt_tokens;
    const completion = usage?.completion_tokens;
    const known = typeof prompt === "number" && typeof completion === "number" &&
      Number.isFinite(prompt) && Number.isFinite(completion) && prompt >= 0 && completion >= 0;
    const model = typeof body.model === "string" ? body.model : this.model;
    return {
      choices: texts,
      usage: known ? { promptTokens: prompt, completionTokens: completion, estimated: false } : {
        promptTokens: estimatePromptTokens(messages),
        completionTokens: texts.reduce((s, t) => s + estimateTokens(t), 0),
        estimated: true,
      },
      model,
      standIn: model === STAND_IN_MODEL || body.system_fingerprint === STAND_IN_MODEL,
    };
  }
}

function indexOf(choice: unknown): number {
  const index = (choice as Record<string, unknown> | null)?.index;
  return typeof index === "number" ? index : 0;
}
