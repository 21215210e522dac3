/**
 * The chat-completion backend interface: what the OpenAI-compatible client and the offline
 * stand-in both implement.
 *
 * @module
 */

/** One chat message. */
export interface ChatMessage {
  /** Who speaks. */
  role: "system" | "user" | "assistant";
  /** What is said. */
  content: string;
}

/** One chat-completion request. */
export interface ChatRequest {
  /** The conversation (system message = expertise, then the user message). */
  messages: readonly ChatMessage[];
  /** How many replies to sample. */
  n: number;
  /** Sampling temperature; omitted means the server's default. */
  temperature?: number;
  /** Cap on completion tokens per reply. */
  maxTokens?: number;
  /**
   * Sampling seed. Choice `i` of a request with seed `s` should equal choice 0 of the same
   * request with seed `s + i` (the offline stand-in guarantees it), so a client that splits
   * `n` into parallel requests sends seeds `s, s + 1, …`.
   */
  seed?: number;
}

/** Tokens used by one request. */
export interface ChatUsage {
  /** Prompt tokens (summed over the HTTP requests made). */
  promptTokens: number;
  /** Completion tokens (summed over the HTTP requests made). */
  completionTokens: number;
  /** Whether the counts are estimates (characters / 4) rather than the server's. */
  estimated: boolean;
  /** Of the completion tokens, those spent on hidden reasoning, when the server says. */
  reasoningTokens?: number;
}

/**
 * Why a reply ended: `stop` (the model finished), `length` (cut by the token limit),
 * `content_filter` (the provider filtered it), `refusal` (the model declined, `content: null`
 * with `refusal`), `error` (it failed upstream inside a 200, as OpenRouter reports),
 * `tool_calls`, or `unknown` (the server said nothing usable).
 */
export type FinishReason =
  | "stop"
  | "length"
  | "content_filter"
  | "refusal"
  | "error"
  | "tool_calls"
  | "unknown";

/** What became of one choice: how it ended, and what came with it besides the answer. */
export interface ChoiceFate {
  /** Why the reply ended. */
  finishReason: FinishReason;
  /** The model's reasoning (`<think>` blocks, `reasoning_content`, `reasoning`), never part of the answer. */
  reasoning?: string;
  /** The model's refusal text, when it declined. */
  refusal?: string;
  /** The upstream error of a choice that failed inside a 200, or the filter's verdict. */
  error?: string;
}

/** What a backend returns for one request. */
export interface ChatResult {
  /** One reply per requested choice, in order: the answer only, reasoning removed. */
  choices: string[];
  /** The fate of each choice (same length and order as `choices`). */
  fates: ChoiceFate[];
  /** Tokens used. */
  usage: ChatUsage;
  /** Wall-clock time of the whole request, retries included. */
  latencyMs: number;
  /** The model that answered, as the server reported it. */
  model: string;
  /** HTTP attempts made, retries included (0 for an in-process backend). */
  attempts: number;
  /**
   * Transient failures that were retried, by kind (the HTTP status, or `timeout`,
   * `unavailable`, `bad_response`); absent when there were none.
   */
  retries?: Partial<Record<string, number>>;
  /** Whether the answer came from the offline stand-in rather than a language model. */
  standIn: boolean;
  /** Dollars the provider reported for the request (`usage.cost`), when it reported them. */
  costUsd?: number;
}

/** Anything that completes chat requests. */
export interface ChatBackend {
  /** The model name requests are sent for. */
  readonly model: string;
  /** Whether this backend is the offline stand-in (not a language model). */
  readonly standIn: boolean;
  /** Completes one request; throws `ModelError` when it cannot. */
  complete(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResult>;
}
