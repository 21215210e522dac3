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
const EXPERTISE = "You are an expert computer science researcher and programmer.";
const ROUNDS = 12;

// More samples means a better best: run twelve rounds of six samples each and score all of
// them. Scores are noisy, so a round whose model call is refused re-scores the current best
// instead and keeps the running average. Refused calls are skipped, never fatal.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = -Infinity;
  let bestRuns = 1;
  try {
    bestScore = utility(initialSolution);
  } catch {
    // scored below
  }
  for (let round = 0; round < ROUNDS; round++) {
    let replies: string[] = [];
    try {
      const message = `Improve this solution (score ${bestScore}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Propose a novel idea, then return the complete program in one code block.`;
      replies = languageModel.batchPrompt(EXPERTISE, new Array(6).fill(message), 0.7);
    } catch {
      try {
        const again = utility(best);
        bestScore = (bestScore * bestRuns + again) / (bestRuns + 1);
        bestRuns++;
      } catch {
        // skip
      }
      continue;
    }
    for (const candidate of extractCode(replies)) {
      if (candidate === undefined) continue;
      let score = -Infinity;
      try {
        score = utility(candidate);
      } catch {
        continue;
      }
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
        bestRuns = 1;
      }
    }
  }
  return best;
}
