// Fit a linear model to the labels (calls a helper that does not exist).
export function algorithm(trainSamples: number[][], trainLabels: number[], testSamples: number[][]): number[] {
  // @ts-ignore: the helper is missing, so every call throws.
  const model = fitLinearModel(trainSamples, trainLabels);
  return testSamples.map((x) => (model.predict(x) > 0.5 ? 1 : 0));
}
