import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Beam of two programs; each member is expanded once cold and once hot.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let beam = [{ code: initialSolution, score: utility(initialSolution) }];
  const temperatures = [0.3, 1.1];
  for (let round = 0; round < languageModel.budget; round += temperatures.length) {
    const next = [...beam];
    for (const temperature of temperatures) {
      const messages = beam.map((m) => `Improve (score ${m.score}):\n${m.code}\n${utility.str}`);
      for (const code of extractCode(languageModel.batchPrompt("Expert.", messages, temperature))) {
        if (code === undefined || utility.uses >= utility.budget) continue;
        next.push({ code, score: utility(code) });
      }
    }
    beam = next.sort((a, b) => b.score - a.score).slice(0, 2);
  }
  return beam[0]!.code;
}
