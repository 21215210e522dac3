/**
 * Checks every task must pass, shared by the per-task unit tests.
 *
 * @module
 */
import { deepEqual, equal, notDeepEqual, ok } from "node:assert/strict";
import type { Task } from "../utilities/mod.ts";
import { functionRunner, sourceRunner } from "./utilities_fake_runner.ts";

/** Asserts the description, signature, instance determinism and seed of `task`. */
export async function assertTaskContract(task: Task): Promise<void> {
  ok(
    task.description.split("\n").includes(`// Task: ${task.name} (${task.id})`),
    `${task.id}: the description lacks its Task line`,
  );
  ok(task.description.includes("function utility("), `${task.id}: no visible utility function`);
  ok(/\b\d+ m?s\b/.test(task.description), `${task.id}: the description states no time limit`);
  ok(task.signature.startsWith("export function algorithm("));
  equal(task.exportName, "algorithm");
  for (const split of ["val", "test"] as const) {
    ok(task.instanceCount(split) > 0);
    deepEqual(task.generate(split, 0), task.generate(split, 0));
    notDeepEqual(task.generate(split, 0).args, task.generate(split, 1).args);
  }
  notDeepEqual(task.generate("val", 0).args, task.generate("test", 0).args);
  const seed = await task.seedSolution();
  ok(seed.includes("export function algorithm("), `${task.id}: seed lacks the export`);
  ok(!/^\s*import\s/m.test(seed), `${task.id}: seed imports something`);
}

/** Asserts that the time scale multiplies the limit: `ms` over it times out, under it does not. */
export async function assertTimeScale(task: Task, answer: unknown): Promise<void> {
  const slowMs = task.timeLimitMs * 1.5;
  const slow = {
    call: () => Promise.resolve({ ok: true as const, value: answer, guestMs: slowMs, logs: [] }),
  };
  const late = await task.evaluate(slow, { instances: 1 });
  ok(late.instances[0]?.error?.startsWith("timeout"), `${task.id}: a late answer was accepted`);
  const scaled = await task.evaluate(slow, { instances: 1, timeScale: 2 });
  equal(scaled.instances[0]?.error, undefined, `${task.id}: timeScale 2 did not extend the limit`);
}

/** Evaluates a TypeScript program in-process twice on `val` and asserts equal scores. */
export async function assertDeterministic(
  task: Task,
  source: string,
  instances?: number,
): Promise<number> {
  const options = instances === undefined ? {} : { instances };
  const first = await task.evaluate(await sourceRunner(source), options);
  const second = await task.evaluate(await sourceRunner(source), options);
  equal(first.score, second.score);
  return first.score;
}

/** Evaluates a plain function in-process. */
export function evaluateFunction(
  task: Task,
  fn: (...args: never[]) => unknown,
  options: Parameters<Task["evaluate"]>[1] = {},
): ReturnType<Task["evaluate"]> {
  return task.evaluate(functionRunner(fn as (...args: unknown[]) => unknown), options);
}
