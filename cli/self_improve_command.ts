/**
 * `stop self-improve` (and `deno task experiment:lpn`): the STOP loop on LPN, R independent
 * runs of T iterations, with the paper's budgets as defaults; ends with the table
 * T | accepted | meta-utility val | meta-utility test (mean ± SE over runs) | main strategy.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createRunDir, keepDenoPermissionAudit } from "../experiments/run_dir.ts";
import { MODEL_HELP, MODEL_OPTIONS, modelFlags } from "./model_flags.ts";
import { note, printJson, say, UsageError } from "./_terminal.ts";
import { instancesFlag, numberFlag } from "./_flags.ts";
import { saltFor } from "../utilities/instance_salt.ts";
import {
  DEFAULT_SELF_IMPROVE_CONFIG,
  type SelfImproveConfig,
} from "../experiments/self_improve_run.ts";
import { configModelFlags, readSelfImproveRun } from "../experiments/read_self_improve_run.ts";
import { executeSelfImprove } from "./_execute_self_improve.ts";
import { QUEUE_HELP, QUEUE_OPTION, queueFlag } from "./_queue_flag.ts";
import { openEvaluations } from "./_evaluations.ts";
import type { EvaluationService } from "../utilities/evaluation_service.ts";
import { MAX_LEAF_TIME_SCALE } from "../utilities/leaf_job.ts";

/** Usage text of the command. */
export const SELF_IMPROVE_USAGE = `Usage: deno task stop self-improve [options]
       deno task experiment:lpn [options]

The STOP loop: I(t+1) = I(t)(source of I(t), meta-utility, model). The meta-utility runs an
improver 5 times on the LPN seed solution, each time with a fresh model budget, and averages
the val scores of what it returns (test scores are reported). A new improver that fails or
scores 0 is rejected and the previous one kept.

Options:
  --task lpn           the meta-optimisation task (only lpn, as in the paper)
  --iterations N       iterations T                                   (default: 3)
  --runs R             independent runs, for mean ± standard error    (default: 1; paper: 5)
  --responses N        replies per model call                         (default: 6)
  --lm-budget N        model calls per improver run                   (default: 4)
  --utility-budget N   downstream utility calls per improver run      (default: 25)
  --meta-budget N      meta-utility calls per iteration               (default: 25)
  --meta-tests N       improver runs per meta-utility evaluation      (default: 5)
  --time-scale F       multiplies every task time limit               (default: 1)
  --sandboxes N        downstream evaluations in flight at once     (default: cores)
  --no-prefetch        score candidates only when the improver asks: exactly the paper's
                       budget (slower; by default each model reply's code starts scoring
                       as soon as it arrives, at most 6 unasked evaluations at a time, on
                       top of the budget and in the forecast; off when --max-cost cannot
                       cover them)
  --instances MODE     public: the paper's seeds, reproducible by anyone (and regenerable
                       by a program); secret: seeds from a random salt kept in the run's
                       config.json, which no program sees              (default: public)
  --resume DIR         continue a run that was killed, in its directory: completed steps
                       are read back, completed model calls answered from its cache
                       (the run's other options come from DIR/config.json;
                       --queue is given again, or not, as for a new run)
${QUEUE_HELP}
  --json               end with one JSON object on its own line (the summary)
  --help               show this help

${MODEL_HELP}`;

/** The flags that shape a run (refused with `--resume`, where they come from the run). */
const SHAPING = [
  "iterations",
  "runs",
  "responses",
  "lm-budget",
  "utility-budget",
  "meta-budget",
  "meta-tests",
  "time-scale",
  "sandboxes",
  "no-prefetch",
  "model",
  "base-url",
  "max-cost",
  "max-requests",
  "seed",
  "instances",
] as const;

/**
 * Runs the command.
 *
 * @param argv The arguments after `self-improve`.
 * @param options.evaluations Runs every leaf evaluation instead of the service `--queue`
 * names (a library caller's own, or a test's fake). @default {the queue's, or local sandboxes}
 * @returns The exit code.
 */
export async function selfImproveCommand(
  argv: string[],
  options: { evaluations?: EvaluationService } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      seed: { type: "string" },
      "max-requests": { type: "string" },
      task: { type: "string", default: "lpn" },
      iterations: { type: "string" },
      runs: { type: "string" },
      responses: { type: "string" },
      "lm-budget": { type: "string" },
      "utility-budget": { type: "string" },
      "meta-budget": { type: "string" },
      "meta-tests": { type: "string" },
      "time-scale": { type: "string" },
      sandboxes: { type: "string" },
      "no-prefetch": { type: "boolean" },
      instances: { type: "string" },
      ...QUEUE_OPTION,
      resume: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(SELF_IMPROVE_USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`Cannot self-improve: unexpected argument '${positionals[0]}'`);
  }
  if (values.task !== "lpn") {
    throw new UsageError(
      `Cannot self-improve on task '${values.task}': the meta-utility is defined on 'lpn'`,
    );
  }
  if (values.replay) {
    throw new UsageError(
      "Cannot self-improve with --replay as a new run has nothing cached; " +
        "replay a finished run with 'deno task stop replay <run-dir>'",
    );
  }
  const log = values.json ? note : say;
  const queue = queueFlag(values.queue, "self-improve");
  if (values.resume !== undefined) {
    const given = SHAPING.filter((name) => (values as Record<string, unknown>)[name] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `Cannot resume with --${given[0]}: a resumed run keeps the options in its config.json`,
      );
    }
    const { dir, config } = await readSelfImproveRun(values.resume, { finished: false });
    await keepDenoPermissionAudit(dir);
    // The queue's URL is never stored: a resumed run takes it from --queue or the environment.
    const opened = await openEvaluations(queue, options.evaluations);
    let summary;
    try {
      summary = await executeSelfImprove({
        dir,
        config,
        flags: configModelFlags(config, false),
        log,
        resuming: true,
        ...(opened.evaluations === undefined ? {} : { evaluations: opened.evaluations }),
      });
    } finally {
      await opened.close();
    }
    if (values.json) printJson(summary);
    return 0;
  }
  const flags = modelFlags(values);
  const d = DEFAULT_SELF_IMPROVE_CONFIG;
  const int = (name: string, value: string | undefined, fallback: number, min: number) =>
    value === undefined
      ? fallback
      : numberFlag(value, { action: "self-improve", name, integer: true, min });
  const config: SelfImproveConfig = {
    ...d,
    iterations: int("iterations", values.iterations, d.iterations, 0),
    runs: int("runs", values.runs, d.runs, 1),
    responses: int("responses", values.responses, d.responses, 1),
    lmBudget: int("lm-budget", values["lm-budget"], d.lmBudget, 0),
    utilityBudget: int("utility-budget", values["utility-budget"], d.utilityBudget, 0),
    metaBudget: int("meta-budget", values["meta-budget"], d.metaBudget, 0),
    metaTests: int("meta-tests", values["meta-tests"], d.metaTests, 1),
    sandboxes: int("sandboxes", values.sandboxes, d.sandboxes, 1),
    timeScale: values["time-scale"] === undefined ? d.timeScale : numberFlag(
      values["time-scale"],
      {
        action: "self-improve",
        name: "time-scale",
        min: 0,
        exclusiveMin: true,
        max: MAX_LEAF_TIME_SCALE,
      },
    ),
    prefetch: values["no-prefetch"] !== true,
    model: flags.model,
    baseUrl: flags.baseUrl,
    seed: flags.seed,
    maxCostUsd: flags.maxCostUsd,
    maxRequests: flags.maxRequests,
    instances: instancesFlag(values.instances, "self-improve"),
    instanceSalt: undefined,
  };
  config.instanceSalt = saltFor(config.instances);
  const opened = await openEvaluations(queue, options.evaluations);
  let summary;
  try {
    const dir = await createRunDir("self-improve", {
      ...config,
      ...(queue === undefined ? {} : { queue: queue.redacted }),
    });
    summary = await executeSelfImprove({
      dir,
      config,
      flags,
      log,
      resuming: false,
      ...(opened.evaluations === undefined ? {} : { evaluations: opened.evaluations }),
    });
  } finally {
    await opened.close();
  }
  if (values.json) printJson(summary);
  return 0;
}
