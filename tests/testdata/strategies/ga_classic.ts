import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

interface Individual {
  genome: string;
  fitness: number;
}

const POPULATION = 6;

function pickParent(population: Individual[]): Individual {
  const a = population[Math.floor(Math.random() * population.length)]!;
  const b = population[Math.floor(Math.random() * population.length)]!;
  return a.fitness > b.fitness ? a : b;
}

// Genetic algorithm: mutation and crossover are both requests to the model.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let population: Individual[] = [{ genome: initialSolution, fitness: utility(initialSolution) }];
  for (let generation = 0; generation < languageModel.budget; generation++) {
    const requests: string[] = [];
    for (let i = 0; i < 5; i++) {
      const mother = pickParent(population);
      const father = pickParent(population);
      requests.push(
        i % 2 === 0
          ? `Mutate this program to score higher:\n${mother.genome}\n${utility.str}`
          : `Cross over these two programs into one child:\nA:\n${mother.genome}\nB:\n${father.genome}`,
      );
    }
    const offspring = extractCode(languageModel.batchPrompt("You evolve programs.", requests, 0.9))
      .filter((c): c is string => c !== undefined && utility.uses < utility.budget)
      .map((genome) => ({ genome, fitness: utility(genome) }));
    population = population.concat(offspring).sort((x, y) => y.fitness - x.fitness).slice(
      0,
      POPULATION,
    );
  }
  return population[0]!.genome;
}
