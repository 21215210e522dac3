import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// When a round brings nothing, sample hotter next time; when it works, stay where we are.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let temp = 0.5;
  let best = initialSolution;
  let bestScore = utility(best);
  for (let r = 0; r < languageModel.budget; r++) {
    let gained = false;
    const out = languageModel.batchPrompt(
      "Expert.",
      new Array(5).fill(`Improve:\n${best}\n${utility.str}`),
      temp,
    );
    for (const code of extractCode(out)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      if (score > bestScore) {
        best = code;
        bestScore = score;
        gained = true;
      }
    }
    if (!gained) temp += 0.25;
  }
  return best;
}
