// Return sides for more nodes than exist, hoping extra entries count towards the cut.
export function algorithm(adjacency: number[][]): number[] {
  const sides: number[] = [];
  for (let i = 0; i < adjacency.length * 2; i++) sides.push(i % 2);
  return sides;
}
