import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Beam search that, with a small probability, swaps a random outsider into the beam so the
// search does not collapse onto one idea.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const width = 2;
  const explorationRate = 0.15;
  let all = [{ code: initialSolution, score: utility(initialSolution) }];
  let beam = all;
  for (let depth = 0; depth < languageModel.budget; depth++) {
    const messages = beam.flatMap((b) => [`Improve:\n${b.code}`, `Rewrite:\n${b.code}`]);
    for (const code of extractCode(languageModel.batchPrompt("Expert.", messages, 0.7))) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      all.push({ code, score: utility(code) });
    }
    all = all.sort((a, b) => b.score - a.score);
    beam = all.slice(0, width);
    if (Math.random() < explorationRate && all.length > width) {
      beam[width - 1] = all[width + Math.floor(Math.random() * (all.length - width))]!;
    }
  }
  return all[0]!.code;
}
