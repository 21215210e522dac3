/**
 * The `LanguageModel` contract (the paper's semantics) and its host-side implementation.
 *
 * @module
 */

import type { AuditHook } from "./audit_hook.ts";
import { BudgetExceededError, ReplayMissError } from "./errors.ts";
import type { ModelGateway } from "./model_gateway.ts";

/**
 * A language model with a call budget, as improvers see it: `prompt` asks one message `n`
 * times, `batchPrompt` asks several messages once each; each is one call.
 */
export interface LanguageModel {
  /** Calls allowed on this object. */
  readonly budget: number;
  /** Calls made (refused calls are not counted). */
  readonly uses: number;
  /** Most replies one call may ask for. */
  readonly maxResponsesPerCall: number;
  /** Whether the answers come from the offline stand-in, not a language model. */
  readonly standIn: boolean;
  /**
   * Asks one message `nResponses` times.
   *
   * @param expertise The system message.
   * @param message The user message.
   * @param nResponses Replies wanted.
   * @param temperature Sampling temperature.
   */
  prompt(
    expertise: string,
    message: string,
    nResponses?: number,
    temperature?: number,
  ): Promise<string[]>;
  /**
   * Asks several messages once each.
   *
   * @param expertise The system message.
   * @param messages The user messages.
   * @param temperature Sampling temperature.
   */
  batchPrompt(
    expertise: string,
    messages: readonly string[],
    temperature?: number,
  ): Promise<string[]>;
}

/** Options of a model object. */
export interface LanguageModelOptions {
  /** Calls allowed. @default 4 */
  budget?: number;
  /** Most replies per call. @default 6 */
  maxResponsesPerCall?: number;
  /** Temperature when the caller gives none. @default 0.7 */
  defaultTemperature?: number;
  /** Occurrence scope of this object's calls (see `ModelCall.scope`). @default "" */
  scope?: string;
  /** Most characters of one call's prompt text (expertise plus messages). @default 400000 */
  maxPromptChars?: number;
  /** Where refusals are reported. @default the gateway's audit hook */
  audit?: AuditHook;
}

/**
 * Creates a model object with its own call budget on top of the gateway's global one. Past
 * either budget, asking for more than `maxResponsesPerCall` replies, or sending more than
 * `maxPromptChars` characters, a call is refused with
 * a `BudgetExceededError`, nothing is sent, nothing is spent, and the audit hook is told.
 *
 * @param gateway The run's gateway.
 * @param options Budget, replies per call, default temperature, audit hook.
 * @returns The model object.
 * @throws {RangeError} When the budget or replies per call are not non-negative integers.
 *
 * @example
 * ```ts
 * import { createLanguageModel } from "./language_model.ts";
 * import { ModelGateway } from "./model_gateway.ts";
 * import { OfflineBackend } from "../stand_in/offline_backend.ts";
 * import { equal, rejects } from "node:assert/strict";
 * const gateway = new ModelGateway(new OfflineBackend({ catalog: [] }));
 * const model = createLanguageModel(gateway, { budget: 1 });
 * equal((await model.prompt("You help.", "hi", 2)).length, 2);
 * await rejects(model.prompt("You help.", "hi"), { name: "BudgetExceededError" });
 * equal(model.uses, 1);
 * ```
 */
export function createLanguageModel(
  gateway: ModelGateway,
  options: LanguageModelOptions = {},
): LanguageModel {
  const budget = options.budget ?? 4;
  const maxResponsesPerCall = options.maxResponsesPerCall ?? 6;
  const defaultTemperature = options.defaultTemperature ?? 0.7;
  const maxPromptChars = options.maxPromptChars ?? 400_000;
  for (const [name, value] of [["budget", budget], ["maxResponsesPerCall", maxResponsesPerCall]]) {
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new RangeError(
        `Cannot create a language model as '${name}' must be an integer >= 0: current value is ${value}`,
      );
    }
  }
  const audit = options.audit ?? gateway.audit;
  let uses = 0;

  const refuse = async (
    call: { expertise: string; messages: readonly string[]; n: number; temperature: number },
    message: string,
    resource: "calls" | "responses" | "tokens",
  ): Promise<never> => {
    audit?.record({ kind: "budget_exceeded", detail: message });
    await gateway.recordRefusal({
      ...call,
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    }, message);
    throw new BudgetExceededError(message, { scope: "object", resource });
  };

  const checkTemperature = (temperature: unknown): number => {
    const value = temperature ?? defaultTemperature;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 2) {
      throw new RangeError(
        `Cannot call the language model as 'temperature' must be a number in [0, 2]: current value is ${
          String(value)
        }`,
      );
    }
    return value;
  };

  const checkText = (expertise: unknown, messages: readonly unknown[]): void => {
    if (typeof expertise !== "string" || !messages.every((m) => typeof m === "string")) {
      throw new TypeError(
        "Cannot call the language model as 'expertise' and messages must be strings",
      );
    }
  };

  const run = async (
    expertise: string,
    messages: readonly string[],
    n: number,
    temperature: number,
  ): Promise<string[]> => {
    const call = { expertise, messages, n, temperature };
    const chars = expertise.length + messages.reduce((sum, m) => sum + m.length, 0);
    if (chars > maxPromptChars) {
      await refuse(
        call,
        `Refused a language-model call of ${chars} prompt characters as at most ${maxPromptChars} are allowed per call`,
        "tokens",
      );
    }
    if (n * messages.length > maxResponsesPerCall) {
      await refuse(
        call,
        `Refused a language-model call asking for ${
          n * messages.length
        } replies as at most ${maxResponsesPerCall} are allowed per call`,
        "responses",
      );
    }
    if (uses >= budget) {
      await refuse(
        call,
        `Refused a language-model call as this model's budget of ${budget} calls is used up`,
        "calls",
      );
    }
    uses++;
    try {
      return await gateway.call({
        expertise,
        messages,
        n,
        temperature,
        ...(options.scope === undefined ? {} : { scope: options.scope }),
      });
    } catch (error) {
      if (error instanceof BudgetExceededError || error instanceof ReplayMissError) uses--;
      throw error;
    }
  };

  return {
    get budget() {
      return budget;
    },
    get uses() {
      return uses;
    },
    get maxResponsesPerCall() {
      return maxResponsesPerCall;
    },
    get standIn() {
      return gateway.standIn;
    },
    async prompt(expertise, message, nResponses = 1, temperature) {
      const t = checkTemperature(temperature);
      checkText(expertise, [message]);
      if (!Number.isInteger(nResponses) || nResponses < 1) {
        throw new RangeError(
          `Cannot call the language model as 'nResponses' must be an integer >= 1: current value is ${nResponses}`,
        );
      }
      return await run(expertise, [message], nResponses, t);
    },
    async batchPrompt(expertise, messages, temperature) {
      const t = checkTemperature(temperature);
      if (!Array.isArray(messages)) {
        throw new TypeError(
          "Cannot call the language model as 'messages' must be an array of strings",
        );
      }
      checkText(expertise, messages);
      if (messages.length === 0) return [];
      return await run(expertise, messages, 1, t);
    },
  };
}
