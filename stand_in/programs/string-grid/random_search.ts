// Random search: try random strings (and single-letter edits of the best so far) and
// keep the one whose grid distance is closest to the target.
export function algorithm(t: string, dist: number): string {
  const n = t.length;
  const gridDist = (s: string) => {
    let d = 0;
    for (let i = 0; i < n; i++) {
      if (s[i] !== t[i]) d++;
      if (i > 0 && s[i] !== s[i - 1]) d++;
      if (i > 0 && t[i] !== t[i - 1]) d++;
    }
    return d;
  };
  let best = t;
  let bestGap = Math.abs(gridDist(t) - dist);
  for (let attempt = 0; attempt < 3000 && bestGap > 0; attempt++) {
    let s: string;
    if (attempt % 2 === 0) {
      s = "";
      for (let i = 0; i < n; i++) s += Math.random() < 0.5 ? "A" : "B";
    } else {
      const i = Math.floor(Math.random() * n);
      s = best.slice(0, i) + (best[i] === "A" ? "B" : "A") + best.slice(i + 1);
    }
    const gap = Math.abs(gridDist(s) - dist);
    if (gap < bestGap) {
      bestGap = gap;
      best = s;
    }
  }
  return best;
}
