import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Keep a few survivors per round and ask for improvements of each of them.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const k = 2;
  let survivors: { src: string; s: number }[] = [{
    src: initialSolution,
    s: utility(initialSolution),
  }];
  for (let r = 0; r < languageModel.budget; r++) {
    const asks: string[] = [];
    for (const survivor of survivors) {
      for (let copy = 0; copy < 2; copy++) {
        asks.push(`Make this faster and more accurate:\n${survivor.src}\n${utility.str}`);
      }
    }
    const fresh = extractCode(languageModel.batchPrompt("Expert programmer.", asks, 0.7))
      .filter((c): c is string => c !== undefined && utility.uses < utility.budget)
      .map((src) => ({ src, s: utility(src) }));
    survivors = survivors.concat(fresh);
    survivors.sort((a, b) => b.s - a.s);
    survivors = survivors.slice(0, k);
  }
  return survivors[0]!.src;
}
