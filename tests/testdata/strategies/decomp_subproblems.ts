import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Ask the model to break the problem into subproblems, then solve each subproblem better and
// assemble the program again.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const [plan = ""] = languageModel.prompt(
    "You are a careful software architect.",
    `Decompose this program into its main subproblems, one per line:\n${initialSolution}`,
    1,
    0.3,
  );
  const subproblems = plan.split("\n").filter((line) => line.trim() !== "").slice(0, 5);
  const messages = subproblems.map((sub) =>
    `Program:\n${initialSolution}\nScoring:\n${utility.str}\nImprove the part of the program that handles this subproblem, leave the rest as it is: ${sub}\nReturn the whole program.`
  );
  let best = initialSolution;
  let bestScore = utility(best);
  for (const code of extractCode(languageModel.batchPrompt("Expert.", messages, 0.7))) {
    if (code === undefined || utility.uses >= utility.budget) continue;
    const score = utility(code);
    if (score > bestScore) [best, bestScore] = [code, score];
  }
  return best;
}
