import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Expand the frontier: the best `width` programs found so far each get new proposals.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const width = 3;
  const seen: { program: string; value: number }[] = [
    { program: initialSolution, value: utility(initialSolution) },
  ];
  let frontier = seen.slice();
  for (let level = 0; level < languageModel.budget && utility.uses < utility.budget; level++) {
    const asks = frontier.map((f) =>
      `Current score ${
        f.value.toFixed(3)
      }.\n${f.program}\nScoring:\n${utility.str}\nReturn a better version.`
    );
    const found = extractCode(
      languageModel.batchPrompt("You are an algorithms expert.", asks, 0.7),
    );
    for (const program of found) {
      if (program && utility.uses < utility.budget) seen.push({ program, value: utility(program) });
    }
    seen.sort((a, b) => b.value - a.value);
    frontier = seen.slice(0, width);
  }
  return seen[0]!.program;
}
