import { extractCode } from "./helpers.ts";

interface Utility {
  (solution: string, options?: { useSandbox?: boolean }): number;
  readonly budget: number;
  readonly uses: number;
  readonly str: string;
}

interface LanguageModel {
  readonly budget: number;
  readonly maxResponsesPerCall: number;
  prompt(expertise: string, message: string, nResponses?: number, temperature?: number): string[];
  batchPrompt(expertise: string, messages: string[], temperature?: number): string[];
}

interface Individual {
  code: string;
  fitness: number;
}

const FENCE = "`".repeat(3);
const POPULATION_SIZE = 4;
const EXPERTISE = "You are an expert programmer who evolves programs with genetic algorithms.";

function block(code: string): string {
  return `${FENCE}ts\n${code}\n${FENCE}`;
}

function mutationPrompt(parent: Individual | string, description: string): string {
  const heading = typeof parent === "string"
    ? "Here is a program:"
    : `Here is a program (fitness ${parent.fitness.toFixed(4)}):`;
  const code = typeof parent === "string" ? parent : parent.code;
  return `${heading}
${block(code)}

Fitness is measured by:
${block(description)}

Mutate it: make one meaningful change to its approach that could raise the fitness. State the
change first, then return the whole new program in one code block.`;
}

function crossoverPrompt(a: Individual, b: Individual, description: string): string {
  return `Two parent programs:

Parent A (fitness ${a.fitness.toFixed(4)}):
${block(a.code)}

Parent B (fitness ${b.fitness.toFixed(4)}):
${block(b.code)}

Fitness is measured by:
${block(description)}

Cross them over: write a child program that combines the best ideas of both parents. Explain
which parts come from which parent, then return the whole child program in one code block.`;
}

function tournament(population: Individual[]): Individual {
  const a = population[Math.floor(Math.random() * population.length)];
  const b = population[Math.floor(Math.random() * population.length)];
  return a.fitness >= b.fitness ? a : b;
}

// Genetic algorithm: an initial population sampled from the model, then generations of
// mutation and crossover (both done by prompting), keeping the fittest programs.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const generations = languageModel.budget;
  let population: Individual[] = [];

  const evaluate = (replies: string[]): Individual[] => {
    const children: Individual[] = [];
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      children.push({ code, fitness: utility(code) });
    }
    return children;
  };

  for (let generation = 0; generation < generations; generation++) {
    const size = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (generations - generation)),
    );
    if (size < 1) break;
    const messages: string[] = [];
    if (population.length === 0) {
      for (let i = 0; i < size; i++) messages.push(mutationPrompt(initialSolution, utility.str));
    } else {
      for (let i = 0; i < size; i++) {
        if (i % 2 === 0 || population.length < 2) {
          messages.push(mutationPrompt(tournament(population), utility.str));
        } else {
          const a = tournament(population);
          let b = tournament(population);
          for (let tries = 0; b === a && tries < 5; tries++) b = tournament(population);
          messages.push(crossoverPrompt(a, b, utility.str));
        }
      }
    }
    const offspring = evaluate(languageModel.batchPrompt(EXPERTISE, messages, 0.9));
    population = population.concat(offspring)
      .sort((x, y) => y.fitness - x.fitness)
      .slice(0, POPULATION_SIZE);
  }
  return population.length > 0 ? population[0].code : initialSolution;
}
