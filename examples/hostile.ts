// A program that tries, one after another, the ways out of a sandbox that a generated
// program might reach for. Run it with: deno task stop run examples/hostile.ts
export function main(): Record<string, string> {
  const tried: Record<string, string> = {};
  const attempt = (name: string, f: () => unknown) => {
    try {
      tried[name] = String(f());
    } catch (error) {
      tried[name] = `threw: ${(error as Error).message}`;
    }
  };
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  attempt("Deno.readTextFileSync", () => g.Deno.readTextFileSync("/etc/passwd"));
  attempt("process.env", () => JSON.stringify(g.process.env));
  attempt("require('fs')", () => g.require("fs"));
  attempt("fetch", () => g.fetch("http://example.com"));
  attempt("Function('return this')", () => typeof Function("return this")().Deno);
  import("fs").then(
    () => tried["import('fs')"] = "loaded",
    (e) => tried["import('fs')"] = `refused: ${e.message}`,
  );
  console.log("\u001b[31mterminal escape in a log line\u001b[0m");
  return tried;
}

export function spin(): number {
  let n = 0;
  for (;;) {
    try {
      n++;
    } catch {
      // an interrupt cannot be caught
    }
  }
}
