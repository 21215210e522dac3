import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Small steps: ask for a change to a single line, and apply it to the current best program.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  for (let round = 0; round < languageModel.budget; round++) {
    const lines = best.split("\n");
    const numbered = lines.map((line, i) => `${i}: ${line}`).join("\n");
    const replies = languageModel.prompt(
      "Expert.",
      `Program with line numbers:\n${numbered}\nReply with one line number and its replacement, as "N: new text". Change a single line only.`,
      6,
      0.5,
    );
    for (const reply of replies) {
      const match = /^(\d+): (.*)$/m.exec(reply);
      if (match === null || utility.uses >= utility.budget) continue;
      const edited = [...lines];
      edited[Number(match[1])] = match[2]!;
      const candidate = edited.join("\n");
      const score = utility(candidate);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
  }
  return extractCode(best) ?? best;
}
