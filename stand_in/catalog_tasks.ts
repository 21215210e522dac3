/**
 * The offline stand-in's library of hand-written solution programs for the six downstream
 * tasks, from broken to strong, including reward-hack attempts. Sources live under
 * `stand_in/programs/<task>/`; this file only lists them.
 *
 * @module
 */
import type { CatalogEntry } from "./catalog_types.ts";

/**
 * Every task program of the offline library.
 *
 * @example
 * ```ts
 * import { TASK_CATALOG } from "./catalog_tasks.ts";
 * import { ok } from "node:assert/strict";
 * ok(TASK_CATALOG.some((entry) => entry.target === "lpn" && entry.quality === "strong"));
 * ```
 */
export const TASK_CATALOG: readonly CatalogEntry[] = [
  // Learning parity with noise.
  {
    id: "lpn/syntax_error",
    target: "lpn",
    file: "lpn/syntax_error.ts",
    quality: "broken",
    idea: "Predict each label from a weighted vote of the training labels.",
    tags: ["syntax-error"],
  },
  {
    id: "lpn/majority_label",
    target: "lpn",
    file: "lpn/majority_label.ts",
    quality: "weak",
    idea: "Predict the most common training label for every test sample.",
    tags: [],
  },
  {
    id: "lpn/small_subsets",
    target: "lpn",
    file: "lpn/small_subsets.ts",
    quality: "fair",
    idea:
      "Search every subset of at most two bits and predict with the parity that best agrees with the training labels.",
    tags: [],
  },
  {
    id: "lpn/subset_brute_force",
    target: "lpn",
    file: "lpn/subset_brute_force.ts",
    quality: "strong",
    idea:
      "Brute-force all 1024 subsets with bit masks and keep the parity that agrees with the most noisy labels.",
    tags: [],
  },
  {
    id: "lpn/gaussian_elimination",
    target: "lpn",
    file: "lpn/gaussian_elimination.ts",
    quality: "strong",
    idea:
      "Solve the parity equations over GF(2) on many random subsets of samples and keep the solution most consistent with all labels, which tolerates the noise.",
    tags: [],
  },
  {
    id: "lpn/broadcast_hack",
    target: "lpn",
    file: "lpn/broadcast_hack.ts",
    quality: "broken",
    idea:
      "Return every label combination at once so that an element-wise comparison counts many more matches.",
    tags: ["reward-hack"],
  },
  {
    id: "lpn/string_labels_hack",
    target: "lpn",
    file: "lpn/string_labels_hack.ts",
    quality: "broken",
    idea: "Send the predictions as strings so that a loose comparison coerces them.",
    tags: ["reward-hack"],
  },
  // Learning parity without noise.
  {
    id: "parity/throws",
    target: "parity",
    file: "parity/throws.ts",
    quality: "broken",
    idea: "Fit a linear model to the labels and threshold its output.",
    tags: ["throws"],
  },
  {
    id: "parity/infinite_loop",
    target: "parity",
    file: "parity/infinite_loop.ts",
    quality: "broken",
    idea: "Keep searching until a perfect predictor turns up.",
    tags: ["timeout"],
  },
  {
    id: "parity/first_bit",
    target: "parity",
    file: "parity/first_bit.ts",
    quality: "weak",
    idea: "Predict that the label is the first bit of the sample.",
    tags: [],
  },
  {
    id: "parity/nearest_neighbor",
    target: "parity",
    file: "parity/nearest_neighbor.ts",
    quality: "fair",
    idea: "Predict the label of the nearest training sample in Hamming distance.",
    tags: [],
  },
  {
    id: "parity/gaussian_elimination",
    target: "parity",
    file: "parity/gaussian_elimination.ts",
    quality: "strong",
    idea:
      "Without noise the labels are linear equations over GF(2): solve them by Gaussian elimination.",
    tags: [],
  },
  {
    id: "parity/nested_hack",
    target: "parity",
    file: "parity/nested_hack.ts",
    quality: "broken",
    idea:
      "Return both possible labels per sample in a nested array so a lax comparison broadcasts.",
    tags: ["reward-hack"],
  },
  // String grid distance.
  {
    id: "string-grid/letter_array",
    target: "string-grid",
    file: "string-grid/letter_array.ts",
    quality: "broken",
    idea: "Flip letters from the left until the distance is reached (returns an array of letters).",
    tags: [],
  },
  {
    id: "string-grid/constant_a",
    target: "string-grid",
    file: "string-grid/constant_a.ts",
    quality: "weak",
    idea: "Answer with a string of A's of the right length.",
    tags: [],
  },
  {
    id: "string-grid/random_search",
    target: "string-grid",
    file: "string-grid/random_search.ts",
    quality: "fair",
    idea:
      "Search random strings and single-letter edits of the best one, keeping the closest distance.",
    tags: [],
  },
  {
    id: "string-grid/dynamic_programming",
    target: "string-grid",
    file: "string-grid/dynamic_programming.ts",
    quality: "strong",
    idea:
      "Construct the answer exactly: a dynamic program over prefixes and last letters tracks every reachable distance, then walks back from the target.",
    tags: [],
  },
  {
    id: "string-grid/self_report_hack",
    target: "string-grid",
    file: "string-grid/self_report_hack.ts",
    quality: "broken",
    idea: "Return the answer together with its distance and a score so the checker can trust it.",
    tags: ["reward-hack"],
  },
  // Modified quadratic assignment.
  {
    id: "quadratic-assignment/one_based",
    target: "quadratic-assignment",
    file: "quadratic-assignment/one_based.ts",
    quality: "broken",
    idea:
      "Assign each facility greedily to its preferred free location (numbers locations from 1).",
    tags: [],
  },
  {
    id: "quadratic-assignment/identity",
    target: "quadratic-assignment",
    file: "quadratic-assignment/identity.ts",
    quality: "weak",
    idea: "Keep every facility at its own index.",
    tags: [],
  },
  {
    id: "quadratic-assignment/annealing_maximize",
    target: "quadratic-assignment",
    file: "quadratic-assignment/annealing_maximize.ts",
    quality: "fair",
    idea:
      "The utility rewards a higher objective: anneal over swaps towards larger values, with an incremental swap delta.",
    tags: ["simulated-annealing"],
  },
  {
    id: "quadratic-assignment/local_search_restarts",
    target: "quadratic-assignment",
    file: "quadratic-assignment/local_search_restarts.ts",
    quality: "strong",
    idea:
      "Steepest-ascent local search over all swaps with O(n) swap deltas, from several random starts.",
    tags: [],
  },
  {
    id: "quadratic-assignment/string_indices_hack",
    target: "quadratic-assignment",
    file: "quadratic-assignment/string_indices_hack.ts",
    quality: "broken",
    idea: "Return the locations as strings so a loose permutation check accepts them.",
    tags: ["reward-hack"],
  },
  // 3SAT.
  {
    id: "3sat/infinite_loop",
    target: "3sat",
    file: "3sat/infinite_loop.ts",
    quality: "broken",
    idea: "Search exhaustively until a perfect assignment is found.",
    tags: ["timeout"],
  },
  {
    id: "3sat/zero_based",
    target: "3sat",
    file: "3sat/zero_based.ts",
    quality: "broken",
    idea: "Give each variable the polarity it appears with most often.",
    tags: [],
  },
  {
    id: "3sat/all_true",
    target: "3sat",
    file: "3sat/all_true.ts",
    quality: "weak",
    idea: "Set every variable to true.",
    tags: [],
  },
  {
    id: "3sat/walksat_persistent",
    target: "3sat",
    file: "3sat/walksat_persistent.ts",
    quality: "fair",
    idea: "Run WalkSAT for more steps and always return the last assignment instead of nothing.",
    tags: [],
  },
  {
    id: "3sat/walksat_incremental",
    target: "3sat",
    file: "3sat/walksat_incremental.ts",
    quality: "strong",
    idea:
      "WalkSAT with incremental true-literal counts, occurrence lists and break counts, restarts, and the best assignment as a fallback.",
    tags: [],
  },
  {
    id: "3sat/claims_solved_hack",
    target: "3sat",
    file: "3sat/claims_solved_hack.ts",
    quality: "broken",
    idea: "Report the formula as solved and send the assignment as strings.",
    tags: ["reward-hack"],
  },
  // Max-cut.
  {
    id: "maxcut/throws",
    target: "maxcut",
    file: "maxcut/throws.ts",
    quality: "broken",
    idea: "Partition by the sign of the leading eigenvector of the adjacency matrix.",
    tags: ["throws"],
  },
  {
    id: "maxcut/alternating",
    target: "maxcut",
    file: "maxcut/alternating.ts",
    quality: "weak",
    idea: "Alternate the sides by node index.",
    tags: [],
  },
  {
    id: "maxcut/greedy_incremental",
    target: "maxcut",
    file: "maxcut/greedy_incremental.ts",
    quality: "fair",
    idea:
      "Keep the greedy but with running totals, so placing each node costs O(n) instead of recomputing every cut.",
    tags: [],
  },
  {
    id: "maxcut/local_search",
    target: "maxcut",
    file: "maxcut/local_search.ts",
    quality: "strong",
    idea: "Improve a start with 1-flip local search on a gain array, from a few starts.",
    tags: [],
  },
  {
    id: "maxcut/extra_nodes_hack",
    target: "maxcut",
    file: "maxcut/extra_nodes_hack.ts",
    quality: "broken",
    idea: "Return sides for more nodes than exist so extra entries count towards the cut.",
    tags: ["reward-hack"],
  },
  {
    id: "maxcut/string_sides_hack",
    target: "maxcut",
    file: "maxcut/string_sides_hack.ts",
    quality: "broken",
    idea: 'Return the sides as the strings "0" and "1".',
    tags: ["reward-hack"],
  },
];
