/**
 * `stop evaluate <task> <file.ts>`: scores one program with a task's secret evaluator.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AuditLog } from "../sandbox/audit_log.ts";
import { type EvaluationService, localEvaluationService } from "../utilities/evaluation_service.ts";
import { leafJobOfThisBuild, replayLeafAudit } from "../utilities/leaf_evaluation.ts";
import { MAX_LEAF_TIME_SCALE } from "../utilities/leaf_job.ts";
import { getTask, isTaskId, TASK_IDS } from "../utilities/tasks.ts";
import type { Split } from "../utilities/task.ts";
import { createRunDir, keepDenoPermissionAudit } from "../experiments/run_dir.ts";
import { paint, printJson, say, UsageError } from "./_terminal.ts";
import { instancesFlag, numberFlag } from "./_flags.ts";
import { saltFor } from "../utilities/instance_salt.ts";
import { QUEUE_HELP, QUEUE_OPTION, queueFlag } from "./_queue_flag.ts";
import { openEvaluations } from "./_evaluations.ts";

/** Usage text of the command. */
export const EVALUATE_USAGE = `Usage: deno task stop evaluate <task> <file.ts | seed> [options]

Scores one program with the task's secret evaluator, every instance in its own call inside
the sandbox, and shows per-instance scores, times and why any failure failed.
'seed' in place of a file scores the task's seed solution.

Tasks: ${TASK_IDS.join(", ")}

Options:
  --split val|test     which instances                               (default: val)
  --instances MODE     public: the paper's seeds; secret: seeds from a random salt drawn
                       for this run and kept in its config.json        (default: public)
  --time-scale F       multiplies every time limit (the paper's were
                       tuned for CPython)                             (default: 1)
${QUEUE_HELP}
  --json               end with one JSON object on its own line
  --help               show this help`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `evaluate`.
 * @param options.evaluations Runs every leaf evaluation instead of the service `--queue`
 * names (a library caller's own, or a test's fake). @default {the queue's, or local sandboxes}
 * @returns The exit code (0 when the evaluation ran, whatever the score).
 */
export async function evaluateCommand(
  argv: string[],
  options: { evaluations?: EvaluationService } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      split: { type: "string", default: "val" },
      instances: { type: "string" },
      "time-scale": { type: "string", default: "1" },
      ...QUEUE_OPTION,
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(EVALUATE_USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      `Cannot evaluate as a task and a program are needed: got ${positionals.length} argument(s)`,
    );
  }
  const [taskId, file] = positionals as [string, string];
  if (!isTaskId(taskId)) {
    throw new UsageError(
      `Cannot evaluate on task '${taskId}': known tasks are ${TASK_IDS.join(", ")}`,
    );
  }
  if (values.split !== "val" && values.split !== "test") {
    throw new UsageError(
      `Cannot evaluate as '--split' must be 'val' or 'test': current value is '${values.split}'`,
    );
  }
  const split: Split = values.split;
  const timeScale = numberFlag(values["time-scale"], {
    action: "evaluate",
    name: "time-scale",
    min: 0,
    exclusiveMin: true,
    max: MAX_LEAF_TIME_SCALE,
  });
  const queue = queueFlag(values.queue, "evaluate");
  const task = getTask(taskId);
  let source: string;
  if (file === "seed") {
    source = await task.seedSolution();
  } else {
    try {
      source = await Deno.readTextFile(file);
    } catch (error) {
      throw new UsageError(`Cannot evaluate '${file}': ${(error as Error).message}`);
    }
  }
  const instances = instancesFlag(values.instances, "evaluate");
  const instanceSalt = saltFor(instances);
  const opened = await openEvaluations(queue, options.evaluations);
  const dir = await createRunDir("evaluate", {
    task: taskId,
    file,
    split,
    timeScale,
    instances,
    ...(instanceSalt === undefined ? {} : { instanceSalt }),
    ...(queue === undefined ? {} : { queue: queue.redacted }),
  });
  await Deno.writeTextFile(`${dir.path}/program.ts`, source);
  using audit = new AuditLog({ path: `${dir.path}/audit.jsonl`, run: dir.id });
  if (!values.json) {
    say(`evaluating ${file} on ${task.name} (${split}, ${task.instanceCount(split)} instances)…`);
  }
  const started = performance.now();
  let evaluation;
  try {
    // The watch records patched built-ins, score claims and other reward-hacking signals.
    const job = await leafJobOfThisBuild({
      task: taskId,
      split,
      timeScale,
      ...(instanceSalt === undefined ? {} : { instanceSalt }),
      source,
    });
    const result = await (opened.evaluations ?? localEvaluationService()).run(job);
    replayLeafAudit(result, audit);
    if (result.evaluation === null) {
      throw new Error(`Cannot evaluate '${file}' as it could not be loaded into the sandbox`);
    }
    evaluation = result.evaluation;
  } finally {
    await opened.close();
  }
  const wallMs = performance.now() - started;
  await Deno.writeTextFile(
    `${dir.path}/evaluation.json`,
    JSON.stringify(evaluation, null, 2) + "\n",
  );
  await keepDenoPermissionAudit(dir);
  if (values.json) {
    printJson({
      task: taskId,
      split,
      score: evaluation.score,
      ...(evaluation.normalizedScore === undefined
        ? {}
        : { normalizedScore: evaluation.normalizedScore }),
      ...(evaluation.failure === undefined ? {} : { failure: evaluation.failure }),
      instances: evaluation.instances.map((i) => ({
        score: i.score,
        ms: i.ms,
        error: i.error ?? null,
      })),
      audit: audit.summary(),
      wallMs,
      runDir: dir.path,
    });
    return 0;
  }
  say(paint("bold", "  #    score      ms  note"));
  for (const inst of evaluation.instances) {
    const line = `${String(inst.index).padStart(3)} ${inst.score.toFixed(4).padStart(8)} ${
      inst.ms.toFixed(1).padStart(7)
    }  ${inst.error ?? ""}`;
    say(inst.error ? paint("yellow", line) : line);
  }
  if (evaluation.failure) say(paint("red", `failure: ${evaluation.failure}`));
  const norm = evaluation.normalizedScore === undefined
    ? ""
    : ` (normalised to 0..1: ${evaluation.normalizedScore.toFixed(4)})`;
  say(
    paint("bold", `score ${evaluation.score.toFixed(4)}${norm}`) +
      ` in ${(wallMs / 1000).toFixed(1)} s`,
  );
  const events = audit.count();
  if (events > 0) say(`audit: ${JSON.stringify(audit.summary())}`);
  say(`run directory ${dir.path}`);
  return 0;
}
