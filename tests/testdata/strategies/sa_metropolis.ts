import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Simulated annealing: accept a worse neighbour with probability exp(delta / T); T cools.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let current = initialSolution;
  let currentScore = utility(current);
  let best = current;
  let bestScore = currentScore;
  let T = 0.1;
  for (let step = 0; step < languageModel.budget; step++) {
    const neighbours = extractCode(
      languageModel.prompt(
        "Expert.",
        `Suggest a variation of:\n${current}\n${utility.str}`,
        5,
        0.7,
      ),
    );
    for (const neighbour of neighbours) {
      if (neighbour === undefined || utility.uses >= utility.budget) continue;
      const score = utility(neighbour);
      const delta = score - currentScore;
      if (delta > 0 || Math.random() < Math.exp(delta / T)) {
        current = neighbour;
        currentScore = score;
      }
      if (score > bestScore) {
        best = neighbour;
        bestScore = score;
      }
    }
    T = T * 0.6;
  }
  return best;
}
