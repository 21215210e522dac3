// Predict with a weighted vote of the training labels (unfinished: does not parse).
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  const weights = trainSamples.map((x) => x.reduce((a, b) => a + b, 0);
  return testSamples.map((x) => (weights[0] > x.length / 2 ? 1 : 0));
}
