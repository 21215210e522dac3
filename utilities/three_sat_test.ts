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
import { satisfiesFormula, THREE_SAT_FAILURE_SCORE, threeSatTask } from "./three_sat.ts";

Deno.test("threeSatTask fulfils the task contract", async () => {
  await assertTaskContract(threeSatTask);
  equal(threeSatTask.instanceCount("val"), 30);
});

Deno.test("threeSatTask.generate() plants a solution in 4n clauses of 3 distinct variables", () => {
  for (let index = 0; index < 30; index++) {
    const instance = threeSatTask.generate("test", index);
    const [formula] = instance.args;
    const n = instance.variables;
    ok(n >= 5 && n <= 50);
    equal(formula.length, 4 * n);
    ok(formula.every((c) => c.length === 3 && new Set(c.map(Math.abs)).size === 3));
    ok(formula.every((c) => c.every((lit) => lit !== 0 && Math.abs(lit) <= n)));
    ok(satisfiesFormula(formula, instance.planted));
  }
});

Deno.test("threeSatTask.evaluate() counts solved 1 and wrong or late 0.01 per instance", async () => {
  let call = 0;
  const evaluation = await threeSatTask.evaluate(functionRunner(() => {
    const instance = threeSatTask.generate("val", call++);
    return call % 2 === 0 ? instance.planted : instance.planted.map((v) => !v);
  }));
  equal(evaluation.instances.length, 30);
  ok(Math.abs(evaluation.score - (15 + 15 * 0.01) / 30) < 1e-12);
  await assertTimeScale(threeSatTask, threeSatTask.generate("val", 0).planted);
});

Deno.test("threeSatTask.evaluate() scores 0.01 overall when the program returns nothing", async () => {
  let call = 0;
  const evaluation = await threeSatTask.evaluate(
    functionRunner(() => (call++ < 2 ? threeSatTask.generate("val", call - 1).planted : undefined)),
  );
  equal(evaluation.score, THREE_SAT_FAILURE_SCORE);
  equal(evaluation.instances.length, 3);
  ok(evaluation.failure?.startsWith("no_answer"));
});

Deno.test("threeSatTask.evaluate() accepts 0/1 and ignores element 0", async () => {
  let call = 0;
  const evaluation = await threeSatTask.evaluate(
    functionRunner(() => {
      const planted = threeSatTask.generate("val", call++).planted;
      return ["ignored", ...planted.slice(1).map((v) => (v ? 1 : 0))];
    }),
    { instances: 5 },
  );
  equal(evaluation.score, 1);
});

Deno.test("threeSatTask.evaluate() solves everything with the incremental WalkSAT", async () => {
  const source = await readLibraryProgram("3sat/walksat_incremental.ts");
  equal(await assertDeterministic(threeSatTask, source), 1);
});

Deno.test("threeSatTask.evaluate() scores hostile answers 0.01", async () => {
  const audit = new AuditLog();
  const hack = await threeSatTask.evaluate(
    await sourceRunner(await readLibraryProgram("3sat/claims_solved_hack.ts")),
    { audit },
  );
  equal(hack.score, THREE_SAT_FAILURE_SCORE);
  equal(audit.count("reward_hack_signal"), 1);
  await assertHostileAnswersFail(threeSatTask, 0.5);
});
