/**
 * The project's seeded pseudo-random generator (sfc32, seeded through splitmix32).
 *
 * @module
 */

/**
 * A small, fast, deterministic pseudo-random generator. The same seed always yields the
 * same sequence, on every platform. Not for cryptography.
 *
 * @example
 * ```ts
 * import { SeededRandom } from "./seeded_random.ts";
 * import { equal } from "node:assert/strict";
 * equal(new SeededRandom(4321).next(), new SeededRandom(4321).next());
 * ```
 */
export class SeededRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /**
   * @param seed Any safe integer (negative values and values above 2^32 are mixed in too).
   * @throws {RangeError} When `seed` is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(
        `Cannot seed the generator as 'seed' must be a safe integer: current value is ${
          String(seed)
        }`,
      );
    }
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x1_0000_0000) >>> 0, 0x9e3779b9);
    const splitMix = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = splitMix();
    this.#b = splitMix();
    this.#c = splitMix();
    this.#d = splitMix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /**
   * An integer uniform in `[min, max]`, both included.
   *
   * @throws {RangeError} When the bounds are not integers or `max < min`.
   */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(
        `Cannot draw an integer as the bounds must be integers with min <= max: current values are ${min} and ${max}`,
      );
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const swap = items[i] as T;
      items[i] = items[j] as T;
      items[j] = swap;
    }
    return items;
  }
}
