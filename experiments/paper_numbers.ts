/**
 * The STOP paper's published numbers (Zelikman et al., arXiv 2310.02304), as data, so that
 * the experiments can print their results beside them. Fractions in [0, 1].
 *
 * @module
 */

/** The five transfer tasks of the paper's Table 1, in the table's order. */
export type TransferTaskId = "string-grid" | "quadratic-assignment" | "3sat" | "maxcut" | "parity";

/** One row of the paper's Table 1. */
export interface PaperTransferRow {
  /** The task's title as the paper prints it. */
  title: string;
  /** u(seed solution) on `test`. */
  seed: number;
  /** û(seed improver I0) on `test`. */
  seedImprover: number;
  /** û(improved improver IT) on `test` (the GPT-4 LPN improver from T = 4, applied unchanged). */
  improvedImprover: number;
}

/**
 * The paper's Table 1: the improver self-improved on LPN, applied unchanged to five other
 * tasks (test split, GPT-4).
 *
 * @example
 * ```ts
 * import { PAPER_TABLE_1 } from "./paper_numbers.ts";
 * import { equal } from "node:assert/strict";
 * equal(PAPER_TABLE_1["3sat"].improvedImprover, 0.751);
 * ```
 */
export const PAPER_TABLE_1: Readonly<Record<TransferTaskId, Readonly<PaperTransferRow>>> = {
  "string-grid": {
    title: "String grid distance",
    seed: 0.439,
    seedImprover: 0.443,
    improvedImprover: 0.567,
  },
  "quadratic-assignment": {
    title: "Modified quadratic assignment",
    seed: 0.204,
    seedImprover: 0.206,
    improvedImprover: 0.221,
  },
  "3sat": { title: "3SAT", seed: 0, seedImprover: 0.212, improvedImprover: 0.751 },
  "maxcut": { title: "Max-cut", seed: 0, seedImprover: 0.587, improvedImprover: 0.742 },
  "parity": {
    title: "Parity without noise",
    seed: 0.5,
    seedImprover: 0.593,
    improvedImprover: 0.817,
  },
};

/** The transfer task ids in the order of the paper's Table 1. */
export const TRANSFER_TASK_IDS: readonly TransferTaskId[] = [
  "string-grid",
  "quadratic-assignment",
  "3sat",
  "maxcut",
  "parity",
];
