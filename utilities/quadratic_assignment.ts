/**
 * Modified quadratic assignment (MQAP): a transfer task.
 *
 * @module
 */
import { instanceSeed, mean, outcomeError } from "./_evaluate.ts";
import { defineTask } from "./_define_task.ts";
import { hackOf, readIndexBelow, readVector } from "./_validate.ts";
import { SeededRandom } from "../common/seeded_random.ts";
import type { Split, Task, TaskInstance } from "./task.ts";

/** Facilities and locations per instance. */
export const QAP_SIZE = 15;
/** Weight of the preference term. */
export const QAP_LAMBDA = 0.5;
/** The floor of an MQAP score (the paper's epsilon for broken programs). */
export const QAP_FAILURE_SCORE = 0.01;
const SCALE = QAP_SIZE * QAP_SIZE;
const LIMIT_MS = 500;

/** One MQAP instance. */
export interface QuadraticAssignmentInstance extends TaskInstance {
  /** `[F, D, P]`: flow, distance and preference matrices, entries uniform in [0, 1). */
  readonly args: readonly [number[][], number[][], number[][]];
}

const DESCRIPTION = `// Task: Modified quadratic assignment (quadratic-assignment)
// A solution exports:
//   function algorithm(F: number[][], D: number[][], P: number[][]): number[]
// F (flow), D (distance) and P (preference) are 15 x 15 matrices with entries in [0, 1).
// It returns an assignment: a permutation of 0..14 (facility i goes to location a[i]).
// Higher is better. It must take at most 500 ms per call, or the test scores 0.

function utility(algorithm: (F: number[][], D: number[][], P: number[][]) => number[]): number {
  const n = 15, nTests = 10;
  const matrix = () => Array.from({ length: n }, () => Array.from({ length: n }, () => Math.random()));
  let average = 0;
  for (let test = 0; test < nTests; test++) {
    const F = matrix(), D = matrix(), P = matrix();
    const start = Date.now();
    try {
      const a = algorithm(F, D, P);
      const seconds = (Date.now() - start) / 1000;
      if (seconds > 0.5) continue; // too slow: 0
      if (a.length !== n || new Set(a).size !== n || a.some((x) => !(x >= 0 && x < n))) continue; // not a permutation: 0
      let objective = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) objective += F[i][j] * D[a[i]][a[j]];
      for (let i = 0; i < n; i++) objective -= 0.5 * P[i][a[i]];
      average += (objective + seconds) / nTests;
    } catch {
      // error: 0
    }
  }
  return Math.max(average / (n * n), 0.01);
}
`;

function generate(split: Split, index: number, salt?: string): QuadraticAssignmentInstance {
  const rng = new SeededRandom(instanceSeed(split, index, salt));
  const matrix = () =>
    Array.from({ length: QAP_SIZE }, () => Array.from({ length: QAP_SIZE }, () => rng.next()));
  const f = matrix();
  const d = matrix();
  const p = matrix();
  return { args: [f, d, p] };
}

/**
 * The MQAP objective of an assignment (a permutation, checked by the caller):
 * `Σ F[i][j]·D[a[i]][a[j]] − 0.5·Σ P[i][a[i]]`.
 *
 * @example
 * ```ts
 * import { quadraticAssignmentObjective } from "./quadratic_assignment.ts";
 * import { equal } from "node:assert/strict";
 * equal(quadraticAssignmentObjective([[1]], [[2]], [[2]], [0]), 1);
 * ```
 */
export function quadraticAssignmentObjective(
  f: readonly (readonly number[])[],
  d: readonly (readonly number[])[],
  p: readonly (readonly number[])[],
  assignment: readonly number[],
): number {
  const n = assignment.length;
  let objective = 0;
  for (let i = 0; i < n; i++) {
    const row = d[assignment[i] as number] as readonly number[];
    const fi = f[i] as readonly number[];
    for (let j = 0; j < n; j++) {
      objective += (fi[j] as number) * (row[assignment[j] as number] as number);
    }
    objective -= QAP_LAMBDA * ((p[i] as readonly number[])[assignment[i] as number] as number);
  }
  return objective;
}

/**
 * Modified quadratic assignment as released (higher is better): per instance the objective
 * plus the seconds taken (virtual guest time divided by the time scale), or 0 when the answer
 * is not a permutation of 0..14, errs or exceeds 500 ms; the score is `max(mean / 225, 0.01)`.
 * 10 instances per split. Not a permutation counts 0 for the instance; a program that does
 * not compile scores 0.01.
 *
 * @example
 * ```ts
 * import { quadraticAssignmentTask } from "./quadratic_assignment.ts";
 * import { equal } from "node:assert/strict";
 * equal(quadraticAssignmentTask.generate("val", 0).args[0].length, 15);
 * ```
 */
export const quadraticAssignmentTask: Task<QuadraticAssignmentInstance> = defineTask(
  {
    id: "quadratic-assignment",
    count: () => 10,
    generate,
    limitMs: LIMIT_MS,
    scoreRange: [QAP_FAILURE_SCORE, 1 + LIMIT_MS / 1000 / SCALE],
    compileFailure: QAP_FAILURE_SCORE,
    judge(instance, outcome, { timeScale }) {
      if (outcome.kind !== "value") return { score: 0, error: outcomeError(outcome) };
      const checked = readVector(
        outcome.value,
        QAP_SIZE,
        readIndexBelow(QAP_SIZE),
        "integers in 0..14",
      );
      if (!checked.ok) {
        return { score: 0, error: `bad_answer: ${checked.reason}`, ...hackOf(checked) };
      }
      if (new Set(checked.value).size !== QAP_SIZE) {
        return {
          score: 0,
          error: "bad_answer: not a permutation of 0..14 (repeated locations)",
        };
      }
      const [f, d, p] = instance.args;
      const seconds = Math.min(outcome.ms / timeScale, LIMIT_MS) / 1000;
      return {
        score: (quadraticAssignmentObjective(f, d, p, checked.value) + seconds) / SCALE,
      };
    },
    aggregate: (scores) => Math.max(mean(scores), QAP_FAILURE_SCORE),
  },
  {
    name: "Modified quadratic assignment",
    signature: "export function algorithm(F: number[][], D: number[][], P: number[][]): number[]",
    description: DESCRIPTION,
    seedFile: "quadratic_assignment_seed.ts",
  },
);
