// Predict that the label equals the first bit of the sample.
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  return testSamples.map((x) => x[0]);
}
