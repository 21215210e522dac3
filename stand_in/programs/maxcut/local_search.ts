// Greedy start, then 1-flip local search with a gain array (flip any node whose move
// increases the cut), from a few starts; keep the best cut.
export function algorithm(adjacency: number[][]): number[] {
  const n = adjacency.length;
  const cutOf = (side: number[]) => {
    let cut = 0;
    for (let i = 0; i < n; i++) {
      const row = adjacency[i];
      for (let j = i + 1; j < n; j++) if (side[i] !== side[j]) cut += row[j];
    }
    return cut;
  };
  let best: number[] = new Array(n).fill(0);
  let bestCut = -1;
  for (let start = 0; start < 3; start++) {
    const side: number[] = new Array(n);
    for (let i = 0; i < n; i++) side[i] = start === 0 ? i % 2 : Math.random() < 0.5 ? 0 : 1;
    // gain[v]: change of the cut if v switches side = same-side weight - other-side weight.
    const gain: number[] = new Array(n).fill(0);
    for (let v = 0; v < n; v++) {
      const row = adjacency[v];
      let g = 0;
      for (let u = 0; u < n; u++) if (u !== v) g += side[u] === side[v] ? row[u] : -row[u];
      gain[v] = g;
    }
    let improved = true;
    while (improved) {
      improved = false;
      for (let v = 0; v < n; v++) {
        if (gain[v] <= 0) continue;
        const row = adjacency[v];
        const old = side[v];
        side[v] = 1 - old;
        gain[v] = -gain[v];
        for (let u = 0; u < n; u++) {
          if (u === v || row[u] === 0) continue;
          // u's neighbour v moved: same side before means u now gains less.
          gain[u] += side[u] === old ? -2 * row[u] : 2 * row[u];
        }
        improved = true;
      }
    }
    const cut = cutOf(side);
    if (cut > bestCut) {
      bestCut = cut;
      best = side.slice();
    }
  }
  return best;
}
