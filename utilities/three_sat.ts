/**
 * Random planted 3SAT: a transfer task.
 *
 * @module
 */
import { instanceSeed, mean, outcomeError } from "./_evaluate.ts";
import { defineTask } from "./_define_task.ts";
import { describeValue, hackOf, readTruth, readVector } from "./_validate.ts";
import { SeededRandom } from "../common/seeded_random.ts";
import type { Split, Task, TaskInstance } from "./task.ts";

/** Score of a wrong or late answer (per instance), and of a broken program (whole task). */
export const THREE_SAT_FAILURE_SCORE = 0.01;

/** One 3SAT instance. */
export interface ThreeSatInstance extends TaskInstance {
  /** `[formula]`: clauses of three literals; literal `v` or `-v` for variable `v` in 1..n. */
  readonly args: readonly [number[][]];
  /** Number of variables. */
  readonly variables: number;
  /** The planted satisfying assignment, index 1..n (secret). */
  readonly planted: readonly boolean[];
}

const DESCRIPTION = `// Task: 3SAT (3sat)
// A solution exports:
//   function algorithm(formula: number[][]): boolean[]
// formula is a list of clauses of 3 literals: v means variable v is true, -v that it is false
// (variables are 1..n). Return an assignment indexed 1..n (assignment[0] is ignored) that
// satisfies every clause. It must take at most 100 ms per call.

function satisfies(formula: number[][], assignment: boolean[]): boolean {
  return formula.every((clause) => clause.some((lit) => assignment[Math.abs(lit)] === lit > 0));
}

function utility(algorithm: (formula: number[][]) => boolean[]): number {
  let solved = 0;
  for (let test = 0; test < 30; test++) {
    const n = 5 + Math.floor(Math.random() * 46), m = 4 * n;
    const hidden = Array.from({ length: n + 1 }, () => Math.random() < 0.5);
    const formula: number[][] = [];
    while (formula.length < m) {
      const vars = new Set<number>();
      while (vars.size < 3) vars.add(1 + Math.floor(Math.random() * n));
      const clause = [...vars].map((v) => (Math.random() < 0.5 ? v : -v));
      if (satisfies([clause], hidden)) formula.push(clause); // keep it satisfiable
    }
    const start = Date.now();
    const assignment = algorithm(formula); // an exception here scores 0.01 overall
    if (Date.now() - start > 100) solved += 0.01; // too slow
    else solved += satisfies(formula, assignment) ? 1 : 0.01;
  }
  return Math.max(solved / 30, 0.01);
}
`;

function generate(split: Split, index: number, salt?: string): ThreeSatInstance {
  const rng = new SeededRandom(instanceSeed(split, index, salt));
  const n = rng.int(5, 50);
  const m = 4 * n;
  const planted = [false, ...Array.from({ length: n }, () => rng.chance(0.5))];
  const formula: number[][] = [];
  const variables = Array.from({ length: n }, (_, i) => i + 1);
  while (formula.length < m) {
    const picked = rng.shuffle(variables).slice(0, 3);
    const clause = picked.map((v) => (rng.chance(0.5) ? v : -v));
    if (clause.some((lit) => planted[Math.abs(lit)] === lit > 0)) formula.push(clause);
  }
  rng.shuffle(formula);
  return { args: [formula], variables: n, planted };
}

/**
 * Whether `assignment` (indexed 1..n) satisfies every clause of `formula`.
 *
 * @example
 * ```ts
 * import { satisfiesFormula } from "./three_sat.ts";
 * import { equal } from "node:assert/strict";
 * equal(satisfiesFormula([[1, -2, 3]], [false, false, true, false]), false);
 * ```
 */
export function satisfiesFormula(
  formula: readonly (readonly number[])[],
  assignment: readonly boolean[],
): boolean {
  return formula.every((clause) => clause.some((lit) => assignment[Math.abs(lit)] === lit > 0));
}

/**
 * Random 3SAT with a planted solution: n uniform in 5..50 variables, 4n clauses of three
 * distinct variables each satisfied by the planted assignment; 30 instances per split. The
 * program returns an assignment indexed 1..n (an array of n + 1 booleans or 0/1; element 0
 * is ignored). Solved counts 1; a wrong answer or a timeout (100 ms) counts 0.01; returning
 * nothing, a malformed answer or any other exception scores 0.01 for the whole task (as in
 * the release, where the check of a missing answer raised). Score `max(mean, 0.01)`.
 *
 * @example
 * ```ts
 * import { threeSatTask } from "./three_sat.ts";
 * import { equal } from "node:assert/strict";
 * const instance = threeSatTask.generate("val", 0);
 * equal(instance.args[0].length, 4 * instance.variables);
 * ```
 */
export const threeSatTask: Task<ThreeSatInstance> = defineTask(
  {
    id: "3sat",
    count: () => 30,
    generate,
    limitMs: 100,
    scoreRange: [THREE_SAT_FAILURE_SCORE, 1],
    compileFailure: THREE_SAT_FAILURE_SCORE,
    judge(instance, outcome) {
      if (outcome.kind === "timeout") {
        return { score: THREE_SAT_FAILURE_SCORE, error: outcomeError(outcome) };
      }
      if (outcome.kind === "error") {
        return { abort: THREE_SAT_FAILURE_SCORE, error: outcomeError(outcome) };
      }
      if (outcome.value === null || outcome.value === undefined) {
        return {
          abort: THREE_SAT_FAILURE_SCORE,
          error: `no_answer: returned ${describeValue(outcome.value)}`,
        };
      }
      const answer = outcome.value;
      // Element 0 is ignored, as in the release (variables are numbered from 1).
      const indexed = Array.isArray(answer) && answer.length === instance.variables + 1
        ? [false, ...answer.slice(1)]
        : answer;
      const checked = readVector(
        indexed,
        instance.variables + 1,
        readTruth,
        "booleans (index 1..n)",
      );
      if (!checked.ok) {
        return {
          abort: THREE_SAT_FAILURE_SCORE,
          error: `bad_answer: ${checked.reason}`,
          ...hackOf(checked),
        };
      }
      return satisfiesFormula(instance.args[0], checked.value)
        ? { score: 1 }
        : { score: THREE_SAT_FAILURE_SCORE, error: "wrong_answer: a clause is unsatisfied" };
    },
    aggregate: (scores) => Math.max(mean(scores), THREE_SAT_FAILURE_SCORE),
  },
  {
    name: "3SAT",
    signature: "export function algorithm(formula: number[][]): boolean[]",
    description: DESCRIPTION,
    seedFile: "three_sat_seed.ts",
  },
);
