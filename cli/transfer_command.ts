/**
 * `stop transfer` (and `deno task experiment:transfer`): paper Table 1, an improver
 * self-improved on LPN applied unchanged to five other tasks, beside the seed improver and
 * the seed solutions, with the paper's numbers.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AuditLog } from "../sandbox/audit_log.ts";
import { describeCost, forecastCost, formatCostForecast } from "../lm/mod.ts";
import {
  type ImprovedImprover,
  ImprovedImproverError,
  loadImprovedImprover,
  runTransfer,
  TRANSFER_TASK_IDS,
  type TransferTaskId,
} from "../experiments/transfer.ts";
import { createRunDir, keepDenoPermissionAudit } from "../experiments/run_dir.ts";
import { QUEUE_HELP, QUEUE_OPTION, queueFlag } from "./_queue_flag.ts";
import { openEvaluations } from "./_evaluations.ts";
import { describeEvaluations } from "./_progress.ts";
import { MAX_LEAF_TIME_SCALE } from "../utilities/leaf_job.ts";
import type { EvaluationService } from "../utilities/evaluation_service.ts";
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
import { formatTransferTable } from "../experiments/format_transfer_table.ts";
import { reportAtEnd } from "../report/report.ts";
import { stopOnHostFailure } from "./_stopped_run.ts";

const DEFAULT_RUNS = 5;

/** Usage text of the command. */
export const TRANSFER_USAGE = `Usage: deno task stop transfer [options]
       deno task experiment:transfer [options]

Paper Table 1: the improver self-improved on LPN, applied unchanged to five other tasks.
For each task, on the test split: u(seed solution), û(seed improver I0) and û(improved
improver), each over R runs (mean ± standard error), beside the paper's numbers. One run of
an improver is improveAlgorithm(seed solution, val utility, fresh model); the program it
returns is scored once on test; a run that fails (no program) counts 0.

The improved improver comes from --from, --improver, or else the newest finished
self-improve run (deno task experiment:lpn); there is no fallback to the seed improver.

Options:
  --from DIR           a finished self-improve run: its summary's best improver
  --improver FILE      an improver program file instead
  --runs R             runs per cell                        (default: ${DEFAULT_RUNS}; paper: 5)
  --tasks a,b,...      transfer tasks                       (default: all five)
                       ${TRANSFER_TASK_IDS.join(", ")}
  --responses N        replies per model call               (default: 6)
  --lm-budget N        model calls per improver run         (default: 4)
  --utility-budget N   utility calls per improver run       (default: 25)
  --time-scale F       multiplies every task time limit     (default: 1)
  --instances MODE     public (the paper's seeds) or secret (seeds from a random salt
                       kept in the run's config.json)        (default: public)
  --concurrency N      cells (improver runs) at once        (default: 2)
${QUEUE_HELP}
  --json               end with one JSON object on its own line
  --help               show this help

${MODEL_HELP}`;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function parseTasks(text: string | undefined): TransferTaskId[] {
  if (text === undefined) return [...TRANSFER_TASK_IDS];
  const ids = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (ids.length === 0) {
    throw new UsageError(
      `Cannot transfer as '--tasks' must name at least one task: current value is '${text}'`,
    );
  }
  for (const id of ids) {
    if (!(TRANSFER_TASK_IDS as readonly string[]).includes(id)) {
      throw new UsageError(
        `Cannot transfer to task '${id}' as it is not a transfer task: use ${
          TRANSFER_TASK_IDS.join(", ")
        }`,
      );
    }
  }
  return TRANSFER_TASK_IDS.filter((id) => ids.includes(id));
}

/**
 * Runs the command.
 *
 * @param argv The arguments after `transfer`.
 * @param options.evaluations Runs every leaf evaluation instead of the service `--queue`
 * names (a library caller's own, or a test's fake). @default {the queue's, or local sandboxes}
 * @returns The exit code.
 * @throws {UsageError} On a bad flag, or when no improved improver can be found.
 */
export async function transferCommand(
  argv: string[],
  options: { evaluations?: EvaluationService } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      from: { type: "string" },
      improver: { type: "string" },
      runs: { type: "string", default: String(DEFAULT_RUNS) },
      tasks: { type: "string" },
      responses: { type: "string", default: "6" },
      "lm-budget": { type: "string", default: "4" },
      "utility-budget": { type: "string", default: "25" },
      "time-scale": { type: "string", default: "1" },
      instances: { type: "string" },
      concurrency: { type: "string", default: "2" },
      ...QUEUE_OPTION,
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(TRANSFER_USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`Cannot transfer: unexpected argument '${positionals[0]}'`);
  }
  if (values.from !== undefined && values.improver !== undefined) {
    throw new UsageError(
      `Cannot transfer as '--from' and '--improver' exclude each other: current values are '${values.from}' and '${values.improver}'`,
    );
  }
  const flags = modelFlags(values);
  const count = (name: string, text: string, min: number) =>
    numberFlag(text, { action: "transfer", name, integer: true, min });
  const runs = count("runs", values.runs, 1);
  const responses = count("responses", values.responses, 1);
  const lmBudget = count("lm-budget", values["lm-budget"], 0);
  const utilityBudget = count("utility-budget", values["utility-budget"], 0);
  const concurrency = count("concurrency", values.concurrency, 1);
  const timeScale = numberFlag(values["time-scale"], {
    action: "transfer",
    name: "time-scale",
    min: 0,
    exclusiveMin: true,
    max: MAX_LEAF_TIME_SCALE,
  });
  const tasks = parseTasks(values.tasks);
  const queue = queueFlag(values.queue, "transfer");

  let improved: ImprovedImprover;
  try {
    improved = await loadImprovedImprover({
      ...(values.from === undefined ? {} : { from: values.from }),
      ...(values.improver === undefined ? {} : { file: values.improver }),
    });
  } catch (error) {
    if (error instanceof ImprovedImproverError) throw new UsageError(error.message);
    throw error;
  }

  const instances = instancesFlag(values.instances, "transfer");
  const instanceSalt = saltFor(instances);
  const config = {
    from: improved.from,
    improver: improved.path,
    choice: improved.choice,
    runs,
    tasks,
    responses,
    lmBudget,
    utilityBudget,
    timeScale,
    concurrency,
    ...flags,
    instances,
    ...(instanceSalt === undefined ? {} : { instanceSalt }),
    ...(queue === undefined ? {} : { queue: queue.redacted }),
  };
  const opened = await openEvaluations(queue, options.evaluations);
  const dir = await createRunDir("transfer", config);
  await Deno.writeTextFile(`${dir.path}/improved_improver.ts`, improved.source);
  await Deno.writeTextFile(`${dir.path}/audit.jsonl`, "", { append: true });
  using audit = new AuditLog({ path: `${dir.path}/audit.jsonl`, run: dir.id });
  const { gateway, standIn, banner } = await openGateway(flags, dir.path, { audit, run: dir.id });
  const log = values.json ? note : say;
  log(`transfer (paper Table 1): the improved improver on five tasks, into ${dir.path}`);
  log(modelBannerLine({ banner, standIn }));
  log(
    paint(
      "dim",
      formatCostForecast(
        forecastCost({
          calls: tasks.length * runs * 2 * lmBudget,
          responsesPerCall: responses,
          model: gateway.model,
        }),
      ),
    ),
  );
  const where = improved.choice === "file"
    ? `file ${improved.path}`
    : `${improved.choice === "best" ? "best" : "best accepted"} improver of ${improved.from}${
      improved.run === undefined ? "" : `, run ${improved.run}`
    }${improved.t === undefined ? "" : `, T=${improved.t}`}${
      improved.metaUtility === undefined
        ? ""
        : ` (meta-utility val ${pct(improved.metaUtility.val)}, test ${
          pct(improved.metaUtility.test)
        })`
    }`;
  log(`improved improver: ${where}`);
  if (improved.t === 0) {
    log(
      paint(
        "yellow",
        "its best is the seed improver itself (T=0): no later improver scored higher on val",
      ),
    );
  }
  log(
    `${tasks.length} task(s) × 3 columns × ${runs} run(s) on the test split, ${concurrency} at once`,
  );

  const started = performance.now();
  const rows = await stopOnHostFailure(
    runTransfer({
      improved: { source: improved.source },
      gateway,
      runs,
      tasks,
      utilityBudget,
      lmBudget,
      responsesPerCall: responses,
      timeScale,
      concurrency,
      seed: flags.seed,
      audit,
      ...(instanceSalt === undefined ? {} : { instanceSalt }),
      ...(opened.evaluations === undefined ? {} : { evaluations: opened.evaluations }),
      onCell: (c) => {
        const arm = c.arm === "seed"
          ? "seed solution"
          : c.arm === "seedImprover"
          ? "seed improver"
          : "improved improver";
        const calls = c.lmCalls === undefined
          ? ""
          : `, model calls ${c.lmCalls}, utility calls ${c.utilityCalls}`;
        const why = c.failure ??
          (c.testFailure === undefined ? undefined : `on test: ${c.testFailure}`);
        const failure = why === undefined
          ? ""
          : paint(c.failure === undefined ? "dim" : "yellow", ` (${why.split("\n")[0]})`);
        const queued = describeEvaluations(opened.evaluations);
        log(
          `[${c.done}/${c.total}] ${c.task} · ${arm} · run ${c.run + 1}/${runs}: ${
            pct(c.value)
          }${failure}${calls}; ${(c.ms / 1000).toFixed(1)} s${
            queued === undefined ? "" : ` · ${queued}`
          }`,
        );
      },
    }),
    `run the command again (the model's answers so far are in ${dir.path}/cache.jsonl).`,
  ).finally(() => opened.close());
  const wallMs = performance.now() - started;
  const ledger = gateway.ledger.summary();
  const permissionChecks = await keepDenoPermissionAudit(dir);
  const summary = {
    command: "transfer",
    runDir: dir.path,
    standIn: gateway.standIn,
    model: gateway.model,
    runs,
    improved: { from: improved.from, improver: "improved_improver.ts" },
    rows,
    chatRequests: ledger.answered,
    costUsd: ledger.costUsd,
    audit: audit.summary(),
    wallMs,
  };
  await Deno.writeTextFile(`${dir.path}/summary.json`, JSON.stringify(summary, null, 2) + "\n");

  log("");
  const [header, rule, ...body] = formatTransferTable(rows);
  log(paint("bold", header!));
  log(rule!);
  for (const line of body) log(line);
  log(
    `${runs} run(s) per cell (the paper: 5), test split, mean ± standard error; a failed ` +
      "improver run counts 0",
  );
  for (const row of rows) {
    if (row.seedFailure !== null) {
      log(`${row.title}: the seed solution fails on test (${row.seedFailure.split("\n")[0]})`);
    }
    const failed = row.failedRuns;
    if (failed.seedImprover + failed.improvedImprover > 0) {
      log(
        `${row.title}: improver runs without a program: seed improver ${failed.seedImprover}/${runs}, improved improver ${failed.improvedImprover}/${runs}`,
      );
    }
    if (row.task === "maxcut") log(`${row.title}: ${row.scale}`);
  }
  log(
    `chat requests ${ledger.answered} (cache hits ${ledger.cacheHits}), cost ${
      describeCost({
        costUsd: ledger.costUsd,
        paid: ledger.answered - ledger.cacheHits,
        unpriced: ledger.unpricedCalls,
      })
    }, ${(wallMs / 1000).toFixed(0)} s`,
  );
  log(`audit: ${audit.count() === 0 ? "no events" : JSON.stringify(audit.summary())}`);
  if (permissionChecks !== undefined) {
    log(`Deno permission audit: ${permissionChecks} check(s) kept in the run directory`);
  }
  await reportAtEnd(dir.path, log);
  log(`run directory ${dir.path}`);
  if (gateway.standIn) log(paint("yellow", standInNumbersNote()));
  if (values.json) printJson(summary);
  return 0;
}
