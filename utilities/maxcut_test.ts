import { equal, ok } from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import {
  functionRunner,
  readLibraryProgram,
  sourceRunner,
} from "../tests/utilities_fake_runner.ts";
import { assertHostileAnswersFail } from "../tests/utilities_hostile_answers.ts";
import { assertTaskContract, assertTimeScale } from "../tests/utilities_task_checks.ts";
import { cutWeight, MAXCUT_FAILURE_SCORE, maxCutTask } from "./maxcut.ts";

const alternating = (adjacency: number[][]) => adjacency.map((_, i) => i % 2);

Deno.test("maxCutTask fulfils the task contract", async () => {
  await assertTaskContract(maxCutTask);
});

Deno.test("maxCutTask.generate() builds symmetric graphs of 50..200 nodes, weights 1..10, density 0.4", () => {
  let edges = 0;
  let pairs = 0;
  for (let index = 0; index < 5; index++) {
    const { args: [adjacency], totalWeight } = maxCutTask.generate("val", index);
    const n = adjacency.length;
    ok(n >= 50 && n <= 200);
    let total = 0;
    for (let i = 0; i < n; i++) {
      equal(adjacency[i]?.[i], 0);
      for (let j = i + 1; j < n; j++) {
        const w = adjacency[i]?.[j] ?? -1;
        equal(w, adjacency[j]?.[i]);
        ok(Number.isInteger(w) && w >= 0 && w <= 10);
        if (w > 0) edges++;
        total += w;
        pairs++;
      }
    }
    equal(total, totalWeight);
  }
  ok(Math.abs(edges / pairs - 0.4) < 0.02);
});

Deno.test("maxCutTask.evaluate() scores mean cut / 10 and normalises by total weight", async () => {
  const evaluation = await maxCutTask.evaluate(functionRunner(alternating), { instances: 10 });
  let normalized = 0;
  evaluation.instances.forEach((result) => {
    const { args: [adjacency], totalWeight } = maxCutTask.generate("val", result.index);
    const cut = cutWeight(adjacency, alternating(adjacency));
    equal(result.score, cut / 10);
    normalized += cut / totalWeight / 10;
  });
  ok(Math.abs((evaluation.normalizedScore ?? -1) - normalized) < 1e-12);
  ok(
    evaluation.normalizedScore !== undefined && evaluation.normalizedScore > 0.45 &&
      evaluation.normalizedScore < 0.55,
  );
  await assertTimeScale(maxCutTask, alternating(maxCutTask.generate("val", 0).args[0]));
});

Deno.test("maxCutTask.evaluate() ranks local search above the seed greedy above alternating", async () => {
  const scores: number[] = [];
  for (
    const source of [
      await readLibraryProgram("maxcut/alternating.ts"),
      await maxCutTask.seedSolution(),
      await readLibraryProgram("maxcut/local_search.ts"),
    ]
  ) {
    scores.push((await maxCutTask.evaluate(await sourceRunner(source), { instances: 20 })).score);
  }
  ok(scores[0]! < scores[1]! && scores[1]! < scores[2]!, `scores ${scores}`);
});

Deno.test("maxCutTask.evaluate() scores a wrong length 0 and a throw 0.01 for the whole task", async () => {
  const audit = new AuditLog();
  const longer = await maxCutTask.evaluate(
    await sourceRunner(await readLibraryProgram("maxcut/extra_nodes_hack.ts")),
    { audit },
  );
  equal(longer.score, 0);
  equal(longer.normalizedScore, 0);
  equal(longer.instances.length, 1);
  equal(audit.count("reward_hack_signal"), 1);
  const thrown = await maxCutTask.evaluate(
    await sourceRunner(await readLibraryProgram("maxcut/throws.ts")),
  );
  equal(thrown.score, MAXCUT_FAILURE_SCORE);
  await assertHostileAnswersFail(maxCutTask, 100);
});
