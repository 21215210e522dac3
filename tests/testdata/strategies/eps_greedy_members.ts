import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Keep every scored program; explore a random one with probability eps, else exploit the best.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const eps = 0.2;
  const archive = [{ code: initialSolution, score: utility(initialSolution) }];
  for (let round = 0; round < languageModel.budget; round++) {
    archive.sort((a, b) => b.score - a.score);
    const explore = Math.random() < eps;
    const parent = explore ? archive[Math.floor(Math.random() * archive.length)]! : archive[0]!;
    const replies = languageModel.prompt(
      "Expert.",
      `Improve:\n${parent.code}\n${utility.str}`,
      5,
      0.7,
    );
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      archive.push({ code, score: utility(code) });
    }
  }
  archive.sort((a, b) => b.score - a.score);
  return archive[0]!.code;
}
