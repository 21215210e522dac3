import { extractCode } from "./helpers.ts";

interface Utility {
  (solution: string, options?: { useSandbox?: boolean }): number;
  readonly budget: number;
  readonly uses: number;
  readonly str: string;
}

interface LanguageModel {
  readonly budget: number;
  readonly maxResponsesPerCall: number;
  prompt(expertise: string, message: string, nResponses?: number, temperature?: number): string[];
  batchPrompt(expertise: string, messages: string[], temperature?: number): string[];
}

const FENCE = "`".repeat(3);
const EXPERTISE =
  "You are an expert computer science researcher and programmer, especially skilled at optimizing algorithms.";

// The candidates come from our own model and are scored one after the other, so the sandbox
// only adds overhead here; evaluate them directly to leave more of the time limit to the
// algorithm itself.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const message = `Improve the following solution:
${FENCE}ts
${initialSolution}
${FENCE}

You will be evaluated based on this score function:
${FENCE}ts
${utility.str}
${FENCE}

Return an improved solution. Be as creative as you can under the constraints; the main
improvement must be novel and non-trivial. First propose an idea, then implement it.`;
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  const candidates = extractCode(languageModel.batchPrompt(EXPERTISE, new Array(n).fill(message), 0.7));
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const score = utility(candidate, { useSandbox: false });
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
