import { extractCode } from "./helpers.ts";

interface Utility {
  (solution: string, options?: { useSandbox?: boolean }): number;
  readonly budget: number;
  readonly uses: number;
  readonly str: string;
}

interface LanguageModel {
  readonly budget: number;
  readonly max_responses_per_call: number;
  prompt(expertise: string, message: string, nResponses?: number, temperature?: number): string[];
  batch_prompt(expertise: string, messages: string[], temperature?: number): string[];
}

const FENCE = "`".repeat(3);

// Ported from the reference implementation: sample a batch, keep the best by utility, and
// also try a second batch seeded with the best candidate.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const expertise =
    "You are an expert computer science researcher and programmer, especially skilled at optimizing algorithms.";
  const message = (solution: string) => `Improve the following solution:
${FENCE}ts
${solution}
${FENCE}

You will be evaluated based on this score function:
${FENCE}ts
${utility.str}
${FENCE}

You must return an improved solution. Be as creative as you can under the constraints.
First, propose an idea, then implement it.`;
  const n = Math.min(languageModel.max_responses_per_call, Math.floor(utility.budget / 2));
  let candidates = extractCode(languageModel.batch_prompt(expertise, new Array(n).fill(message(initialSolution)), 0.7))
    .filter((c): c is string => c !== undefined);
  let best = candidates.reduce((a, b) => (utility(a) >= utility(b) ? a : b));
  candidates = extractCode(languageModel.batch_prompt(expertise, new Array(n).fill(message(best)), 0.7))
    .filter((c): c is string => c !== undefined);
  best = [best, ...candidates].reduce((a, b) => (utility(a) >= utility(b) ? a : b));
  return best;
}
