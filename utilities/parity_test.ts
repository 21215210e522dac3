import { equal, ok } from "node:assert/strict";
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
import { parityTask } from "./parity.ts";

Deno.test("parityTask fulfils the task contract", async () => {
  await assertTaskContract(parityTask);
  equal(parityTask.instanceCount("test"), 20);
});

Deno.test("parityTask.generate() has clean training labels", () => {
  for (let index = 0; index < 10; index++) {
    const instance = parityTask.generate("test", index);
    const [train, labels] = instance.args;
    const parity = (x: number[]) => x.reduce((s, b, i) => s + b * (instance.subset[i] ?? 0), 0) % 2;
    train.forEach((x, i) => equal(parity(x), labels[i]));
  }
});

Deno.test("parityTask.evaluate() scores the seed near 0.5 and Gaussian elimination 1", async () => {
  const seed = await parityTask.evaluate(await sourceRunner(await parityTask.seedSolution()));
  ok(seed.score > 0.35 && seed.score < 0.65, `seed scored ${seed.score}`);
  const strong = await assertDeterministic(
    parityTask,
    await readLibraryProgram("parity/gaussian_elimination.ts"),
  );
  equal(strong, 1);
});

Deno.test("parityTask.evaluate() scores a failing instance 0 and goes on", async () => {
  let call = 0;
  const evaluation = await parityTask.evaluate(functionRunner(() => {
    if (call++ % 2 === 0) throw new Error("every other call");
    return [...parityTask.generate("val", call - 1).testLabels];
  }));
  equal(evaluation.instances.length, 20);
  equal(evaluation.score, 0.5);
  equal(evaluation.failure, undefined);
  await assertTimeScale(parityTask, [...parityTask.generate("val", 0).testLabels]);
});

Deno.test("parityTask.evaluate() scores hostile answers as failures inside [0, 1]", async () => {
  const audit = await assertHostileAnswersFail(parityTask, 0.35);
  ok(audit.count("reward_hack_signal") >= 8);
  const nested = await parityTask.evaluate(
    await sourceRunner(await readLibraryProgram("parity/nested_hack.ts")),
  );
  equal(nested.score, 0);
});
