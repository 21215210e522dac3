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
const EXPERTISE = "You are an expert programmer who improves algorithms.";

// Adaptive temperature: start moderate; when a round improves the best solution, cool down
// and refine it; when it does not, heat up and explore bolder rewrites.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(initialSolution);
  let temperature = 0.7;

  for (let round = 0; round < languageModel.budget; round++) {
    const samples = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (languageModel.budget - round)),
    );
    if (samples < 1) break;
    const style = temperature > 0.9
      ? "Try a substantially different approach."
      : "Refine the current approach with a targeted improvement.";
    const message = `Solution (score ${bestScore.toFixed(4)}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

${style} Explain your idea, then return the full program in one code block.`;
    const replies = languageModel.batchPrompt(EXPERTISE, new Array(samples).fill(message), temperature);
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
    temperature = improved ? Math.max(0.2, temperature - 0.2) : Math.min(1.4, temperature + 0.3);
  }
  return best;
}
