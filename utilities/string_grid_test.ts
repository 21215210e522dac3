import { equal, ok } from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import {
  functionRunner,
  readLibraryProgram,
  sourceRunner,
} from "../tests/utilities_fake_runner.ts";
import { assertHostileAnswersFail } from "../tests/utilities_hostile_answers.ts";
import {
  assertDeterministic,
  assertTaskContract,
  assertTimeScale,
} from "../tests/utilities_task_checks.ts";
import { gridDistance } from "./grid_distance.ts";
import { stringGridTask } from "./string_grid.ts";

Deno.test("stringGridTask fulfils the task contract", async () => {
  await assertTaskContract(stringGridTask);
});

Deno.test("stringGridTask.generate() draws lengths 1..30 and a reachable distance", () => {
  const lengths = new Set<number>();
  for (let index = 0; index < 50; index++) {
    const { args: [t, dist], witness } = stringGridTask.generate("val", index);
    ok(/^[AB]{1,30}$/.test(t));
    equal(gridDistance(witness, t), dist);
    lengths.add(t.length);
  }
  ok(lengths.size > 15);
});

Deno.test("stringGridTask.evaluate() scores the seed (return t) near the paper's 43.9%", async () => {
  const score = await assertDeterministic(stringGridTask, await stringGridTask.seedSolution());
  ok(score > 0.35 && score < 0.55, `seed scored ${score}`);
});

Deno.test("stringGridTask.evaluate() scores the dynamic-programming constructor 1", async () => {
  const source = await readLibraryProgram("string-grid/dynamic_programming.ts");
  equal(await assertDeterministic(stringGridTask, source), 1);
  const test = await stringGridTask.evaluate(await sourceRunner(source), { split: "test" });
  equal(test.score, 1);
});

Deno.test("stringGridTask.evaluate() gives partial credit 0.5 - |d - dist| / (6 len)", async () => {
  const evaluation = await stringGridTask.evaluate(functionRunner((t: string) => t), {
    instances: 5,
  });
  evaluation.instances.forEach((result) => {
    const [t, dist] = stringGridTask.generate("val", result.index).args;
    const d = gridDistance(t, t);
    equal(result.score, d === dist ? 1 : 0.5 - Math.abs(d - dist) / (6 * t.length));
  });
  await assertTimeScale(stringGridTask, stringGridTask.generate("val", 0).witness);
});

Deno.test("stringGridTask.evaluate() scores wrong letters, lengths and shapes 0", async () => {
  const audit = new AuditLog();
  for (
    const answer of [
      (t: string) => t + "A",
      (t: string) => t.replace(/A/g, "C"),
      (t: string) => t.split(""),
    ]
  ) {
    const evaluation = await stringGridTask.evaluate(functionRunner(answer), {
      audit,
      instances: 5,
    });
    equal(evaluation.score, 0);
  }
  ok(audit.count("reward_hack_signal") >= 1);
  await assertHostileAnswersFail(stringGridTask, 0.35);
});
