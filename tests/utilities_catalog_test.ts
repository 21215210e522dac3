import { equal, ok } from "node:assert/strict";
import { TASK_CATALOG } from "../stand_in/catalog_tasks.ts";
import {
  type EvaluateOptions,
  type Evaluation,
  getTask,
  loadWatchedSolution,
  type Task,
  TASK_IDS,
} from "../utilities/mod.ts";
import { readLibraryProgram } from "./utilities_fake_runner.ts";

/**
 * Scores a program in the sandbox, as `stop evaluate` does: its time is virtual, so the
 * order checked below holds on a loaded machine too (in-process, it did not).
 */
async function evaluateSandboxed(
  task: Task,
  source: string,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const program = await loadWatchedSolution(source);
  try {
    return await task.evaluate(program, options);
  } finally {
    await program.close();
  }
}

Deno.test("TASK_CATALOG lists existing files with unique ids, 4 or more per task across qualities", async () => {
  equal(new Set(TASK_CATALOG.map((e) => e.id)).size, TASK_CATALOG.length);
  for (const id of TASK_IDS) {
    const entries = TASK_CATALOG.filter((e) => e.target === id);
    ok(entries.length >= 4, `${id} has ${entries.length} programs`);
    for (const quality of ["broken", "weak", "strong"]) {
      ok(entries.some((e) => e.quality === quality), `${id} lacks a ${quality} program`);
    }
    ok(entries.some((e) => e.tags.includes("reward-hack")), `${id} lacks a reward-hack attempt`);
  }
  for (const entry of TASK_CATALOG) {
    ok(entry.file.startsWith(`${entry.target}/`) && entry.id === entry.file.replace(/\.ts$/, ""));
    const source = await readLibraryProgram(entry.file);
    ok(source.includes("export function algorithm("), `${entry.file} lacks the export`);
    ok(!/^\s*import\s/m.test(source), `${entry.file} imports something`);
  }
});

Deno.test("TASK_CATALOG programs score in order: broken and hacks below the seed, strong at least the seed", async () => {
  for (const id of TASK_IDS) {
    const task = getTask(id);
    // The order is what is checked, at a time scale at which every seed fits: the max-cut
    // seed's greedy needs up to 300 virtual ms per instance in QuickJS, past the paper's 100
    // (at which it scores 0.01, see tests/utilities_sandbox_test.ts).
    const options = { instances: 8, timeScale: 5 };
    const seed = await evaluateSandboxed(task, await task.seedSolution(), options);
    for (
      const entry of TASK_CATALOG.filter((e) => e.target === id && !e.tags.includes("timeout"))
    ) {
      const evaluation = await evaluateSandboxed(
        task,
        await readLibraryProgram(entry.file),
        options,
      );
      const [low, high] = task.scoreRange;
      ok(evaluation.score >= low && evaluation.score <= high);
      if (entry.quality === "broken") {
        ok(
          evaluation.score < seed.score || evaluation.score === low,
          `${entry.id} scored ${evaluation.score}, seed ${seed.score}`,
        );
        ok(
          evaluation.failure !== undefined ||
            evaluation.instances.some((i) => i.error !== undefined),
        );
      }
      if (entry.quality === "strong") {
        ok(
          evaluation.score >= seed.score,
          `${entry.id} scored ${evaluation.score}, seed ${seed.score}`,
        );
      }
    }
  }
});
