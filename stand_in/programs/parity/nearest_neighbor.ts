// Predict the label of the closest training sample (Hamming distance); ties go to the
// first one found.
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  return testSamples.map((x) => {
    let best = 0;
    let bestDistance = Infinity;
    trainSamples.forEach((y, k) => {
      let d = 0;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) d++;
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    });
    return trainLabels[best];
  });
}
