import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Breed programs: every round, pairs from the breeding pool are merged by the model and the
// children replace the weakest members; a child's quality decides whether it survives.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const first = extractCode(
    languageModel.prompt(
      "Expert.",
      `Write variants of:\n${initialSolution}\n${utility.str}`,
      4,
      1.0,
    ),
  ).filter((c): c is string => c !== undefined);
  const pool = [initialSolution, ...first].map((code) => ({ code, quality: utility(code) }));
  for (let round = 1; round < languageModel.budget; round++) {
    pool.sort((a, b) => b.quality - a.quality);
    const merges: string[] = [];
    for (let i = 0; i + 1 < Math.min(pool.length, 4); i += 2) {
      merges.push(
        `Combine the best ideas of both parents into a single program.\nParent 1:\n${
          pool[i]!.code
        }\nParent 2:\n${pool[i + 1]!.code}`,
      );
    }
    for (const child of extractCode(languageModel.batchPrompt("Expert.", merges, 0.8))) {
      if (child === undefined || utility.uses >= utility.budget) continue;
      const quality = utility(child);
      if (quality > pool[pool.length - 1]!.quality) {
        pool[pool.length - 1] = { code: child, quality };
      }
      pool.sort((a, b) => b.quality - a.quality);
    }
  }
  return pool[0]!.code;
}
