import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Sometimes move to a worse program early on, less and less often as the heat goes down.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let here = { code: initialSolution, value: utility(initialSolution) };
  let top = here;
  let heat = 1;
  for (let i = 0; i < languageModel.budget; i++) {
    const options = extractCode(
      languageModel.batchPrompt(
        "Senior engineer.",
        new Array(5).fill(`Change:\n${here.code}`),
        0.8,
      ),
    );
    for (const code of options) {
      if (!code || utility.uses >= utility.budget) continue;
      const value = utility(code);
      const chance = Math.exp((value - here.value) / (0.2 * heat));
      if (value >= here.value || Math.random() < chance) here = { code, value };
      if (value > top.value) top = { code, value };
    }
    heat *= 0.5;
  }
  return top.code;
}
