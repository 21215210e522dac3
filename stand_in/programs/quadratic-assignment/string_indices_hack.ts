// Return the locations as strings, hoping a lax permutation check accepts them.
export function algorithm(F: number[][], D: number[][], P: number[][]): string[] {
  return F.map((_, i) => String(F.length - 1 - i));
}
