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

// Same plan as before (one batch of samples, keep the best), but the input stays in the
// running so a batch of bad samples can never make things worse.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const expertise =
    "You are an expert computer science researcher and programmer, skilled at optimizing algorithms.";
  const message = `Improve the following solution:
${FENCE}ts
${initialSolution}
${FENCE}

It will be scored by this function:
${FENCE}ts
${utility.str}
${FENCE}

Return an improved solution. Be creative within the constraints; the main improvement should be
novel and non-trivial. Describe the idea first, then give the full code in one code block.`;
  const samples = Math.max(1, Math.min(languageModel.maxResponsesPerCall, utility.budget - 1));
  const replies = languageModel.batchPrompt(expertise, new Array(samples).fill(message), 0.7);
  let best = initialSolution;
  let bestScore = utility(initialSolution);
  for (const candidate of extractCode(replies)) {
    if (candidate === undefined || utility.uses >= utility.budget) continue;
    const score = utility(candidate);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
