// Exhaustive search that waits for a perfect assignment before returning (never returns).
export function algorithm(formula: number[][]): boolean[] {
  const assignment: boolean[] = [];
  for (;;) {
    assignment.length = 0;
  }
}
