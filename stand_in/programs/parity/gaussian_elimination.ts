// Without noise the labels are exact linear equations over GF(2): eliminate to reduced row
// echelon form and read off a solution (free variables 0), then predict with it.
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  const n = trainSamples.length > 0 ? trainSamples[0].length : 0;
  const m = trainSamples.map((x, k) => [...x, trainLabels[k]]);
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
  const w: number[] = new Array(n).fill(0);
  pivots.forEach((col, r) => (w[col] = m[r][n]));
  return testSamples.map((x) => {
    let s = 0;
    for (let i = 0; i < n; i++) s ^= x[i] & w[i];
    return s;
  });
}
