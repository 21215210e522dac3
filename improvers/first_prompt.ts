/**
 * The first prompt an improver sends on a solution: the improver runs in the sandbox as in a
 * real run, against a model that records what it is asked and answers with no replies (so the
 * improver makes no further calls that matter and scores nothing). `stop lm-check` sends a
 * prompt of exactly this length, so its context-window check is the run's.
 *
 * @module
 */
import type { LanguageModel } from "../lm/mod.ts";
import { runImprover } from "./run_improver.ts";

/** A prompt as an improver sends it. */
export interface ImproverPrompt {
  /** The system message. */
  expertise: string;
  /** The user message. */
  message: string;
}

/**
 * Runs `improverSource` on `solution` in the sandbox and returns the first prompt it sends.
 *
 * @param improverSource The improver's source (e.g. the seed improver).
 * @param solution The solution it improves (e.g. the task's seed solution).
 * @param options The visible scoring description, the budgets the run uses.
 * @returns The first prompt, or `undefined` when the improver sent none.
 *
 * @example
 * ```ts
 * import { firstImproverPrompt } from "./first_prompt.ts";
 * import { ok } from "node:assert/strict";
 * const improver = `export function improveAlgorithm(s: string, u: any, lm: any): string {
 *   lm.prompt("Expert.", "Improve:\\n" + s + "\\n" + u.str, 2);
 *   return s;
 * }`;
 * const prompt = await firstImproverPrompt(improver, "export const x = 1;", {
 *   description: "scored by tests",
 * });
 * ok(prompt?.message.includes("export const x = 1;"));
 * ```
 */
export async function firstImproverPrompt(
  improverSource: string,
  solution: string,
  options: {
    description: string;
    responses?: number;
    lmBudget?: number;
    utilityBudget?: number;
  },
): Promise<ImproverPrompt | undefined> {
  let first: ImproverPrompt | undefined;
  let uses = 0;
  const record = (expertise: string, message: string) => {
    uses++;
    first ??= { expertise, message };
  };
  const model: LanguageModel = {
    budget: options.lmBudget ?? 4,
    get uses() {
      return uses;
    },
    maxResponsesPerCall: options.responses ?? 6,
    standIn: false,
    prompt: (expertise, message, n = 1) => {
      record(expertise, message);
      return Promise.resolve(Array.from({ length: n }, () => ""));
    },
    batchPrompt: (expertise, messages) => {
      for (const message of messages) record(expertise, message);
      return Promise.resolve(messages.map(() => ""));
    },
  };
  await runImprover(improverSource, solution, {
    model,
    utility: {
      budget: options.utilityBudget ?? 25,
      uses: 0,
      description: options.description,
      score: () => Promise.resolve(0),
    },
  });
  return first;
}
