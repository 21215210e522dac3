/**
 * Summary statistics for the experiments' tables: mean ± standard error over runs.
 *
 * @module
 */

/** A mean with its standard error. */
export interface MeanSe {
  /** The sample mean (0 for no samples). */
  mean: number;
  /** The standard error of the mean (sample standard deviation / √n; 0 below 2 samples). */
  se: number;
  /** The number of samples. */
  n: number;
}

/**
 * Mean and standard error of the mean.
 *
 * @example
 * ```ts
 * import { meanSe } from "./stats.ts";
 * import { equal } from "node:assert/strict";
 * const { mean, se } = meanSe([1, 2, 3]);
 * equal(mean, 2);
 * equal(se.toFixed(6), (1 / Math.sqrt(3)).toFixed(6));
 * ```
 *
 * @param xs The samples.
 * @returns Mean, standard error and count.
 */
export function meanSe(xs: readonly number[]): MeanSe {
  const n = xs.length;
  const mean = n === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, se: 0, n };
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n), n };
}
