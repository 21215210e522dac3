// Gaussian elimination over GF(2) with noise handling: solve the parity equations of many
// random subsets of training samples, and keep the solution that agrees with the most
// training labels (a subset free of flipped labels yields the hidden subset exactly).
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  const n = trainSamples.length > 0 ? trainSamples[0].length : 0;
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const dot = (x: number[], w: number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) s ^= x[i] & w[i];
    return s;
  };
  // Solves A w = b over GF(2) for rows chosen by `rows`; free variables are 0.
  const solve = (rows: number[]): number[] => {
    const m = rows.map((r) => [...trainSamples[r], trainLabels[r]]);
    const pivots: number[] = [];
    let row = 0;
    for (let col = 0; col < n && row < m.length; col++) {
      let pivot = -1;
      for (let r = row; r < m.length; r++) if (m[r][col] === 1) { pivot = r; break; }
      if (pivot < 0) continue;
      [m[row], m[pivot]] = [m[pivot], m[row]];
      for (let r = 0; r < m.length; r++) {
        if (r !== row && m[r][col] === 1) for (let c = col; c <= n; c++) m[r][c] ^= m[row][c];
      }
      pivots.push(col);
      row++;
    }
    const w = new Array(n).fill(0);
    pivots.forEach((col, r) => (w[col] = m[r][n]));
    return w;
  };
  const agreement = (w: number[]) => {
    let agree = 0;
    for (let k = 0; k < trainSamples.length; k++) if (dot(trainSamples[k], w) === trainLabels[k]) agree++;
    return agree;
  };
  let best = new Array(n).fill(0);
  let bestAgree = agreement(best);
  const indices = trainSamples.map((_, i) => i);
  for (let attempt = 0; attempt < 200; attempt++) {
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [indices[i], indices[j]] = [indices[j], indices[i]];
    }
    const w = solve(indices.slice(0, n + 2));
    const agree = agreement(w);
    if (agree > bestAgree) {
      bestAgree = agree;
      best = w;
    }
  }
  return testSamples.map((x) => dot(x, best));
}
