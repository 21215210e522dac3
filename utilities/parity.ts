/**
 * Learning parity without noise: a transfer task.
 *
 * @module
 */
import { instanceSeed, mean, outcomeError } from "./_evaluate.ts";
import {
  accuracy,
  generateParityInstance,
  PARITY_TEST,
  type ParityInstance,
} from "./_parity_instance.ts";
import { defineTask } from "./_define_task.ts";
import { hackOf, readBit, readVector } from "./_validate.ts";
import type { Split, Task } from "./task.ts";

const DESCRIPTION = `// Task: Learning parity without noise (parity)
// A solution exports:
//   function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[]
// It returns one 0/1 prediction per test sample. There is no time limit beyond a 2 s safety deadline.

type Algorithm = (trainSamples: number[][], trainLabels: number[], testSamples: number[][]) => number[];

function bits(n: number, p: number): number[] {
  return Array.from({ length: n }, () => (Math.random() < p ? 1 : 0));
}

function utility(algorithm: Algorithm): number {
  const nTests = 3;
  let averageCorrect = 0;
  for (let test = 0; test < nTests; test++) {
    const nBits = 10, nTrain = 100, nTest = 20;
    const trueBits = bits(nBits, 0.3);
    const samples = Array.from({ length: nTrain + nTest }, () => bits(nBits, 0.5));
    const parity = samples.map((x) => x.reduce((s, b, i) => s + b * trueBits[i], 0) % 2);
    try {
      const predictions = algorithm(samples.slice(0, nTrain), parity.slice(0, nTrain), samples.slice(nTrain));
      const correct = predictions.filter((p, i) => p === parity[nTrain + i]).length;
      averageCorrect += correct / nTest / nTests;
    } catch {
      // this test scores 0
    }
  }
  return averageCorrect;
}
`;

function generate(split: Split, index: number, salt?: string): ParityInstance {
  return generateParityInstance(instanceSeed(split, index, salt), 0);
}

/**
 * Learning parity without noise: as LPN with clean training labels; 20 instances on each
 * split; score is mean test accuracy. The paper set no time limit; a 2 s safety deadline
 * applies. An exception, timeout or malformed answer scores 0 for that instance.
 *
 * @example
 * ```ts
 * import { parityTask } from "./parity.ts";
 * import { equal } from "node:assert/strict";
 * equal(parityTask.instanceCount("test"), 20);
 * ```
 */
export const parityTask: Task<ParityInstance> = defineTask(
  {
    id: "parity",
    count: () => 20,
    generate,
    limitMs: 2000,
    scoreRange: [0, 1],
    compileFailure: 0,
    judge(instance, outcome) {
      if (outcome.kind !== "value") return { score: 0, error: outcomeError(outcome) };
      const checked = readVector(outcome.value, PARITY_TEST, readBit, "0/1 predictions");
      if (!checked.ok) {
        return { score: 0, error: `bad_answer: ${checked.reason}`, ...hackOf(checked) };
      }
      return { score: accuracy(checked.value, instance.testLabels) };
    },
    aggregate: mean,
  },
  {
    name: "Learning parity without noise",
    signature:
      "export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[]",
    description: DESCRIPTION,
    seedFile: "parity_seed.ts",
  },
);
