import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Exploration that fades: the chance of improving a random program instead of the best one
// decays every round.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let epsilon = 0.5;
  const all = [{ code: initialSolution, score: utility(initialSolution) }];
  for (let round = 0; round < languageModel.budget; round++) {
    const ranked = [...all].sort((a, b) => b.score - a.score);
    const base = Math.random() < epsilon
      ? all[Math.floor(Math.random() * all.length)]!
      : ranked[0]!;
    for (
      const code of extractCode(languageModel.prompt("Expert.", `Improve:\n${base.code}`, 5, 0.7))
    ) {
      if (code && utility.uses < utility.budget) all.push({ code, score: utility(code) });
    }
    epsilon *= 0.7;
  }
  return all.reduce((a, b) => (b.score > a.score ? b : a)).code;
}
