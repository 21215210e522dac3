// Greedy by preference, numbering locations from 1 (not a permutation of 0..n-1).
export function algorithm(F: number[][], D: number[][], P: number[][]): number[] {
  const n = F.length;
  const used = new Set<number>();
  const assignment: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let l = 0; l < n; l++) if (!used.has(l) && (best < 0 || P[i][l] < P[i][best])) best = l;
    used.add(best);
    assignment.push(best + 1);
  }
  return assignment;
}
