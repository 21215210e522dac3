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
const EXPERTISE = "You are an expert programmer who never gives up on a problem.";

// Keep improving until the solution is perfect. Errors from individual attempts (a bad
// reply, a transient failure) are skipped so one hiccup cannot end the search early.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = 0;
  try {
    bestScore = utility(initialSolution);
  } catch {
    // keep 0
  }
  let attempts = 0;
  while (bestScore < 1) {
    attempts++;
    try {
      const replies = languageModel.prompt(EXPERTISE, `Attempt ${attempts}. Current best (score ${bestScore}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Return a better program in one code block.`, languageModel.maxResponsesPerCall, 0.8);
      for (const candidate of extractCode(replies)) {
        if (candidate === undefined) continue;
        const score = utility(candidate);
        if (score > bestScore) {
          best = candidate;
          bestScore = score;
        }
      }
    } catch {
      // try again
    }
  }
  return best;
}
