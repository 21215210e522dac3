// Simulated annealing over swaps that maximises the objective (the utility says higher is
// better), with an incremental swap delta instead of recomputing the whole objective.
export function algorithm(F: number[][], D: number[][], P: number[][]): number[] {
  const n = F.length;
  const a = Array.from({ length: n }, (_, i) => i);
  const swapDelta = (i: number, j: number) => {
    let before = 0;
    let after = 0;
    const ai = a[i], aj = a[j];
    for (let k = 0; k < n; k++) {
      const ak = a[k];
      if (k === i || k === j) continue;
      before += F[i][k] * D[ai][ak] + F[k][i] * D[ak][ai] + F[j][k] * D[aj][ak] + F[k][j] * D[ak][aj];
      after += F[i][k] * D[aj][ak] + F[k][i] * D[ak][aj] + F[j][k] * D[ai][ak] + F[k][j] * D[ak][ai];
    }
    before += F[i][i] * D[ai][ai] + F[j][j] * D[aj][aj] + F[i][j] * D[ai][aj] + F[j][i] * D[aj][ai];
    after += F[i][i] * D[aj][aj] + F[j][j] * D[ai][ai] + F[i][j] * D[aj][ai] + F[j][i] * D[ai][aj];
    before -= 0.5 * (P[i][ai] + P[j][aj]);
    after -= 0.5 * (P[i][aj] + P[j][ai]);
    return after - before;
  };
  let temperature = 1.0;
  for (let step = 0; step < 3000; step++) {
    temperature *= 0.998;
    const i = Math.floor(Math.random() * n);
    let j = Math.floor(Math.random() * n);
    while (j === i) j = Math.floor(Math.random() * n);
    const delta = swapDelta(i, j);
    if (delta > 0 || Math.random() < Math.exp(delta / temperature)) [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
