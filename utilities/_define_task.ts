/**
 * Building a task from its rules: the wiring every task shares (the evaluator runs the rules
 * through `runEvaluation`, the seed solution is read from `utilities/programs/`, the limit,
 * the count and the score range are the rules' own), so a task file holds only what is its
 * own.
 *
 * @module
 */
import { type Rules, runEvaluation } from "./_evaluate.ts";
import { readProgramFile } from "./_program_file.ts";
import type { Task, TaskInstance } from "./task.ts";

/** What a task shows besides its rules. */
export interface TaskPresentation {
  /** Human name, as in the paper. */
  name: string;
  /** The TypeScript signature a solution must export. */
  signature: string;
  /** The visible scoring function shown to the model (see {@linkcode Task.description}). */
  description: string;
  /** File name of the seed solution in `utilities/programs/`. */
  seedFile: string;
}

/**
 * Builds a task from its rules: `timeLimitMs`, `instanceCount`, `generate` and `scoreRange`
 * are the rules' own, and `evaluate` runs the rules with `runEvaluation`.
 *
 * @param rules How instances are made and judged.
 * @param presentation Its name, signature, visible description and seed solution.
 * @returns The task.
 */
export function defineTask<I extends TaskInstance>(
  rules: Rules<I>,
  presentation: TaskPresentation,
): Task<I> {
  return {
    id: rules.id,
    name: presentation.name,
    exportName: "algorithm",
    signature: presentation.signature,
    timeLimitMs: rules.limitMs,
    scoreRange: rules.scoreRange,
    description: presentation.description,
    instanceCount: rules.count,
    generate: rules.generate,
    seedSolution: () => readProgramFile(presentation.seedFile),
    evaluate: (runner, options) => runEvaluation(rules, runner, options),
  };
}
