import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

const HINTS = [
  "Hint: use Gaussian elimination over GF(2) on a subset of the samples.",
  "Hint: the labels are noisy, so vote over several subsets.",
  "Hint: try every small subset of bits before anything clever.",
  "Hint: spend the whole time limit; stop early only when certain.",
];

// One request per hint, each pushing the model towards a different kind of improvement.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const messages = HINTS.map((hint) =>
    `Improve this solution:\n${initialSolution}\nScoring:\n${utility.str}\n${hint}`
  );
  let best = initialSolution;
  let bestScore = utility(best);
  for (const code of extractCode(languageModel.batchPrompt("Expert.", messages, 0.7))) {
    if (code === undefined || utility.uses >= utility.budget) continue;
    const score = utility(code);
    if (score > bestScore) [best, bestScore] = [code, score];
  }
  return best;
}
