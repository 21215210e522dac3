import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Draft, critique, revise: one model call each, then keep the best of everything scored.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const drafts = extractCode(
    languageModel.prompt("Expert.", `Improve:\n${initialSolution}\n${utility.str}`, 3, 0.7),
  );
  const draft = drafts.find((d) => d !== undefined) ?? initialSolution;
  const [critique = ""] = languageModel.prompt(
    "Strict reviewer.",
    `Find the bugs in:\n${draft}`,
    1,
    0.7,
  );
  const revisions = extractCode(
    languageModel.prompt("Expert.", `Fix these problems:\n${critique}\n${draft}`, 3, 0.7),
  );
  let best = initialSolution;
  let bestScore = utility(best);
  for (const code of [...drafts, ...revisions]) {
    if (code === undefined || utility.uses >= utility.budget) continue;
    const score = utility(code);
    if (score > bestScore) [best, bestScore] = [code, score];
  }
  return best;
}
