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
import { LPN_FAILURE_SCORE, lpnTask } from "./lpn.ts";

Deno.test("lpnTask fulfils the task contract", async () => {
  await assertTaskContract(lpnTask);
  equal(lpnTask.instanceCount("val"), 20);
  equal(lpnTask.instanceCount("test"), 50);
});

Deno.test("lpnTask.generate() builds 100 noisy training and 20 clean test samples of 10 bits", () => {
  let flipped = 0;
  for (let index = 0; index < 20; index++) {
    const instance = lpnTask.generate("val", index);
    const [train, labels, test] = instance.args;
    equal(train.length, 100);
    equal(test.length, 20);
    ok([...train, ...test].every((x) => x.length === 10 && x.every((b) => b === 0 || b === 1)));
    const parity = (x: number[]) => x.reduce((s, b, i) => s + b * (instance.subset[i] ?? 0), 0) % 2;
    test.forEach((x, i) => equal(parity(x), instance.testLabels[i]));
    train.forEach((x, i) => (flipped += parity(x) === labels[i] ? 0 : 1));
  }
  const rate = flipped / 2000;
  ok(rate > 0.02 && rate < 0.08, `noise rate ${rate}`);
});

Deno.test("lpnTask.evaluate() scores the seed's random guesses near 0.5", async () => {
  const evaluation = await lpnTask.evaluate(await sourceRunner(await lpnTask.seedSolution()));
  equal(evaluation.instances.length, 20);
  ok(evaluation.score > 0.35 && evaluation.score < 0.65, `seed scored ${evaluation.score}`);
});

Deno.test("lpnTask.evaluate() scores brute force and Gaussian elimination above 0.95", async () => {
  for (const file of ["lpn/subset_brute_force.ts", "lpn/gaussian_elimination.ts"]) {
    const score = await assertDeterministic(lpnTask, await readLibraryProgram(file));
    ok(score > 0.95, `${file} scored ${score}`);
  }
});

Deno.test("lpnTask.evaluate() scores 1 for the hidden labels and is exact per instance", async () => {
  const labels = (index: number) => [...lpnTask.generate("val", index).testLabels];
  let call = 0;
  const evaluation = await lpnTask.evaluate(functionRunner(() => labels(call++)));
  equal(evaluation.score, 1);
});

Deno.test("lpnTask.evaluate() gives 1e-6 for the whole run when any call throws or times out", async () => {
  let call = 0;
  const flaky = functionRunner(() => {
    if (++call === 3) throw new Error("boom");
    return new Array(20).fill(0);
  });
  const evaluation = await lpnTask.evaluate(flaky);
  equal(evaluation.score, LPN_FAILURE_SCORE);
  equal(evaluation.instances.length, 3);
  ok(evaluation.failure?.startsWith("runtime_error"));
  await assertTimeScale(lpnTask, [...lpnTask.generate("val", 0).testLabels]);
});

Deno.test("lpnTask.evaluate() scores 0 when the program does not compile", async () => {
  const evaluation = await lpnTask.evaluate(
    await sourceRunner(await readLibraryProgram("lpn/syntax_error.ts")),
  );
  equal(evaluation.score, 0);
  ok(evaluation.failure?.startsWith("compile_error"));
});

Deno.test("lpnTask.evaluate() records the broadcast hack and scores it as a failure", async () => {
  const audit = new AuditLog();
  const source = await readLibraryProgram("lpn/broadcast_hack.ts");
  const evaluation = await lpnTask.evaluate(await sourceRunner(source), { audit });
  equal(evaluation.score, LPN_FAILURE_SCORE);
  equal(audit.count("reward_hack_signal"), 1);
  ok(audit.events[0]?.detail.includes("broadcast"));
});

Deno.test("lpnTask.evaluate() scores hostile answers as failures inside [0, 1]", async () => {
  const audit = await assertHostileAnswersFail(lpnTask, 0.35);
  ok(audit.count("reward_hack_signal") >= 8);
});
