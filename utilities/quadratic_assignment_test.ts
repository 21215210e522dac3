import { equal, ok } from "node:assert/strict";
import {
  functionRunner,
  readLibraryProgram,
  sourceRunner,
} from "../tests/utilities_fake_runner.ts";
import { assertHostileAnswersFail } from "../tests/utilities_hostile_answers.ts";
import { assertTaskContract, assertTimeScale } from "../tests/utilities_task_checks.ts";
import {
  QAP_FAILURE_SCORE,
  quadraticAssignmentObjective,
  quadraticAssignmentTask,
} from "./quadratic_assignment.ts";

const identity = () => Array.from({ length: 15 }, (_, i) => i);

Deno.test("quadraticAssignmentTask fulfils the task contract", async () => {
  await assertTaskContract(quadraticAssignmentTask);
  const [f, d, p] = quadraticAssignmentTask.generate("val", 0).args;
  ok(
    [f, d, p].every((m) =>
      m.length === 15 && m.every((r) => r.length === 15 && r.every((x) => x >= 0 && x < 1))
    ),
  );
});

Deno.test("quadraticAssignmentTask.evaluate() adds the objective and the seconds taken over 225", async () => {
  const evaluation = await quadraticAssignmentTask.evaluate(functionRunner(identity));
  equal(evaluation.instances.length, 10);
  evaluation.instances.forEach((result) => {
    const [f, d, p] = quadraticAssignmentTask.generate("val", result.index).args;
    const expected = (quadraticAssignmentObjective(f, d, p, identity()) + result.ms / 1000) / 225;
    ok(Math.abs(result.score - expected) < 1e-12);
  });
  ok(evaluation.score > 0.2 && evaluation.score < 0.27, `identity scored ${evaluation.score}`);
});

Deno.test("quadraticAssignmentTask.evaluate() scores the seed near the paper's 20.4% and local search higher", async () => {
  const seed = await quadraticAssignmentTask.evaluate(
    await sourceRunner(await quadraticAssignmentTask.seedSolution()),
  );
  ok(seed.score > 0.17 && seed.score < 0.23, `seed scored ${seed.score}`);
  const strong = await quadraticAssignmentTask.evaluate(
    await sourceRunner(await readLibraryProgram("quadratic-assignment/local_search_restarts.ts")),
  );
  ok(strong.score > seed.score + 0.05, `local search scored ${strong.score}`);
});

Deno.test("quadraticAssignmentTask.evaluate() is deterministic apart from the time term", async () => {
  const first = await quadraticAssignmentTask.evaluate(functionRunner(identity));
  const second = await quadraticAssignmentTask.evaluate(functionRunner(identity));
  ok(Math.abs(first.score - second.score) < 0.5 / 225);
});

Deno.test("quadraticAssignmentTask.evaluate() scores non-permutations 0 per instance, floor 0.01", async () => {
  const repeated = await quadraticAssignmentTask.evaluate(
    functionRunner(() => new Array(15).fill(0)),
  );
  equal(repeated.score, QAP_FAILURE_SCORE);
  ok(repeated.instances.every((i) => i.error?.includes("not a permutation")));
  const oneBased = await quadraticAssignmentTask.evaluate(
    await sourceRunner(await readLibraryProgram("quadratic-assignment/one_based.ts")),
  );
  equal(oneBased.score, QAP_FAILURE_SCORE);
  await assertTimeScale(quadraticAssignmentTask, identity());
  await assertHostileAnswersFail(quadraticAssignmentTask, 0.15);
});
