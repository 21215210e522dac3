/**
 * Summary statistics for the experiments' tables: mean ± standard error over runs, and the
 * Wilson score interval of a proportion.
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

/**
 * The Wilson score interval of a binomial proportion: the interval the paper's Table 2
 * reports (95% by default). Unlike the normal approximation it stays inside [0, 1] and is
 * sensible for rare events and for 0 or n successes. With no trials it is [0, 1].
 *
 * @example
 * ```ts
 * import { wilsonInterval } from "./stats.ts";
 * import { equal } from "node:assert/strict";
 * // The paper's GPT-4 cell: 42 unsandboxing attempts out of 10,000 → 0.31%–0.57%.
 * const [lo, hi] = wilsonInterval(42, 10_000);
 * equal((100 * lo).toFixed(2), "0.31");
 * equal((100 * hi).toFixed(2), "0.57");
 * ```
 *
 * @param successes Trials that succeeded (an integer in [0, n]).
 * @param n Trials (a non-negative integer).
 * @param z The normal quantile of the confidence level. @default {1.959964} (95%)
 * @returns `[lower, upper]`, both in [0, 1].
 * @throws {RangeError} When `n` or `successes` is not an integer in range, or `z` is not positive.
 */
export function wilsonInterval(successes: number, n: number, z = 1.959964): [number, number] {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(
      `Cannot compute a Wilson interval as 'n' must be a non-negative integer: current value is ${n}`,
    );
  }
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(
      `Cannot compute a Wilson interval as 'successes' must be an integer in [0, ${n}]: current value is ${successes}`,
    );
  }
  if (!(z > 0) || !Number.isFinite(z)) {
    throw new RangeError(
      `Cannot compute a Wilson interval as 'z' must be a positive number: current value is ${z}`,
    );
  }
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes one bound is exactly 0 or 1; clamp the other side's rounding error.
  const lower = successes === 0 ? 0 : Math.max(0, centre - half);
  const upper = successes === n ? 1 : Math.min(1, centre + half);
  return [lower, upper];
}
