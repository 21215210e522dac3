/**
 * Behaviours of real OpenAI-protocol servers, reproduced by the local stand-in server
 * (`stop lm-serve --profile …`) so that the real client is exercised against each of them.
 * Each profile follows the server's documented behaviour and error wording; the replies
 * themselves still come from the offline stand-in (not a language model).
 *
 * @module
 */

import { seededRandom } from "../common/seeded_random.ts";

/** The server behaviours `lm-serve` can reproduce. */
export const SERVER_PROFILES = [
  "openai",
  "vllm",
  "ollama",
  "llamacpp",
  "reasoning",
  "azure",
  "r1",
  "openrouter",
] as const;

/** One of `SERVER_PROFILES`. */
export type ServerProfileName = typeof SERVER_PROFILES[number];

/** An error answer: status and body, as the server would send it. */
export interface ProfileRejection {
  /** HTTP status. */
  status: number;
  /** The JSON body. */
  body: unknown;
}

/** What a profile sees of a completion request. */
export interface ProfileRequest {
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** Replies asked for. */
  n: number;
  /** Prompt tokens (estimated the stand-in's way). */
  promptTokens: number;
  /** The completion-token cap sent, whichever parameter carried it. */
  maxTokens: number | undefined;
  /** The user and system text, joined. */
  text: string;
}

/** One choice as the server sends it. */
export interface ProfileChoice {
  /** The message. */
  message: Record<string, unknown>;
  /** Why it ended. */
  finish_reason: string | null;
  /** Extra fields of the choice (`error`, `content_filter_results`). */
  extra?: Record<string, unknown>;
}

/** Settings of a profile. */
export interface ServerProfileOptions {
  /** Context window of `vllm` and `llamacpp`, in tokens. @default 4096 (vllm), 8192 (llamacpp) */
  contextTokens?: number;
  /** Completion tokens `openrouter`'s account can afford per request. @default 3000 */
  affordableTokens?: number;
  /** Reasoning tokens `reasoning` spends per reply before answering. @default 2048 */
  reasoningTokens?: number;
  /** `llamacpp` answers a refused `n` with 500, as builds before 2024 did. @default false */
  legacy?: boolean;
}

/** A server behaviour. */
export interface ServerProfile {
  /** The profile's name. */
  readonly name: ServerProfileName;
  /** A model id such a server typically serves (listed and accepted besides the stand-in's). */
  readonly model: string;
  /** Whether `n` is honoured; `false` answers one choice whatever `n` asks. */
  readonly honourN: boolean;
  /** Whether the server speaks Azure's dialect (deployment path, `api-version`, `api-key`). */
  readonly azure: boolean;
  /** The rejection the server would send for this request, if any. */
  reject(request: ProfileRequest): ProfileRejection | undefined;
  /** Turns the stand-in's reply into what this server sends for choice `index`. */
  shape(reply: string, request: ProfileRequest, choiceSeed: number): ProfileChoice;
  /** Extra `usage` fields for this request. */
  usage(promptTokens: number, completionTokens: number): Record<string, unknown>;
  /** Completion tokens a reply used (reasoning included). */
  completionTokens(choice: ProfileChoice, answerTokens: number): number;
}

const openAiError = (
  status: number,
  message: string,
  fields: { type?: string | null; param?: string | null; code?: string | number | null } = {},
): ProfileRejection => ({
  status,
  body: {
    error: {
      message,
      type: fields.type === undefined ? "invalid_request_error" : fields.type,
      param: fields.param ?? null,
      code: fields.code ?? null,
    },
  },
});

const stop = (content: string): ProfileChoice => ({
  message: { role: "assistant", content },
  finish_reason: "stop",
});

/** Cuts text to about `tokens` tokens (4 characters each). */
const cut = (text: string, tokens: number) => text.slice(0, Math.max(0, tokens * 4));

/** Generation that stops at `max_tokens` or at the end of the context window, whichever first. */
const stopAtWindow =
  (context: number) => (reply: string, request: ProfileRequest): ProfileChoice => {
    const room = context - request.promptTokens;
    const limit = Math.min(request.maxTokens ?? room, room);
    if (reply.length <= limit * 4) return stop(reply);
    return { message: { role: "assistant", content: cut(reply, limit) }, finish_reason: "length" };
  };

/**
 * Builds a profile.
 *
 * @param name Which server to reproduce.
 * @param options Context window, credit, reasoning spend.
 * @returns The profile.
 * @throws {RangeError} When the name is not a profile.
 *
 * @example
 * ```ts
 * import { serverProfile } from "./server_profile.ts";
 * import { equal } from "node:assert/strict";
 * const llamacpp = serverProfile("llamacpp");
 * const refused = llamacpp.reject({ body: {}, n: 2, promptTokens: 10, maxTokens: 64, text: "" });
 * equal(refused?.status, 400);
 * ```
 */
export function serverProfile(
  name: ServerProfileName,
  options: ServerProfileOptions = {},
): ServerProfile {
  const base = {
    name,
    honourN: true,
    azure: false,
    reject: (_: ProfileRequest): ProfileRejection | undefined => undefined,
    shape: (reply: string): ProfileChoice => stop(reply),
    usage: (): Record<string, unknown> => ({}),
    completionTokens: (_: ProfileChoice, answerTokens: number) => answerTokens,
  };
  switch (name) {
    case "openai":
      return { ...base, model: "gpt-4o-mini" };
    case "vllm": {
      const context = options.contextTokens ?? 4096;
      return {
        ...base,
        model: "Qwen/Qwen2.5-Coder-7B-Instruct",
        reject(request) {
          const asked = request.maxTokens ?? 0;
          if (request.promptTokens + asked <= context) return undefined;
          // vLLM's error body is flat: no "error" envelope.
          return {
            status: 400,
            body: {
              object: "error",
              message:
                `This model's maximum context length is ${context} tokens. However, you requested ${
                  request.promptTokens + asked
                } tokens (${request.promptTokens} in the messages, ${asked} in the completion). Please reduce the length of the messages or completion.`,
              type: "BadRequestError",
              param: null,
              code: 400,
            },
          };
        },
        shape: stopAtWindow(context),
      };
    }
    case "ollama":
      return { ...base, model: "qwen2.5-coder:7b", honourN: false };
    case "llamacpp": {
      const context = options.contextTokens ?? 8192;
      return {
        ...base,
        model: "qwen2.5-coder-7b-instruct-q4_k_m.gguf",
        reject(request) {
          if (request.n > 1) {
            return {
              status: options.legacy ? 500 : 400,
              body: {
                error: {
                  code: options.legacy ? 500 : 400,
                  message: "Only one completion choice is allowed",
                  type: options.legacy ? "server_error" : "invalid_request_error",
                },
              },
            };
          }
          // llama-server refuses only a prompt that does not fit; generation stops at the window.
          if (request.promptTokens > context) {
            return {
              status: 400,
              body: {
                error: {
                  code: 400,
                  message: "the request exceeds the available context size, try increasing it",
                  type: "exceed_context_size_error",
                  n_prompt_tokens: request.promptTokens,
                  n_ctx: context,
                },
              },
            };
          }
          return undefined;
        },
        shape: stopAtWindow(context),
      };
    }
    case "reasoning": {
      const reasoning = options.reasoningTokens ?? 2048;
      return {
        ...base,
        model: "o4-mini",
        reject(request) {
          if ("max_tokens" in request.body) {
            return openAiError(
              400,
              "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
              { param: "max_tokens", code: "unsupported_parameter" },
            );
          }
          const t = request.body.temperature;
          if (t !== undefined && t !== null && t !== 1) {
            return openAiError(
              400,
              `Unsupported value: 'temperature' does not support ${
                String(t)
              } with this model. Only the default (1) value is supported.`,
              { param: "temperature", code: "unsupported_value" },
            );
          }
          return undefined;
        },
        shape(reply, request) {
          const budget = request.maxTokens ?? Infinity;
          // The hidden reasoning spends the budget first; a reply past it is cut to nothing.
          if (reasoning + Math.ceil(reply.length / 4) > budget) {
            return { message: { role: "assistant", content: "" }, finish_reason: "length" };
          }
          return stop(reply);
        },
        usage: () => ({ completion_tokens_details: { reasoning_tokens: reasoning } }),
        completionTokens(choice, answerTokens) {
          return choice.finish_reason === "length"
            ? Math.max(answerTokens, reasoning)
            : reasoning + answerTokens;
        },
      };
    }
    case "azure":
      return {
        ...base,
        model: "gpt-4o-deployment",
        azure: true,
        reject(request) {
          // Azure's prompt shield: a request that tries to subvert the system message.
          if (/ignore (all )?(previous|prior) instructions|jailbreak/i.test(request.text)) {
            return {
              status: 400,
              body: {
                error: {
                  message:
                    "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
                  type: null,
                  param: "prompt",
                  code: "content_filter",
                  status: 400,
                  innererror: {
                    code: "ResponsibleAIPolicyViolation",
                    content_filter_result: {
                      hate: { filtered: false, severity: "safe" },
                      jailbreak: { filtered: true, detected: true },
                      self_harm: { filtered: false, severity: "safe" },
                      sexual: { filtered: false, severity: "safe" },
                      violence: { filtered: false, severity: "safe" },
                    },
                  },
                },
              },
            };
          }
          return undefined;
        },
        shape(reply, _request, choiceSeed) {
          // About one reply in eight is cut by the output filter: content null.
          if (seededRandom("azure-filter", choiceSeed)() < 0.125) {
            return {
              message: { role: "assistant", content: null },
              finish_reason: "content_filter",
              extra: {
                content_filter_results: {
                  violence: { filtered: true, severity: "medium" },
                  hate: { filtered: false, severity: "safe" },
                },
              },
            };
          }
          return {
            ...stop(reply),
            extra: {
              content_filter_results: {
                violence: { filtered: false, severity: "safe" },
                hate: { filtered: false, severity: "safe" },
              },
            },
          };
        },
      };
    case "r1":
      return {
        ...base,
        model: "deepseek-r1-distill-qwen-7b",
        shape(reply, request, choiceSeed) {
          const thinking = r1Thinking(choiceSeed);
          const full = `<think>\n${thinking}\n</think>\n\n${reply}`;
          const limit = request.maxTokens;
          if (limit !== undefined && full.length > limit * 4) {
            return {
              message: { role: "assistant", content: cut(full, limit) },
              finish_reason: "length",
            };
          }
          return stop(full);
        },
      };
    case "openrouter": {
      const affordable = options.affordableTokens ?? 3000;
      let choices = 0;
      return {
        ...base,
        model: "openai/gpt-4o-mini",
        reject(request) {
          // Without max_tokens the credit check uses the model's default output cap.
          const asked = request.maxTokens ?? 16384;
          if (asked <= affordable) return undefined;
          return {
            status: 402,
            body: {
              error: {
                message:
                  `This request requires more credits, or fewer max_tokens. You requested up to ${asked} tokens, but can only afford ${affordable}. To increase, visit https://openrouter.ai/settings/credits and add more credits`,
                code: 402,
                metadata: { provider_name: null },
              },
            },
          };
        },
        shape(reply) {
          // Every seventh choice fails upstream, reported inside the 200.
          if (++choices % 7 === 0) {
            return {
              message: { role: "assistant", content: "" },
              finish_reason: "error",
              extra: {
                error: { code: 502, message: "Upstream provider returned an error (stand-in)" },
              },
            };
          }
          return stop(reply);
        },
        usage: (promptTokens, completionTokens) => ({
          // Dollars, as OpenRouter reports them (gpt-4o-mini's list price).
          cost: (promptTokens * 0.15 + completionTokens * 0.6) / 1e6,
        }),
      };
    }
  }
}

/** A DeepSeek-R1-style chain of thought holding a larger draft program in Python. */
function r1Thinking(seed: number): string {
  const random = seededRandom("r1-thinking", seed);
  const rounds = 10 + Math.floor(random() * 6);
  const lines = [
    "Okay, so I need to improve this program. Let me think about what the task asks.",
    "Maybe I should first write a draft in Python to check the idea, then translate it.",
    "```python",
    "import itertools",
    "import random",
    "",
    "def algorithm(train_samples, train_labels, test_samples):",
    "    n = len(train_samples[0])",
    "    best, best_err = None, float('inf')",
  ];
  for (let i = 0; i < rounds; i++) {
    lines.push(
      `    for trial_${i} in range(200):`,
      `        guess = [random.randint(0, 1) for _ in range(n)]`,
      `        err = sum((sum(a * b for a, b in zip(x, guess)) % 2) != y`,
      `                  for x, y in zip(train_samples, train_labels))`,
      `        if err < best_err:`,
      `            best, best_err = guess, err`,
    );
  }
  lines.push(
    "    return [sum(a * b for a, b in zip(x, best)) % 2 for x in test_samples]",
    "```",
    "Wait, the answer has to be TypeScript exporting the same function. Let me write that.",
  );
  return lines.join("\n");
}
