import { equal, ok } from "node:assert/strict";
import { TASK_CATALOG } from "../lm/offline/catalog_tasks.ts";
import { getTask, TASK_IDS } from "../utilities/mod.ts";
import { readLibraryProgram, sourceRunner } from "./utilities_fake_runner.ts";

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
    const options = { instances: 8 };
    const seed = await task.evaluate(await sourceRunner(await task.seedSolution()), options);
    for (
      const entry of TASK_CATALOG.filter((e) => e.target === id && !e.tags.includes("timeout"))
    ) {
      const evaluation = await task.evaluate(
        await sourceRunner(await readLibraryProgram(entry.file)),
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
