import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { getTask, isTaskId, TASK_IDS, TASKS } from "./tasks.ts";

Deno.test("TASKS holds the six tasks with distinct ids", () => {
  deepEqual([...TASK_IDS].sort(), [
    "3sat",
    "lpn",
    "maxcut",
    "parity",
    "quadratic-assignment",
    "string-grid",
  ]);
  equal(new Set(TASKS.map((t) => t.description)).size, 6);
});

Deno.test("getTask() finds a task by id and throws a RangeError for an unknown id", () => {
  equal(getTask("maxcut").id, "maxcut");
  throws(() => getTask("chess"), RangeError);
  ok(isTaskId("lpn"));
  ok(!isTaskId("LPN"));
});
