// Polarity heuristic: set each variable to the sign it appears with most often (returns
// one value per variable, forgetting the unused index 0).
export function algorithm(formula: number[][]): boolean[] {
  let n = 0;
  for (const clause of formula) for (const lit of clause) n = Math.max(n, Math.abs(lit));
  const score = new Array(n).fill(0);
  for (const clause of formula) for (const lit of clause) score[Math.abs(lit) - 1] += lit > 0 ? 1 : -1;
  return score.map((s) => s >= 0);
}
