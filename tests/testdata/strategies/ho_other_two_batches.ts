import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

function pick(codes: (string | undefined)[], utility: Utility, fallback: string): string {
  let best = fallback;
  let score = -1;
  for (const code of codes) {
    if (code === undefined || utility.uses >= utility.budget) continue;
    const s = utility(code);
    if (s > score) [best, score] = [code, s];
  }
  return best;
}

// Two batches: improve the input, then improve the winner of the first batch.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const request = (code: string) =>
    new Array(6).fill(`Improve this program:\n${code}\n${utility.str}`);
  const first = pick(
    extractCode(languageModel.batchPrompt("Expert.", request(initialSolution), 0.7)),
    utility,
    initialSolution,
  );
  return pick(
    extractCode(languageModel.batchPrompt("Expert.", request(first), 0.7)),
    utility,
    first,
  );
}
