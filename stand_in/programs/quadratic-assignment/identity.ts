// Assign facility i to location i.
export function algorithm(F: number[][], D: number[][], P: number[][]): number[] {
  return F.map((_, i) => i);
}
