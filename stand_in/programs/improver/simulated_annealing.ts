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
const EXPERTISE = "You are an expert in optimization algorithms and software engineering.";

// Simulated annealing over programs: neighbours come from the model, worse neighbours are
// sometimes accepted early on (to escape local optima), and the temperature cools after each
// language-model call. The best program ever seen is returned.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let current = initialSolution;
  let currentScore = utility(initialSolution);
  let best = current;
  let bestScore = currentScore;
  let annealingTemperature = 0.05;
  const cooling = 0.5;

  for (let step = 0; step < languageModel.budget; step++) {
    const neighbours = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (languageModel.budget - step)),
    );
    if (neighbours < 1) break;
    const message = `Current program (score ${currentScore.toFixed(4)}):
${FENCE}ts
${current}
${FENCE}

Scoring:
${FENCE}ts
${utility.str}
${FENCE}

Suggest a variation of this program that might score higher: describe it in one sentence, then
give the full program in one code block.`;
    // Sampling temperature follows the annealing temperature: bolder changes while hot.
    const samplingTemperature = 0.5 + 6 * annealingTemperature;
    const replies = languageModel.prompt(EXPERTISE, message, neighbours, samplingTemperature);
    for (const candidate of extractCode(replies)) {
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      const delta = score - currentScore;
      if (delta >= 0 || Math.random() < Math.exp(delta / annealingTemperature)) {
        current = candidate;
        currentScore = score;
      }
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    annealingTemperature *= cooling;
  }
  return best;
}
