// Exact construction by dynamic programming: for each prefix and last letter, the set of
// reachable values of (mismatches + letter changes of s); then walk back from the target
// (dist minus the letter changes of t) to build s.
export function algorithm(t: string, dist: number): string {
  const n = t.length;
  const letters = ["A", "B"];
  let changesT = 0;
  for (let i = 1; i < n; i++) if (t[i] !== t[i - 1]) changesT++;
  const target = dist - changesT;
  const maxValue = 2 * n;
  // reach[i][c][v]: prefix 0..i can end with letter c at value v.
  const reach: boolean[][][] = [];
  for (let i = 0; i < n; i++) {
    reach.push([new Array(maxValue + 1).fill(false), new Array(maxValue + 1).fill(false)]);
    for (let c = 0; c < 2; c++) {
      const mismatch = letters[c] !== t[i] ? 1 : 0;
      if (i === 0) {
        reach[0][c][mismatch] = true;
        continue;
      }
      for (let prev = 0; prev < 2; prev++) {
        const step = mismatch + (prev !== c ? 1 : 0);
        for (let v = 0; v + step <= maxValue; v++) {
          if (reach[i - 1][prev][v]) reach[i][c][v + step] = true;
        }
      }
    }
  }
  if (n === 0 || target < 0 || target > maxValue) return t;
  let c = reach[n - 1][0][target] ? 0 : reach[n - 1][1][target] ? 1 : -1;
  if (c < 0) return t;
  let v = target;
  const out: string[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = letters[c];
    if (i === 0) break;
    const mismatch = letters[c] !== t[i] ? 1 : 0;
    for (let prev = 0; prev < 2; prev++) {
      const before = v - mismatch - (prev !== c ? 1 : 0);
      if (before >= 0 && reach[i - 1][prev][before]) {
        v = before;
        c = prev;
        break;
      }
    }
  }
  return out.join("");
}
