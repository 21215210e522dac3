// Build the answer letter by letter (returns the array of letters, not a string).
export function algorithm(t: string, dist: number): string[] {
  const letters = t.split("");
  for (let i = 0; i < letters.length && i < dist; i++) letters[i] = letters[i] === "A" ? "B" : "A";
  return letters;
}
