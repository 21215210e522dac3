import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Different angles for each request in the batch; every round reuses the angles of the
// winners.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const areas = [
    "the time complexity of the main loop",
    "numerical stability and edge cases",
    "a completely different algorithm",
    "making better use of the training data",
  ];
  let best = initialSolution;
  let bestScore = utility(best);
  for (let round = 0; round < Math.min(2, languageModel.budget); round++) {
    const asks = areas.map((area) =>
      `Here is a program:\n${best}\nIt is scored by:\n${utility.str}\nConcentrate on ${area} when you improve it.`
    );
    const codes = extractCode(languageModel.batchPrompt("Expert.", asks, 0.7));
    codes.forEach((code, i) => {
      if (code === undefined || utility.uses >= utility.budget) return;
      const score = utility(code);
      if (score > bestScore) {
        [best, bestScore] = [code, score];
        areas.push(areas[i]!);
      }
    });
  }
  return best;
}
