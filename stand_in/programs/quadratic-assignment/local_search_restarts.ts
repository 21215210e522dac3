// Steepest-ascent local search over all swaps (maximising the objective, as the utility
// rewards), from several random starts; keep the best local optimum.
export function algorithm(F: number[][], D: number[][], P: number[][]): number[] {
  const n = F.length;
  const objective = (a: number[]) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const Fi = F[i], Dai = D[a[i]];
      for (let j = 0; j < n; j++) total += Fi[j] * Dai[a[j]];
      total -= 0.5 * P[i][a[i]];
    }
    return total;
  };
  // Change of the objective when a[i] and a[j] are swapped (only rows/columns i, j change).
  const delta = (a: number[], i: number, j: number) => {
    const ai = a[i], aj = a[j];
    let change = 0;
    for (let k = 0; k < n; k++) {
      if (k === i || k === j) continue;
      const ak = a[k];
      change += (F[i][k] - F[j][k]) * (D[aj][ak] - D[ai][ak]);
      change += (F[k][i] - F[k][j]) * (D[ak][aj] - D[ak][ai]);
    }
    change += F[i][i] * (D[aj][aj] - D[ai][ai]) + F[j][j] * (D[ai][ai] - D[aj][aj]);
    change += F[i][j] * (D[aj][ai] - D[ai][aj]) + F[j][i] * (D[ai][aj] - D[aj][ai]);
    change -= 0.5 * (P[i][aj] + P[j][ai] - P[i][ai] - P[j][aj]);
    return change;
  };
  let best: number[] = [];
  let bestValue = -Infinity;
  for (let start = 0; start < 12; start++) {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    for (let pass = 0; pass < 200; pass++) {
      let bestI = -1, bestJ = -1, bestGain = 1e-12;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const gain = delta(a, i, j);
          if (gain > bestGain) {
            bestGain = gain;
            bestI = i;
            bestJ = j;
          }
        }
      }
      if (bestI < 0) break;
      [a[bestI], a[bestJ]] = [a[bestJ], a[bestI]];
    }
    const value = objective(a);
    if (value > bestValue) {
      bestValue = value;
      best = a.slice();
    }
  }
  return best;
}
