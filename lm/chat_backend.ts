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
}

/** What a backend returns for one request. */
export interface ChatResult {
  /** One reply per requested choice, in order. */
  choices: string[];
  /** Tokens used. */
  usage: ChatUsage;
  /** Wall-clock time of the whole request, retries included. */
  latencyMs: number;
  /** The model that answered, as the server reported it. */
  model: string;
  /** HTTP attempts made, retries included (0 for an in-process backend). */
  attempts: number;
  /** Whether the answer came from the offline stand-in rather than a language model. */
  standIn: boolean;
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
