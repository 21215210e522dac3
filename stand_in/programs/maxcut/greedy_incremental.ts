// Greedy in node order with running totals: put each node on the side opposite to the
// larger weight already placed next to it (O(n^2) overall).
export function algorithm(adjacency: number[][]): number[] {
  const n = adjacency.length;
  const side: number[] = new Array(n).fill(0);
  const toSide = [new Array(n).fill(0), new Array(n).fill(0)];
  for (let v = 0; v < n; v++) {
    const s = toSide[0][v] >= toSide[1][v] ? 1 : 0;
    side[v] = s;
    const row = adjacency[v];
    for (let u = 0; u < n; u++) toSide[s][u] += row[u];
  }
  return side;
}
