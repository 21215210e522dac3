// WalkSAT with incremental bookkeeping: per clause the number of true literals, per
// variable its occurrence lists, a list of unsatisfied clauses with positions; break
// counts computed from occurrences only. Noise 0.5 with a zero-break freebie, restarts,
// and the best assignment seen is returned if time runs short.
export function algorithm(formula: number[][]): boolean[] {
  let n = 0;
  for (const clause of formula) for (const lit of clause) n = Math.max(n, Math.abs(lit));
  const m = formula.length;
  const occurrences: number[][] = Array.from({ length: n + 1 }, () => []);
  formula.forEach((clause, c) => clause.forEach((lit) => occurrences[Math.abs(lit)].push(c)));
  let seed = 2463534242;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  let best: boolean[] = new Array(n + 1).fill(false);
  let bestUnsat = Infinity;
  for (let restart = 0; restart < 20; restart++) {
    const value: boolean[] = [false];
    for (let v = 1; v <= n; v++) value.push(random() < 0.5);
    const trueCount = new Array(m).fill(0);
    const unsat: number[] = [];
    const where = new Array(m).fill(-1);
    const isTrue = (lit: number) => value[Math.abs(lit)] === lit > 0;
    for (let c = 0; c < m; c++) {
      for (const lit of formula[c]) if (isTrue(lit)) trueCount[c]++;
      if (trueCount[c] === 0) {
        where[c] = unsat.length;
        unsat.push(c);
      }
    }
    const flip = (v: number) => {
      value[v] = !value[v];
      for (const c of occurrences[v]) {
        let count = 0;
        for (const lit of formula[c]) if (isTrue(lit)) count++;
        const was = trueCount[c];
        trueCount[c] = count;
        if (was === 0 && count > 0) {
          const last = unsat.pop() as number;
          if (last !== c) {
            unsat[where[c]] = last;
            where[last] = where[c];
          }
          where[c] = -1;
        } else if (was > 0 && count === 0) {
          where[c] = unsat.length;
          unsat.push(c);
        }
      }
    };
    const breaks = (v: number) => {
      let broken = 0;
      for (const c of occurrences[v]) {
        if (trueCount[c] === 1) {
          for (const lit of formula[c]) if (Math.abs(lit) === v && isTrue(lit)) broken++;
        }
      }
      return broken;
    };
    for (let step = 0; step < 20 * n + 2000; step++) {
      if (unsat.length < bestUnsat) {
        bestUnsat = unsat.length;
        best = value.slice();
        if (bestUnsat === 0) return best;
      }
      const clause = formula[unsat[Math.floor(random() * unsat.length)]];
      let pick = Math.abs(clause[0]);
      let fewest = Infinity;
      for (const lit of clause) {
        const b = breaks(Math.abs(lit));
        if (b < fewest) {
          fewest = b;
          pick = Math.abs(lit);
        }
      }
      if (fewest > 0 && random() < 0.5) pick = Math.abs(clause[Math.floor(random() * 3)]);
      flip(pick);
    }
  }
  return best;
}
