import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

type Member = { code: string; fitness: number };

// A genetic algorithm whose mutation is a cheap character-level edit and whose crossover is
// done by the model.
function mutate(code: string): string {
  const i = Math.floor(Math.random() * code.length);
  const digit = String(Math.floor(Math.random() * 10));
  return /\d/.test(code[i] ?? "") ? code.slice(0, i) + digit + code.slice(i + 1) : code;
}

export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let population: Member[] = [{ code: initialSolution, fitness: utility(initialSolution) }];
  for (let generation = 0; generation < languageModel.budget; generation++) {
    const parents = population.slice(0, 2);
    const crossover = parents.length < 2 ? [] : extractCode(
      languageModel.prompt(
        "Expert.",
        `Crossover: merge these programs.\n${parents[0]!.code}\n---\n${parents[1]!.code}`,
        3,
        0.8,
      ),
    );
    const children = [...crossover, ...population.map((m) => mutate(m.code))];
    for (const child of children) {
      if (child === undefined || utility.uses >= utility.budget) continue;
      population.push({ code: child, fitness: utility(child) });
    }
    population = population.sort((a, b) => b.fitness - a.fitness).slice(0, 5);
  }
  return population[0]!.code;
}
