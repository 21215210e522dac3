// Try every subset of at most two bits and keep the one whose parity agrees with the most
// training labels; predict with it.
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  const nBits = trainSamples[0].length;
  const candidates: number[][] = [[]];
  for (let i = 0; i < nBits; i++) {
    candidates.push([i]);
    for (let j = i + 1; j < nBits; j++) candidates.push([i, j]);
  }
  const parity = (x: number[], subset: number[]) => subset.reduce((s, i) => s + x[i], 0) % 2;
  let best = candidates[0];
  let bestAgree = -1;
  for (const subset of candidates) {
    let agree = 0;
    for (let k = 0; k < trainSamples.length; k++) {
      if (parity(trainSamples[k], subset) === trainLabels[k]) agree++;
    }
    if (agree > bestAgree) {
      bestAgree = agree;
      best = subset;
    }
  }
  return testSamples.map((x) => parity(x, best));
}
