// Seed solution for modified quadratic assignment: simulated annealing over swaps
// (1000 steps, temperature 1.0, cooling 0.99), recomputing the objective at every step.
export function algorithm(F: number[][], D: number[][], P: number[][]): number[] {
  const n = F.length;
  const lambda = 0.5;

  function objective(a: number[]): number {
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) total += F[i][j] * D[a[i]][a[j]];
    }
    for (let i = 0; i < n; i++) total -= lambda * P[i][a[i]];
    return total;
  }

  let current = Array.from({ length: n }, (_, i) => i);
  let best = current.slice();
  let bestValue = objective(current);
  let temperature = 1.0;
  for (let step = 0; step < 1000; step++) {
    temperature *= 0.99;
    const candidate = current.slice();
    const i = Math.floor(Math.random() * n);
    let j = Math.floor(Math.random() * n);
    while (j === i) j = Math.floor(Math.random() * n);
    [candidate[i], candidate[j]] = [candidate[j], candidate[i]];
    const value = objective(candidate);
    const delta = value - objective(current);
    if (delta < 0 || Math.random() < Math.exp(-delta / temperature)) {
      current = candidate;
      if (value < bestValue) {
        best = candidate.slice();
        bestValue = value;
      }
    }
  }
  return best;
}
