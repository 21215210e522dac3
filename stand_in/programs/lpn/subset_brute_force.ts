// Brute force over all 2^n subsets of bits: the hidden subset is the one whose parity agrees
// with the most (noisy) training labels, since noise flips only a few of them. Samples are
// packed into bit masks so each check is a popcount.
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  const nBits = trainSamples.length > 0 ? trainSamples[0].length : 0;
  const pack = (x: number[]) => {
    let mask = 0;
    for (let i = 0; i < nBits; i++) if (x[i] === 1) mask |= 1 << i;
    return mask;
  };
  const popParity = (v: number) => {
    let p = 0;
    while (v !== 0) {
      v &= v - 1;
      p ^= 1;
    }
    return p;
  };
  const train = trainSamples.map(pack);
  let bestSubset = 0;
  let bestAgree = -1;
  for (let subset = 0; subset < 1 << nBits; subset++) {
    let agree = 0;
    for (let k = 0; k < train.length; k++) {
      if (popParity(train[k] & subset) === trainLabels[k]) agree++;
    }
    if (agree > bestAgree) {
      bestAgree = agree;
      bestSubset = subset;
    }
  }
  return testSamples.map((x) => popParity(pack(x) & bestSubset));
}
