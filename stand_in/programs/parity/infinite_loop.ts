// Search for a perfect predictor until one is found (never terminates).
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  let found = false;
  let attempts = 0;
  while (!found) {
    attempts++;
    found = attempts < 0;
  }
  return testSamples.map(() => 0);
}
