/**
 * The registry of downstream tasks, by id.
 *
 * @module
 */
import { lpnTask } from "./lpn.ts";
import { maxCutTask } from "./maxcut.ts";
import { parityTask } from "./parity.ts";
import { quadraticAssignmentTask } from "./quadratic_assignment.ts";
import { stringGridTask } from "./string_grid.ts";
import type { Task, TaskId } from "./task.ts";
import { threeSatTask } from "./three_sat.ts";

/** Every downstream task, LPN first, then the transfer tasks in the paper's Table 1 order. */
export const TASKS: readonly Task[] = [
  lpnTask,
  stringGridTask,
  quadraticAssignmentTask,
  threeSatTask,
  maxCutTask,
  parityTask,
];

/** Every task id, in the order of {@linkcode TASKS}. */
export const TASK_IDS: readonly TaskId[] = TASKS.map((task) => task.id);

/** Whether `id` names a task. */
export function isTaskId(id: string): id is TaskId {
  return (TASK_IDS as readonly string[]).includes(id);
}

/**
 * The task with id `id`.
 *
 * @example
 * ```ts
 * import { getTask } from "./tasks.ts";
 * import { equal } from "node:assert/strict";
 * equal(getTask("3sat").name, "3SAT");
 * ```
 *
 * @throws {RangeError} When no task has that id.
 */
export function getTask(id: string): Task {
  const task = TASKS.find((t) => t.id === id);
  if (task === undefined) {
    throw new RangeError(
      `Cannot find task '${id}' as it is not a known task id: use one of ${TASK_IDS.join(", ")}`,
    );
  }
  return task;
}
