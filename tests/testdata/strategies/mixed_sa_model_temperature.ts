import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Annealing in which the model's sampling temperature is the annealing temperature: bold
// proposals early, careful ones late, and worse programs accepted less and less often.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let temperature = 1.4;
  let current = initialSolution;
  let score = utility(current);
  let best = current;
  let bestScore = score;
  for (let step = 0; step < languageModel.budget; step++) {
    const proposals = extractCode(
      languageModel.prompt(
        "Expert.",
        `Propose a neighbour of:\n${current}\n${utility.str}`,
        5,
        temperature,
      ),
    );
    for (const proposal of proposals) {
      if (proposal === undefined || utility.uses >= utility.budget) continue;
      const s = utility(proposal);
      if (s > score || Math.random() < Math.exp((s - score) / (0.1 * temperature))) {
        current = proposal;
        score = s;
      }
      if (s > bestScore) [best, bestScore] = [proposal, s];
    }
    temperature *= 0.7;
  }
  return best;
}
