/**
 * Weighted max-cut: a transfer task.
 *
 * @module
 */
import { instanceSeed, mean, outcomeError } from "./_evaluate.ts";
import { defineTask } from "./_define_task.ts";
import { hackOf, readBit, readVector } from "./_validate.ts";
import { SeededRandom } from "../common/seeded_random.ts";
import type { Split, Task, TaskInstance } from "./task.ts";

/** Score of a program that throws, times out or returns malformed sides (whole task). */
export const MAXCUT_FAILURE_SCORE = 0.01;
const MAX_WEIGHT = 10;
const MAX_NODES = 200;

/** One max-cut instance. */
export interface MaxCutInstance extends TaskInstance {
  /** `[adjacency]`: symmetric matrix of integer weights 1..10 (0 = no edge). */
  readonly args: readonly [number[][]];
  /** Sum of all edge weights (for the 0..1 normalisation). */
  readonly totalWeight: number;
}

const DESCRIPTION = `// Task: Max-cut (maxcut)
// A solution exports:
//   function algorithm(adjacency: number[][]): number[]
// adjacency is a symmetric matrix of edge weights (0 = no edge). Return a side, 0 or 1, for
// every node; the cut weight is the total weight of edges whose ends are on different sides.
// It must take at most 100 ms per call, or the whole utility fails.

function utility(algorithm: (adjacency: number[][]) => number[]): number {
  let average = 0;
  const nTests = 100;
  for (let test = 0; test < nTests; test++) {
    const n = 50 + Math.floor(Math.random() * 151);
    const adjacency = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (Math.random() < 0.4) adjacency[i][j] = adjacency[j][i] = 1 + Math.floor(Math.random() * 10);
      }
    }
    const start = Date.now();
    let side: number[];
    try {
      side = algorithm(adjacency);
    } catch {
      return 0.01;
    }
    if (Date.now() - start > 100) return 0.01; // too slow
    if (side.length !== n) return 0;
    let cut = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (side[i] !== side[j]) cut += adjacency[i][j];
    average += cut / nTests / 10;
  }
  return Math.max(average, 0.01);
}
`;

function generate(split: Split, index: number, salt?: string): MaxCutInstance {
  const rng = new SeededRandom(instanceSeed(split, index, salt));
  const n = rng.int(50, MAX_NODES);
  const adjacency = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const row = adjacency[i] as number[];
    for (let j = i + 1; j < n; j++) {
      if (rng.chance(0.4)) {
        const w = rng.int(1, MAX_WEIGHT);
        row[j] = w;
        (adjacency[j] as number[])[i] = w;
        totalWeight += w;
      }
    }
  }
  return { args: [adjacency], totalWeight };
}

/**
 * Total weight of the edges whose ends are on different sides.
 *
 * @example
 * ```ts
 * import { cutWeight } from "./maxcut.ts";
 * import { equal } from "node:assert/strict";
 * equal(cutWeight([[0, 3], [3, 0]], [0, 1]), 3);
 * ```
 */
export function cutWeight(
  adjacency: readonly (readonly number[])[],
  sides: readonly number[],
): number {
  let cut = 0;
  for (let i = 0; i < adjacency.length; i++) {
    const row = adjacency[i] as readonly number[];
    for (let j = i + 1; j < row.length; j++) {
      if (sides[i] !== sides[j]) cut += row[j] as number;
    }
  }
  return cut;
}

/**
 * Weighted max-cut as released: 100 instances per split, 50..200 nodes, edge probability
 * 0.4, integer weights 1..10. Score is the mean cut weight divided by 10 (`normalizedScore`
 * is the mean fraction of edge weight cut, on a 0..1 scale). Exceptions, timeouts (100 ms)
 * and malformed sides score 0.01 for the whole task; an array of the wrong length scores 0
 * for the whole task (as released); a program that does not compile scores 0.01.
 *
 * @example
 * ```ts
 * import { maxCutTask } from "./maxcut.ts";
 * import { equal } from "node:assert/strict";
 * equal(maxCutTask.instanceCount("val"), 100);
 * ```
 */
export const maxCutTask: Task<MaxCutInstance> = defineTask(
  {
    id: "maxcut",
    count: () => 100,
    generate,
    limitMs: 100,
    scoreRange: [0, (MAX_NODES * (MAX_NODES - 1)) / 2],
    compileFailure: MAXCUT_FAILURE_SCORE,
    judge(instance, outcome) {
      if (outcome.kind !== "value") {
        return { abort: MAXCUT_FAILURE_SCORE, error: outcomeError(outcome) };
      }
      const adjacency = instance.args[0];
      const n = adjacency.length;
      const answer = outcome.value;
      const checked = readVector(answer, n, readBit, "0/1 sides");
      if (!checked.ok) {
        const wrongLength = Array.isArray(answer) && answer.length !== n;
        return {
          abort: wrongLength ? 0 : MAXCUT_FAILURE_SCORE,
          error: `bad_answer: ${checked.reason}`,
          ...hackOf(checked),
        };
      }
      return { score: cutWeight(adjacency, checked.value) / MAX_WEIGHT };
    },
    aggregate: (scores) => Math.max(mean(scores), MAXCUT_FAILURE_SCORE),
    normalize: (instances, scores) =>
      mean(
        instances.map((instance, i) =>
          instance.totalWeight === 0 ? 0 : ((scores[i] ?? 0) * MAX_WEIGHT) / instance.totalWeight
        ),
      ),
  },
  {
    name: "Max-cut",
    signature: "export function algorithm(adjacency: number[][]): number[]",
    description: DESCRIPTION,
    seedFile: "maxcut_seed.ts",
  },
);
