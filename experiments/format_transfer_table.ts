/**
 * The transfer table (paper Table 1) as text, in the paper's form, beside the paper's numbers.
 *
 * @module
 */
import type { TransferRow } from "./transfer.ts";
import type { MeanSe } from "./stats.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function cell(value: MeanSe, paper: number, withSe: boolean): string {
  const se = withSe || pct(value.se) !== pct(0) ? ` ± ${pct(value.se)}` : "";
  return `${pct(value.mean)}${se} (paper ${pct(paper)})`;
}

/**
 * The table in the paper's form: task | u(seed) | û(I0) | û(IT), each beside the paper's.
 *
 * @param rows The transfer rows.
 * @returns The table's lines, header first.
 */
export function formatTransferTable(rows: readonly TransferRow[]): string[] {
  const lines = rows.map((row) => [
    row.title,
    cell(row.seed, row.paper.seed, false),
    cell(row.seedImprover, row.paper.seedImprover, true),
    cell(row.improvedImprover, row.paper.improvedImprover, true),
  ]);
  const header = ["task", "u(seed solution)", "û(seed improver I0)", "û(improved improver)"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const join = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join(" | ").trimEnd();
  return [join(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...lines.map(join)];
}
