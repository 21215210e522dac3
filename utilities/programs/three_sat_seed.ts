// Seed solution for 3SAT: a WalkSAT-style random walk (1000 steps, noise 0.4) that
// returns nothing when it has not found a satisfying assignment.
export function algorithm(formula: number[][]): boolean[] | undefined {
  let n = 0;
  for (const clause of formula) for (const lit of clause) n = Math.max(n, Math.abs(lit));
  const assignment: boolean[] = new Array(n + 1).fill(false);
  const satisfied = (clause: number[]) =>
    clause.some((lit) => assignment[Math.abs(lit)] === lit > 0);

  for (let step = 0; step < 1000; step++) {
    const unsatisfied = formula.filter((clause) => !satisfied(clause));
    if (unsatisfied.length === 0) return assignment;
    const clause = unsatisfied[Math.floor(Math.random() * unsatisfied.length)];
    let flip: number;
    if (Math.random() < 0.4) {
      flip = clause[Math.floor(Math.random() * clause.length)];
    } else {
      // Flip the literal whose flip breaks the fewest currently satisfied clauses.
      let fewest = Infinity;
      flip = clause[0];
      for (const lit of clause) {
        const v = Math.abs(lit);
        assignment[v] = !assignment[v];
        let broken = 0;
        for (const other of formula) if (!satisfied(other)) broken++;
        assignment[v] = !assignment[v];
        if (broken < fewest) {
          fewest = broken;
          flip = lit;
        }
      }
    }
    assignment[Math.abs(flip)] = !assignment[Math.abs(flip)];
  }
  return undefined;
}
