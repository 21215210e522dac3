// WalkSAT (noise 0.4) for more steps than the seed, returning the last assignment instead of
// nothing when it runs out of steps.
export function algorithm(formula: number[][]): boolean[] {
  let n = 0;
  for (const clause of formula) for (const lit of clause) n = Math.max(n, Math.abs(lit));
  const assignment: boolean[] = new Array(n + 1).fill(false);
  const satisfied = (clause: number[]) => clause.some((lit) => assignment[Math.abs(lit)] === lit > 0);
  for (let step = 0; step < 3000; step++) {
    const unsatisfied = formula.filter((clause) => !satisfied(clause));
    if (unsatisfied.length === 0) break;
    const clause = unsatisfied[Math.floor(Math.random() * unsatisfied.length)];
    const lit = clause[Math.floor(Math.random() * 3)];
    if (Math.random() < 0.4) {
      assignment[Math.abs(lit)] = !assignment[Math.abs(lit)];
      continue;
    }
    let bestVar = Math.abs(clause[0]);
    let fewest = Infinity;
    for (const l of clause) {
      const v = Math.abs(l);
      assignment[v] = !assignment[v];
      const left = formula.filter((c) => !satisfied(c)).length;
      assignment[v] = !assignment[v];
      if (left < fewest) {
        fewest = left;
        bestVar = v;
      }
    }
    assignment[bestVar] = !assignment[bestVar];
  }
  return assignment;
}
