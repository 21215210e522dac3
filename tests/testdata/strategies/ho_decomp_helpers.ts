import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Work on the program one helper at a time.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let program = initialSolution;
  let score = utility(program);
  for (let round = 0; round < languageModel.budget; round++) {
    const helpers = program.split("\nfunction ").slice(1).map((h) => "function " + h);
    if (helpers.length === 0) break;
    const target = helpers[round % helpers.length]!;
    const replies = languageModel.prompt(
      "Expert.",
      `Full program:\n${program}\n\nImprove just this helper; the rest of the program stays as it is:\n${target}\nReturn the full program.`,
      5,
      0.7,
    );
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const s = utility(code);
      if (s > score) [program, score] = [code, s];
    }
  }
  return program;
}
