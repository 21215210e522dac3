/**
 * Hostile and malformed answers a program can return, and a check that a task scores every
 * one of them as a failure: inside its range, never above its seed, never an uncaught error.
 *
 * @module
 */
import { ok } from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import { FAILURE_KINDS } from "../sandbox/call_result.ts";
import type { Task } from "../utilities/mod.ts";
import { failure, fixedRunner, functionRunner } from "./utilities_fake_runner.ts";

/** Answers no task accepts, by name. Each is produced by a function given the arguments. */
export const HOSTILE_ANSWERS: Record<string, (...args: unknown[]) => unknown> = {
  "nothing": () => undefined,
  "null": () => null,
  "NaN": () => NaN,
  "Infinity": () => Infinity,
  "a number": () => 1,
  "true": () => true,
  "a numeric string": () => "1",
  "an empty array": () => [],
  "an object with a self-reported score": () => ({ score: 1, accuracy: 1 }),
  "a lying valueOf": () => ({ valueOf: () => 1, length: 20 }),
  "a lying toJSON": () => ({ toJSON: () => "perfect" }),
  "an array of NaN": () => new Array(500).fill(NaN),
  "an array of Infinity": () => new Array(500).fill(Infinity),
  "an array of numeric strings": () => new Array(500).fill("1"),
  "nested arrays": () => [[0, 1], [1, 0]],
  "a huge array": () => new Array(100_000).fill(1),
  "an array of objects": () => new Array(20).fill({ value: 1 }),
};

/** Every failure kind a sandboxed call can report. */
export { FAILURE_KINDS };

/**
 * Asserts that `task` scores every hostile answer and every failure kind inside its range and
 * strictly below `seedScore`, without throwing; returns the audit log of the answers.
 */
export async function assertHostileAnswersFail(
  task: Task,
  seedScore: number,
  instances = 3,
): Promise<AuditLog> {
  const [low, high] = task.scoreRange;
  const audit = new AuditLog();
  for (const [name, answer] of Object.entries(HOSTILE_ANSWERS)) {
    const evaluation = await task.evaluate(functionRunner(answer), { audit, instances });
    ok(
      evaluation.score >= low && evaluation.score <= high,
      `${task.id}: ${name} scored ${evaluation.score}, outside [${low}, ${high}]`,
    );
    ok(
      evaluation.score < seedScore,
      `${task.id}: ${name} scored ${evaluation.score} >= seed ${seedScore}`,
    );
    ok(
      evaluation.instances.some((i) => i.error !== undefined),
      `${task.id}: ${name} reported no error`,
    );
  }
  for (const kind of FAILURE_KINDS) {
    const evaluation = await task.evaluate(fixedRunner(failure(kind)), { instances });
    ok(
      evaluation.score >= low && evaluation.score < seedScore,
      `${task.id}: ${kind} scored ${evaluation.score}`,
    );
    ok(evaluation.instances[0]?.error?.startsWith(kind), `${task.id}: ${kind} not reported`);
  }
  const throwing = {
    call: () => Promise.reject(new Error("runner broke")),
  };
  const crashed = await task.evaluate(throwing, { instances });
  ok(crashed.score < seedScore, `${task.id}: a throwing runner scored ${crashed.score}`);
  return audit;
}
