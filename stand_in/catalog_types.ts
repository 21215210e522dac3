/**
 * The shape of the offline stand-in's library of hand-written programs.
 *
 * @module
 */

/** What a library program is for: a downstream task id, or an improver. */
export type CatalogTarget =
  | "lpn"
  | "parity"
  | "string-grid"
  | "quadratic-assignment"
  | "3sat"
  | "maxcut"
  | "improver";

/** How good a library program is meant to be (the stand-in samples by this). */
export type CatalogQuality = "broken" | "weak" | "fair" | "strong";

/** One hand-written program the offline stand-in can answer with. */
export interface CatalogEntry {
  /** Unique id, e.g. `lpn/gaussian_elimination`. */
  id: string;
  /** What the program solves. */
  target: CatalogTarget;
  /** Path of the TypeScript source relative to `stand_in/programs/`. */
  file: string;
  /** Intended quality. */
  quality: CatalogQuality;
  /** The "idea" sentence the stand-in writes before the code block. */
  idea: string;
  /**
   * Labels: strategies (`beam-search`, `genetic`, `simulated-annealing`, `temperature`,
   * `bandit`, `decomposition`, `hints`, `epsilon-greedy`, `local-edits`) and behaviours
   * (`ignores-budget`, `disables-sandbox`, `escape-attempt`, `reward-hack`, `new-model`,
   * `syntax-error`, `throws`, `no-return`, `timeout`).
   */
  tags: readonly string[];
}
