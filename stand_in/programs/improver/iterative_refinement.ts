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
  "You are an expert computer scientist and programmer who improves algorithms step by step.";

// Greedy iterative refinement: spend every language-model call on the best solution found
// so far, and tell the model its current score so each round builds on the last.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(initialSolution);
  const history: string[] = [`initial solution: score ${bestScore.toFixed(4)}`];

  for (let round = 0; round < languageModel.budget; round++) {
    const roundsLeft = languageModel.budget - round;
    const utilityLeft = utility.budget - utility.uses;
    const samples = Math.min(languageModel.maxResponsesPerCall, Math.floor(utilityLeft / roundsLeft));
    if (samples < 1) break;

    const message = `Round ${round + 1} of ${languageModel.budget}. The best solution so far scores ${bestScore.toFixed(4)}:
${FENCE}ts
${best}
${FENCE}

Score history:
${history.join("\n")}

The score is computed by:
${FENCE}ts
${utility.str}
${FENCE}

Propose one concrete idea that should raise the score, then return the complete improved program
in a single code block.`;
    const replies = languageModel.batchPrompt(EXPERTISE, new Array(samples).fill(message), 0.7);
    let improved = false;
    for (const candidate of extractCode(replies)) {
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
        improved = true;
      }
    }
    history.push(`round ${round + 1}: ${improved ? "improved to" : "no gain, best stays"} ${bestScore.toFixed(4)}`);
  }
  return best;
}
