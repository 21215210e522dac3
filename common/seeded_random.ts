/**
 * The project's one seeded pseudo-random generator: sfc32, seeded either from an integer
 * (through splitmix32, for task instances) or from a SHA-256 of any JSON-serialisable parts
 * (for the offline stand-in and the model gateway). The same seed always yields the same
 * sequence, on every platform. Not for cryptography.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

function sha256(parts: unknown[]): Buffer {
  return createHash("sha256").update(JSON.stringify(parts)).digest();
}

/**
 * A small, fast, deterministic pseudo-random generator (sfc32).
 *
 * @example
 * ```ts
 * import { SeededRandom } from "./seeded_random.ts";
 * import { equal } from "node:assert/strict";
 * equal(new SeededRandom(4321).next(), new SeededRandom(4321).next());
 * equal(SeededRandom.fromParts(1, "a").next(), SeededRandom.fromParts(1, "a").next());
 * ```
 */
export class SeededRandom {
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;

  /**
   * Seeds the state from an integer through splitmix32 and discards the first 12 outputs.
   *
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

  /**
   * A generator whose state is the first 16 bytes of the SHA-256 of `JSON.stringify(parts)`
   * (four little-endian words; the counter word starts one past its hash value), with no
   * outputs discarded.
   *
   * @param parts Anything JSON-serialisable; equal parts give equal sequences.
   * @returns The generator.
   */
  static fromParts(...parts: unknown[]): SeededRandom {
    const digest = sha256(parts);
    const rng = new SeededRandom(0);
    rng.#a = digest.readUInt32LE(0) | 0;
    rng.#b = digest.readUInt32LE(4) | 0;
    rng.#c = digest.readUInt32LE(8) | 0;
    rng.#d = (digest.readUInt32LE(12) + 1) | 0;
    return rng;
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

/**
 * Returns a deterministic generator of uniform numbers in [0, 1) for the given seed parts
 * ({@linkcode SeededRandom.fromParts} as a function).
 *
 * @param parts Anything JSON-serialisable; equal parts give equal sequences.
 * @returns The generator.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./seeded_random.ts";
 * import { equal } from "node:assert/strict";
 * equal(seededRandom(1, "a")(), seededRandom(1, "a")());
 * ```
 */
export function seededRandom(...parts: unknown[]): Random {
  const rng = SeededRandom.fromParts(...parts);
  return () => rng.next();
}

/**
 * Derives a non-negative 31-bit integer seed from the given parts.
 *
 * @param parts Anything JSON-serialisable.
 * @returns An integer in [0, 2^31).
 *
 * @example
 * ```ts
 * import { deriveSeed } from "./seeded_random.ts";
 * import { ok } from "node:assert/strict";
 * ok(deriveSeed("x", 1) < 2 ** 31);
 * ```
 */
export function deriveSeed(...parts: unknown[]): number {
  return sha256(parts).readUInt32LE(0) >>> 1;
}
