/**
 * Learning parity with noise (LPN): the meta-optimisation task.
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

/** Score of an LPN evaluation in which any call threw, timed out or returned malformed data. */
export const LPN_FAILURE_SCORE = 1e-6;

const DESCRIPTION = `// Task: Learning parity with noise (lpn)
// A solution exports:
//   function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[]
// It returns one 0/1 prediction per test sample and must take at most 100 ms per call.

type Algorithm = (trainSamples: number[][], trainLabels: number[], testSamples: number[][]) => number[];

function bits(n: number, p: number): number[] {
  return Array.from({ length: n }, () => (Math.random() < p ? 1 : 0));
}

function utility(algorithm: Algorithm): number {
  const nTests = 3;
  let averageCorrect = 0;
  for (let test = 0; test < nTests; test++) {
    const nBits = 10, nTrain = 100, nTest = 20, noise = 0.05;
    const trueBits = bits(nBits, 0.3);
    const samples = Array.from({ length: nTrain + nTest }, () => bits(nBits, 0.5));
    const parity = samples.map((x) => x.reduce((s, b, i) => s + b * trueBits[i], 0) % 2);
    const trainLabels = parity.slice(0, nTrain).map((y) => (Math.random() < noise ? 1 - y : y));
    const start = Date.now();
    try {
      const predictions = algorithm(samples.slice(0, nTrain), trainLabels, samples.slice(nTrain));
      if (Date.now() - start > 100) return 0; // too slow
      const correct = predictions.filter((p, i) => p === parity[nTrain + i]).length;
      averageCorrect += correct / nTest / nTests;
    } catch {
      return 0;
    }
  }
  return averageCorrect;
}
`;

function generate(split: Split, index: number, salt?: string): ParityInstance {
  return generateParityInstance(instanceSeed(split, index, salt), 0.05);
}

/**
 * Learning parity with noise: 10 bits, 100 noisy training samples, 20 clean test samples;
 * score is mean test accuracy (20 instances on `val`, 50 on `test`), 2 s per call. Any
 * exception, timeout or malformed answer scores {@linkcode LPN_FAILURE_SCORE} for the whole
 * evaluation; a program that does not compile scores 0.
 *
 * @example
 * ```ts
 * import { lpnTask } from "./lpn.ts";
 * import { equal } from "node:assert/strict";
 * equal(lpnTask.generate("val", 0).args[0].length, 100);
 * ```
 */
export const lpnTask: Task<ParityInstance> = defineTask(
  {
    id: "lpn",
    count: (split) => (split === "val" ? 20 : 50),
    generate,
    limitMs: 2000,
    scoreRange: [0, 1],
    compileFailure: 0,
    judge(instance, outcome) {
      if (outcome.kind !== "value") {
        return { abort: LPN_FAILURE_SCORE, error: outcomeError(outcome) };
      }
      const checked = readVector(outcome.value, PARITY_TEST, readBit, "0/1 predictions");
      if (!checked.ok) {
        return {
          abort: LPN_FAILURE_SCORE,
          error: `bad_answer: ${checked.reason}`,
          ...hackOf(checked),
        };
      }
      return { score: accuracy(checked.value, instance.testLabels) };
    },
    aggregate: mean,
  },
  {
    name: "Learning parity with noise",
    signature:
      "export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[]",
    description: DESCRIPTION,
    seedFile: "lpn_seed.ts",
  },
);
