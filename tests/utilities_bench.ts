/**
 * Time to evaluate each task's seed solution on `val`: in the WebAssembly sandbox, and the
 * same program run directly in V8 in this process (the baseline). `deno bench` prints both
 * and the ratio. Run: `deno bench -P=bench tests/utilities_bench.ts`.
 */
import { loadProgram } from "../sandbox/program.ts";
import { TASKS } from "../utilities/mod.ts";
import { sourceRunner } from "./utilities_fake_runner.ts";

for (const task of TASKS) {
  const source = await task.seedSolution();
  Deno.bench({
    name: `${task.id} seed on val, in-process V8`,
    group: task.id,
    baseline: true,
    n: 3,
    warmup: 1,
    async fn() {
      await task.evaluate(await sourceRunner(source));
    },
  });
  Deno.bench({
    name: `${task.id} seed on val, sandboxed`,
    group: task.id,
    n: 3,
    warmup: 1,
    async fn() {
      await using program = await loadProgram(source);
      await task.evaluate(program);
    },
  });
}
