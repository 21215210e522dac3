/**
 * Where a run's instances come from. `public`: the paper's constant seeds (`4321 + i` on
 * `val`, `5678 + i` on `test`), so anyone can reproduce every number, and anyone, including a
 * generated program or a model trained on this repository, can regenerate the instances and
 * their hidden answers. `secret`: seeds derived from a random salt drawn for the run and kept
 * in the host (in the run's `config.json`, which resume and replay read); no guest ever sees
 * it, so a program can neither regenerate its instances nor rebuild their answers.
 *
 * The generators' state is 32 bits wide, so a secret instance is one of about 4·10⁹: hidden
 * from a program that has 2 s per call, not from an offline search with the salt's output.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Split } from "./task.ts";

/** How a run draws its instances. */
export type InstanceMode = "public" | "secret";

/** The modes, for flags and help texts. */
export const INSTANCE_MODES: readonly InstanceMode[] = ["public", "secret"];

/**
 * Draws a fresh secret salt: 32 random bytes in hex.
 *
 * @returns The salt.
 *
 * @example
 * ```ts
 * import { newInstanceSalt } from "./instance_salt.ts";
 * import { equal, notEqual } from "node:assert/strict";
 * equal(newInstanceSalt().length, 64);
 * notEqual(newInstanceSalt(), newInstanceSalt());
 * ```
 */
export function newInstanceSalt(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/**
 * The salt a mode asks for: none for `public`, a fresh one for `secret`.
 *
 * @param mode The mode.
 * @returns The salt, or undefined for the public seeds.
 */
export function saltFor(mode: InstanceMode): string | undefined {
  return mode === "secret" ? newInstanceSalt() : undefined;
}

/**
 * Whether a value is an instance mode.
 *
 * @param value Anything (e.g. a flag's text).
 * @returns `true` for `public` or `secret`.
 */
export function isInstanceMode(value: unknown): value is InstanceMode {
  return value === "public" || value === "secret";
}

/**
 * The seed of the `index`-th instance of `split` under a secret salt: the first 48 bits of
 * SHA-256 of `salt|split|index`.
 *
 * @param salt The run's salt.
 * @param split The split.
 * @param index The instance's position.
 * @returns A safe integer seed.
 *
 * @example
 * ```ts
 * import { secretSeed } from "./instance_salt.ts";
 * import { equal, notEqual } from "node:assert/strict";
 * equal(secretSeed("a", "val", 0), secretSeed("a", "val", 0));
 * notEqual(secretSeed("a", "val", 0), secretSeed("b", "val", 0));
 * ```
 */
export function secretSeed(salt: string, split: Split, index: number): number {
  const digest = createHash("sha256").update(`${salt}|${split}|${index}`).digest();
  return digest.readUIntBE(0, 6);
}
