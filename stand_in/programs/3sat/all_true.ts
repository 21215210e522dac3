// Set every variable to true.
export function algorithm(formula: number[][]): boolean[] {
  let n = 0;
  for (const clause of formula) for (const lit of clause) n = Math.max(n, Math.abs(lit));
  return new Array(n + 1).fill(true);
}
