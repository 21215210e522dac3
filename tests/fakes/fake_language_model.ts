/**
 * A fake of the host's language model as a guest sees it: counts calls, refuses calls past
 * its budget and requests for too many replies by throwing, answers with canned replies that
 * hold a fenced TypeScript program, and ignores (but records) writes to its properties.
 *
 * @module
 */
import type { GuestLanguageModel } from "./guest_api.ts";

/** One request as the fake model sees it (one per reply asked for). */
export interface FakeRequest {
  /** The system message. */
  expertise: string;
  /** The user message. */
  message: string;
  /** The sampling temperature. */
  temperature: number;
  /** Index of this reply over the fake's whole life, from 0. */
  index: number;
}

/** One accepted call. */
export interface FakeModelCall {
  /** Which method was called. */
  method: "prompt" | "batchPrompt";
  /** The system message. */
  expertise: string;
  /** One entry per reply asked for (for `prompt`, the message repeated n times). */
  messages: string[];
  /** The sampling temperature. */
  temperature: number;
}

/** Options of {@linkcode createFakeLanguageModel}. */
export interface FakeLanguageModelOptions {
  /** Calls allowed. @default {4} */
  budget?: number;
  /** Most replies per call. @default {6} */
  maxResponsesPerCall?: number;
  /** Writes one reply. @default {{@linkcode defaultReply}} */
  reply?: (request: FakeRequest) => string;
}

/** A fake language model and what was done to it. */
export interface FakeLanguageModel {
  /** The object handed to the guest. */
  readonly languageModel: GuestLanguageModel;
  /** Accepted calls, in order. */
  readonly calls: readonly FakeModelCall[];
  /** Calls refused (budget spent, too many replies, bad arguments). */
  readonly refused: number;
  /** Attempts to write, define or delete a property, e.g. `set budget`. */
  readonly tampering: readonly string[];
}

/**
 * The default reply: an idea, then a distinct program in a fenced block.
 *
 * @param request The request being answered.
 * @returns A chat-style reply.
 */
export function defaultReply(request: FakeRequest): string {
  return [
    `Idea: variant ${request.index} replaces the guessing with a vote.`,
    "",
    "```ts",
    `export function algorithm(samples: number[][]): number[] {`,
    `  return samples.map((_, i) => (i + ${request.index}) % 2);`,
    "}",
    "```",
    "",
  ].join("\n");
}

/**
 * Creates a fake language model.
 *
 * @param options Budget, replies per call and the reply writer.
 * @returns The guest-facing model and its records.
 */
export function createFakeLanguageModel(
  options: FakeLanguageModelOptions = {},
): FakeLanguageModel {
  const budget = options.budget ?? 4;
  const maxResponsesPerCall = options.maxResponsesPerCall ?? 6;
  const reply = options.reply ?? defaultReply;
  const calls: FakeModelCall[] = [];
  const tampering: string[] = [];
  let refused = 0;
  let replies = 0;

  const answer = (
    method: FakeModelCall["method"],
    expertise: unknown,
    messages: unknown[],
    temperature: unknown,
  ): string[] => {
    if (calls.length >= budget) {
      refused++;
      throw new Error(`Language-model budget exhausted: all ${budget} calls are used`);
    }
    if (messages.length < 1 || messages.length > maxResponsesPerCall) {
      refused++;
      throw new RangeError(
        `Cannot ask for ${messages.length} replies: allowed 1 to ${maxResponsesPerCall}`,
      );
    }
    if (
      typeof expertise !== "string" || messages.some((m) => typeof m !== "string") ||
      typeof temperature !== "number" || !(temperature >= 0 && temperature <= 2)
    ) {
      refused++;
      throw new TypeError(`Cannot call ${method}: bad expertise, message or temperature`);
    }
    const texts = messages as string[];
    calls.push({ method, expertise, messages: texts, temperature });
    return texts.map((message) => reply({ expertise, message, temperature, index: replies++ }));
  };

  const methods = {
    prompt(expertise: string, message: string, nResponses = 1, temperature = 0.7): string[] {
      const n = Number.isInteger(nResponses) && nResponses >= 0 && nResponses <= 1000
        ? nResponses
        : 0;
      return answer("prompt", expertise, new Array<unknown>(n).fill(message), temperature);
    },
    batchPrompt(expertise: string, messages: string[], temperature = 0.7): string[] {
      return answer("batchPrompt", expertise, Array.isArray(messages) ? messages : [], temperature);
    },
  };

  const languageModel = new Proxy({}, {
    get(_target, property) {
      if (property === "budget") return budget;
      if (property === "maxResponsesPerCall") return maxResponsesPerCall;
      if (property === "prompt") return methods.prompt;
      if (property === "batchPrompt") return methods.batchPrompt;
      return undefined;
    },
    set(_target, property) {
      tampering.push(`set ${String(property)}`);
      return true;
    },
    defineProperty(_target, property) {
      tampering.push(`define ${String(property)}`);
      return false;
    },
    deleteProperty(_target, property) {
      tampering.push(`delete ${String(property)}`);
      return false;
    },
  }) as GuestLanguageModel;

  return {
    languageModel,
    calls,
    get refused() {
      return refused;
    },
    tampering,
  };
}
