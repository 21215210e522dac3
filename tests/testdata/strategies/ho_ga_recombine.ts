import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

type Candidate = { source: string; score: number };

function evolve(
  pool: Candidate[],
  languageModel: LanguageModel,
  utility: Utility,
): Candidate[] {
  const asks: string[] = [];
  for (let i = 0; i < 3; i++) {
    const a = pool[Math.floor(Math.random() * pool.length)]!;
    const b = pool[Math.floor(Math.random() * pool.length)]!;
    asks.push(
      `Recombine the two programs below into a new one that keeps their strengths.\n${a.source}\n\n${b.source}`,
    );
    asks.push(`Introduce a random but sensible variation into this program:\n${a.source}`);
  }
  const kids = extractCode(languageModel.batchPrompt("Expert.", asks, 0.9))
    .filter((k): k is string => k !== undefined && utility.uses < utility.budget)
    .map((source) => ({ source, score: utility(source) }));
  return [...pool, ...kids].sort((x, y) => y.score - x.score).slice(0, 6);
}

// Evolve a pool of programs for as many rounds as the model budget allows.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let pool: Candidate[] = [{ source: initialSolution, score: utility(initialSolution) }];
  for (let round = 0; round < languageModel.budget; round++) {
    pool = evolve(pool, languageModel, utility);
  }
  return pool[0]!.source;
}
