// Put even nodes on side 0 and odd nodes on side 1.
export function algorithm(adjacency: number[][]): number[] {
  return adjacency.map((_, i) => i % 2);
}
