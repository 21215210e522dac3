/**
 * `stop improve <task>`: runs an improver once on a task's seed solution, as one step of
 * STOP: the improver runs in the sandbox, the model and the utility live in the host.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AuditLog } from "../sandbox/audit_log.ts";
import {
  type ChatBackend,
  createLanguageModel,
  describeCost,
  forecastCost,
  formatCostForecast,
} from "../lm/mod.ts";
import { hostFailureOf } from "../utilities/host_failure.ts";
import { stoppedRunError } from "./_stopped_run.ts";
import { runImprover } from "../improvers/run_improver.ts";
import { Utility } from "../utilities/utility.ts";
import { getTask, isTaskId, TASK_IDS } from "../utilities/tasks.ts";
import { createRunDir, keepDenoPermissionAudit } from "../experiments/run_dir.ts";
import {
  MODEL_HELP,
  MODEL_OPTIONS,
  modelBannerLine,
  modelFlags,
  openGateway,
  standInNumbersNote,
} from "./model_flags.ts";
import { note, paint, printJson, say, UsageError } from "./_terminal.ts";
import { instancesFlag, numberFlag } from "./_flags.ts";
import { saltFor } from "../utilities/instance_salt.ts";
import { reportAtEnd } from "../report/report.ts";
import { QUEUE_HELP, QUEUE_OPTION, queueFlag } from "./_queue_flag.ts";
import { openEvaluations } from "./_evaluations.ts";
import { MAX_LEAF_TIME_SCALE } from "../utilities/leaf_job.ts";
import type { EvaluationService } from "../utilities/evaluation_service.ts";

/** Usage text of the command. */
export const IMPROVE_USAGE = `Usage: deno task stop improve <task> [options]

Runs an improver (the seed improver unless --improver is given) once on the task's seed
solution: it asks the model for candidates and keeps the best by the task's utility. Prints
the improved program, its score on val and test, the model calls and the audit.

Tasks: ${TASK_IDS.join(", ")}

Options:
  --improver FILE      improver program                      (default: the seed improver)
  --responses N        replies per model call                (default: 6)
  --lm-budget N        model calls allowed                   (default: 4)
  --utility-budget N   utility calls allowed                 (default: 25)
  --time-scale F       multiplies every task time limit      (default: 1)
  --instances MODE     public (the paper's seeds) or secret (seeds from a random salt
                       kept in the run's config.json)         (default: public)
${QUEUE_HELP}
  --json               end with one JSON object on its own line
  --help               show this help

${MODEL_HELP}`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `improve`.
 * @param options.backend Answers instead of the backend the flags name (a library caller's
 * own, or a test's fake). @default {the backend the flags name}
 * @param options.evaluations Runs every leaf evaluation instead of the service `--queue`
 * names (a library caller's own, or a test's fake). @default {the queue's, or local sandboxes}
 * @returns The exit code (0 when an improved program came back).
 * @throws {HostFailureError} When the host stopped the step (a fatal endpoint error, a
 * sandbox that could not start): its message says what failed and what to do.
 */
export async function improveCommand(
  argv: string[],
  options: { backend?: ChatBackend; evaluations?: EvaluationService } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      improver: { type: "string" },
      responses: { type: "string", default: "6" },
      "lm-budget": { type: "string", default: "4" },
      "utility-budget": { type: "string", default: "25" },
      "time-scale": { type: "string", default: "1" },
      instances: { type: "string" },
      ...QUEUE_OPTION,
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(IMPROVE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`Cannot improve as exactly one task is needed: got ${positionals.length}`);
  }
  const taskId = positionals[0]!;
  if (!isTaskId(taskId)) {
    throw new UsageError(
      `Cannot improve on task '${taskId}': known tasks are ${TASK_IDS.join(", ")}`,
    );
  }
  const flags = modelFlags(values);
  const responses = numberFlag(values.responses, {
    action: "improve",
    name: "responses",
    integer: true,
    min: 1,
  });
  const lmBudget = numberFlag(values["lm-budget"], {
    action: "improve",
    name: "lm-budget",
    integer: true,
    min: 0,
  });
  const utilityBudget = numberFlag(values["utility-budget"], {
    action: "improve",
    name: "utility-budget",
    integer: true,
    min: 0,
  });
  const timeScale = numberFlag(values["time-scale"], {
    action: "improve",
    name: "time-scale",
    min: 0,
    exclusiveMin: true,
    max: MAX_LEAF_TIME_SCALE,
  });
  const queue = queueFlag(values.queue, "improve");
  const improverFile = values.improver ??
    new URL("../improvers/programs/seed_improver.ts", import.meta.url).pathname;
  let improverSource: string;
  try {
    improverSource = await Deno.readTextFile(improverFile);
  } catch (error) {
    throw new UsageError(`Cannot improve with '${improverFile}': ${(error as Error).message}`);
  }
  const task = getTask(taskId);
  const seedSolution = await task.seedSolution();
  const instances = instancesFlag(values.instances, "improve");
  const instanceSalt = saltFor(instances);
  const opened = await openEvaluations(queue, options.evaluations);
  // Every leaf evaluation of this command goes where --queue says (local sandboxes without it).
  const salted = {
    ...(instanceSalt === undefined ? {} : { instanceSalt }),
    ...(opened.evaluations === undefined ? {} : { evaluations: opened.evaluations }),
  };
  const dir = await createRunDir("improve", {
    task: taskId,
    improver: improverFile,
    responses,
    lmBudget,
    utilityBudget,
    timeScale,
    ...flags,
    instances,
    ...(instanceSalt === undefined ? {} : { instanceSalt }),
    ...(queue === undefined ? {} : { queue: queue.redacted }),
  });
  using audit = new AuditLog({ path: `${dir.path}/audit.jsonl`, run: dir.id });
  const { gateway, standIn, banner } = await openGateway(flags, dir.path, {
    audit,
    run: dir.id,
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  });
  const log = values.json ? note : say;
  log(modelBannerLine({ banner, standIn }));
  const forecast = forecastCost({
    calls: lmBudget,
    responsesPerCall: responses,
    model: gateway.model,
  });
  log(paint("dim", formatCostForecast(forecast)));

  const model = createLanguageModel(gateway, {
    budget: lmBudget,
    maxResponsesPerCall: responses,
    audit,
  });
  const utility = new Utility(task, {
    budget: utilityBudget,
    split: "val",
    timeScale,
    audit,
    ...salted,
  });
  log(`improving the ${task.name} seed solution with ${values.improver ?? "the seed improver"}…`);
  const started = performance.now();
  let result;
  let scores: { val: number; test: number } | undefined;
  let seedTest: number;
  try {
    result = await runImprover(improverSource, seedSolution, {
      utility,
      model,
      audit,
      seed: flags.seed,
    });
    if (result.ok) {
      await Deno.writeTextFile(`${dir.path}/improved.ts`, result.program);
      log("scoring the improved program on val and test…");
      const val = new Utility(task, { budget: 1, split: "val", timeScale, audit, ...salted });
      const test = new Utility(task, { budget: 1, split: "test", timeScale, audit, ...salted });
      scores = { val: await val.score(result.program), test: await test.score(result.program) };
    }
    seedTest = await new Utility(task, { budget: 1, split: "test", timeScale, ...salted }).score(
      seedSolution,
    );
  } catch (error) {
    const failure = hostFailureOf(error);
    if (failure === undefined) throw error;
    await utility.settled();
    throw stoppedRunError(
      failure,
      `run the command again (the model's answers so far are in ${dir.path}/cache.jsonl).`,
    );
  } finally {
    await opened.close();
  }
  const wallMs = performance.now() - started;
  const ledger = gateway.ledger?.summary();
  await keepDenoPermissionAudit(dir);
  const summary = {
    task: taskId,
    ok: result.ok,
    score: scores?.test ?? null,
    scores: scores ?? null,
    seedScore: seedTest,
    program: result.ok ? result.program : null,
    failure: result.ok ? null : result.failure,
    lmCalls: model.uses,
    utilityCalls: utility.uses,
    costUsd: ledger?.costUsd ?? 0,
    unpricedRequests: ledger?.unpricedCalls ?? 0,
    standIn: gateway.standIn,
    audit: audit.summary(),
    wallMs,
    runDir: dir.path,
  };
  await Deno.writeTextFile(`${dir.path}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
  if (values.json) {
    printJson(summary);
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    say(paint("bold", "improved program"));
    const lines = result.program.split("\n");
    for (const line of lines.slice(0, 60)) say(`  ${line}`);
    if (lines.length > 60) say(`  … ${lines.length - 60} more lines in ${dir.path}/improved.ts`);
    say(
      paint("bold", `score: val ${scores!.val.toFixed(4)}, test ${scores!.test.toFixed(4)}`) +
        ` (seed solution on test: ${seedTest.toFixed(4)})`,
    );
  } else {
    say(paint("red", `no improved program: ${result.failure.kind}: ${result.failure.message}`));
  }
  say(
    `model calls ${model.uses}/${lmBudget}, utility calls ${utility.uses}/${utilityBudget}, cost ${
      describeCost({
        costUsd: ledger?.costUsd ?? 0,
        paid: (ledger?.answered ?? 0) - (ledger?.cacheHits ?? 0),
        unpriced: ledger?.unpricedCalls ?? 0,
      })
    }, ${(wallMs / 1000).toFixed(1)} s`,
  );
  say(`audit: ${audit.count() === 0 ? "no events" : JSON.stringify(audit.summary())}`);
  await reportAtEnd(dir.path, say);
  say(`run directory ${dir.path}`);
  if (gateway.standIn) say(paint("yellow", standInNumbersNote()));
  return result.ok ? 0 : 1;
}
