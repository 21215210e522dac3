// The smallest sandboxed program: deno task stop run examples/hello.ts --args '[[1,2,3]]'
export function main(xs: number[]): number {
  return xs.reduce((sum, x) => sum + x, 0);
}
