import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

function splitIntoFunctions(source: string): string[] {
  return source.split(/\n(?=(?:export\s+)?function\s)/).filter((part) => part.trim() !== "");
}

// Improve the program function by function: each request rewrites one function only and the
// answer is spliced back into the whole program.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  for (let round = 0; round < languageModel.budget; round++) {
    const pieces = splitIntoFunctions(best);
    const requests = pieces.map((piece) =>
      `Here is one function of a larger program:\n${piece}\nRewrite only this function so the program scores higher under:\n${utility.str}`
    );
    const rewritten = extractCode(languageModel.batchPrompt("Expert.", requests.slice(0, 6), 0.7));
    for (let i = 0; i < rewritten.length; i++) {
      const piece = rewritten[i];
      if (piece === undefined || utility.uses >= utility.budget) continue;
      const candidate = pieces.map((p, j) => (j === i ? piece : p)).join("\n");
      const score = utility(candidate);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
  }
  return best;
}
