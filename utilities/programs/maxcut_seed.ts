// Seed solution for max-cut: a greedy that repeatedly places the unplaced node and side
// that cut the most weight towards the nodes already placed (recomputed from scratch).
export function algorithm(adjacency: number[][]): number[] {
  const n = adjacency.length;
  const side: number[] = new Array(n).fill(-1);
  const unplaced = new Set<number>();
  for (let i = 0; i < n; i++) unplaced.add(i);

  while (unplaced.size > 0) {
    let bestWeight = -1;
    let bestNode = -1;
    let bestSide = 0;
    for (const node of unplaced) {
      for (const s of [0, 1]) {
        let weight = 0;
        for (let other = 0; other < n; other++) {
          if (side[other] === 1 - s) weight += adjacency[node][other];
        }
        if (weight > bestWeight) {
          bestWeight = weight;
          bestNode = node;
          bestSide = s;
        }
      }
    }
    side[bestNode] = bestSide;
    unplaced.delete(bestNode);
  }
  return side;
}
