// Spectral partition from the leading eigenvector (relies on a library that is not there).
export function algorithm(adjacency: number[][]): number[] {
  // @ts-ignore: numeric is not available in the sandbox, so this throws.
  const vector = numeric.eig(adjacency).E.x[0];
  return vector.map((x: number) => (x > 0 ? 1 : 0));
}
