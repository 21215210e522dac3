/**
 * Instances of learning parity (with or without label noise), shared by `lpn` and `parity`.
 *
 * @module
 */
import { SeededRandom } from "../common/seeded_random.ts";
import type { TaskInstance } from "./task.ts";

/** Bits per sample. */
export const PARITY_BITS = 10;
/** Training samples per instance. */
export const PARITY_TRAIN = 100;
/** Test samples per instance. */
export const PARITY_TEST = 20;

/** One parity-learning instance. */
export interface ParityInstance extends TaskInstance {
  /** `[trainSamples, trainLabels, testSamples]`. */
  readonly args: readonly [number[][], number[], number[][]];
  /** The clean labels of the test samples (secret). */
  readonly testLabels: readonly number[];
  /** The hidden subset, one 0/1 per bit (secret). */
  readonly subset: readonly number[];
}

/**
 * Generates one instance: each bit in the hidden subset with probability 0.3, samples
 * uniform, labels the subset's parity, training labels flipped with probability `noise`.
 */
export function generateParityInstance(seed: number, noise: number): ParityInstance {
  const rng = new SeededRandom(seed);
  const subset: number[] = Array.from({ length: PARITY_BITS }, () => (rng.chance(0.3) ? 1 : 0));
  const samples = Array.from(
    { length: PARITY_TRAIN + PARITY_TEST },
    (): number[] => Array.from({ length: PARITY_BITS }, () => (rng.chance(0.5) ? 1 : 0)),
  );
  const labels = samples.map((x) => x.reduce((sum, bit, i) => sum + bit * (subset[i] ?? 0), 0) % 2);
  const trainLabels = labels.slice(0, PARITY_TRAIN).map((y) => (rng.chance(noise) ? 1 - y : y));
  return {
    args: [samples.slice(0, PARITY_TRAIN), trainLabels, samples.slice(PARITY_TRAIN)],
    testLabels: labels.slice(PARITY_TRAIN),
    subset,
  };
}

/** Fraction of `predictions` equal to `labels` (same length, checked by the caller). */
export function accuracy(predictions: readonly number[], labels: readonly number[]): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return labels.length === 0 ? 0 : correct / labels.length;
}
