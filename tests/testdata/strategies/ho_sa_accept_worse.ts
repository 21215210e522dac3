import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

function acceptWorse(delta: number, temp: number): boolean {
  return Math.random() < Math.exp(delta / temp);
}

// Walk from program to program; a worse step is taken with a probability that shrinks.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let temp = 0.08;
  let cur = { code: initialSolution, s: utility(initialSolution) };
  let best = cur;
  for (let k = 0; k < languageModel.budget; k++) {
    for (
      const code of extractCode(
        languageModel.prompt("Expert.", `Variation of:\n${cur.code}`, 5, 0.7),
      )
    ) {
      if (!code || utility.uses >= utility.budget) continue;
      const s = utility(code);
      if (s >= cur.s || acceptWorse(s - cur.s, temp)) cur = { code, s };
      if (s > best.s) best = { code, s };
    }
    temp = temp / 2;
  }
  return best.code;
}
