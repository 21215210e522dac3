/**
 * `stop self-improve` (and `deno task experiment:lpn`): the STOP loop on LPN, R independent
 * runs of T iterations, with the paper's budgets as defaults; ends with the table
 * T | accepted | meta-utility val | meta-utility test (mean ± SE over runs) | main strategy.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AuditLog } from "../sandbox/audit_log.ts";
import { createLanguageModel, forecastCost, formatCostForecast, stopRunCalls } from "../lm/mod.ts";
import { runImprover } from "../improvers/run_improver.ts";
import { type IterationRecord, selfImprove } from "../improvers/self_improve.ts";
import { classifyStrategy } from "../improvers/strategy.ts";
import { MetaUtility } from "../utilities/meta_utility.ts";
import { getTask } from "../utilities/tasks.ts";
import { createRunDir, keepDenoPermissionAudit } from "./run_dir.ts";
import { MODEL_HELP, MODEL_OPTIONS, modelFlags, openGateway } from "./model_flags.ts";
import { note, paint, printJson, say, UsageError } from "./_terminal.ts";
import { numberFlag } from "./_flags.ts";
import { meanSe } from "./stats.ts";

/** Usage text of the command. */
export const SELF_IMPROVE_USAGE = `Usage: deno task stop self-improve [options]
       deno task experiment:lpn [options]

The STOP loop: I(t+1) = I(t)(source of I(t), meta-utility, model). The meta-utility runs an
improver ${5} times on the LPN seed solution, each time with a fresh model budget, and averages
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
  --resume DIR         (not available yet: a killed run cannot be resumed)
  --json               end with one JSON object on its own line
  --help               show this help

${MODEL_HELP}`;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `self-improve`.
 * @returns The exit code.
 */
export async function selfImproveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      task: { type: "string", default: "lpn" },
      iterations: { type: "string", default: "3" },
      runs: { type: "string", default: "1" },
      responses: { type: "string", default: "6" },
      "lm-budget": { type: "string", default: "4" },
      "utility-budget": { type: "string", default: "25" },
      "meta-budget": { type: "string", default: "25" },
      "meta-tests": { type: "string", default: "5" },
      "time-scale": { type: "string", default: "1" },
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
  if (values.resume !== undefined) {
    throw new UsageError(
      "Cannot resume: crash-safe resume of a self-improvement run is not implemented yet",
    );
  }
  const flags = modelFlags(values);
  const iterations = numberFlag(values.iterations, {
    action: "self-improve",
    name: "iterations",
    integer: true,
    min: 0,
  });
  const runs = numberFlag(values.runs, {
    action: "self-improve",
    name: "runs",
    integer: true,
    min: 1,
  });
  const responses = numberFlag(values.responses, {
    action: "self-improve",
    name: "responses",
    integer: true,
    min: 1,
  });
  const lmBudget = numberFlag(values["lm-budget"], {
    action: "self-improve",
    name: "lm-budget",
    integer: true,
    min: 0,
  });
  const utilityBudget = numberFlag(values["utility-budget"], {
    action: "self-improve",
    name: "utility-budget",
    integer: true,
    min: 0,
  });
  const metaBudget = numberFlag(values["meta-budget"], {
    action: "self-improve",
    name: "meta-budget",
    integer: true,
    min: 0,
  });
  const metaTests = numberFlag(values["meta-tests"], {
    action: "self-improve",
    name: "meta-tests",
    integer: true,
    min: 1,
  });
  const timeScale = numberFlag(values["time-scale"], {
    action: "self-improve",
    name: "time-scale",
    min: 0,
    exclusiveMin: true,
  });
  const task = getTask("lpn");
  const seedImprover = await Deno.readTextFile(
    new URL("../improvers/programs/seed_improver.ts", import.meta.url),
  );
  const config = {
    task: "lpn",
    iterations,
    runs,
    responses,
    lmBudget,
    utilityBudget,
    metaBudget,
    metaTests,
    timeScale,
    ...flags,
  };
  const dir = await createRunDir("self-improve", config);
  const audit = new AuditLog({ path: `${dir.path}/audit.jsonl`, run: dir.id });
  const { gateway, standIn, banner } = await openGateway(flags, dir.path, { audit, run: dir.id });
  const log = values.json ? note : say;
  log(standIn ? paint("yellow", banner) : banner);
  const calls = stopRunCalls({ iterations, lmBudget, metaBudget, metaTests, runs });
  log(
    paint(
      "dim",
      formatCostForecast(
        forecastCost({ calls, responsesPerCall: responses, model: gateway.model }),
      ),
    ),
  );
  const events = await Deno.open(`${dir.path}/events.jsonl`, { append: true, create: true });
  const appendEvent = async (event: Record<string, unknown>) => {
    await events.write(
      new TextEncoder().encode(JSON.stringify({ time: new Date().toISOString(), ...event }) + "\n"),
    );
    await events.syncData();
  };
  await Deno.mkdir(`${dir.path}/improvers`, { recursive: true });

  const started = performance.now();
  const allRecords: IterationRecord[][] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const records = await selfImprove(seedImprover, {
        iterations,
        metaUtility: (t) =>
          new MetaUtility({
            task,
            budget: metaBudget,
            runs: metaTests,
            utilityBudget,
            lmBudget,
            responsesPerCall: responses,
            timeScale,
            audit,
            makeModel: ({ evaluation, run }) =>
              createLanguageModel(gateway, {
                budget: lmBudget,
                maxResponsesPerCall: responses,
                audit,
                scope: `r${r}/t${t}/e${evaluation}/run${run}`,
              }),
            runImprover: (improver, initial, { utility, model, run }) =>
              runImprover(improver, initial, { utility, model, audit, seed: flags.seed + run }),
          }),
        model: (t) =>
          createLanguageModel(gateway, {
            budget: lmBudget,
            maxResponsesPerCall: responses,
            audit,
            scope: `r${r}/t${t}/outer`,
          }),
        runImprover: (improver, initial, { utility, model }) =>
          runImprover(improver, initial, { utility, model, audit, seed: flags.seed }),
        onEvent: async (event) => {
          await appendEvent({ run: r, ...event });
          const prefix = `run ${r + 1}/${runs}`;
          if (event.type === "baseline") {
            log(
              `${prefix} T=0 seed improver: meta-utility val ${pct(event.metaUtility.val)}, test ${
                pct(event.metaUtility.test)
              }`,
            );
          } else if (event.type === "iteration-start") {
            log(`${prefix} T=${event.t}: the improver is improving itself…`);
          } else {
            if (event.candidate) {
              await Deno.writeTextFile(
                `${dir.path}/improvers/run${r}-t${event.t}-candidate.ts`,
                event.candidate,
              );
            }
            const colour = event.accepted ? "green" : "yellow";
            log(
              `${prefix} T=${event.t}: ${paint(colour, event.reason)}; kept improver val ${
                pct(event.metaUtility.val)
              }, test ${
                pct(event.metaUtility.test)
              }; model calls ${event.lmCalls}, meta-utility calls ${event.metaCalls}; audit events ${audit.count()}`,
            );
          }
        },
      });
      for (const rec of records) {
        await Deno.writeTextFile(`${dir.path}/improvers/run${r}-t${rec.t}.ts`, rec.improver);
      }
      allRecords.push(records);
    }
  } finally {
    events.close();
  }
  const wallMs = performance.now() - started;
  const table = Array.from({ length: iterations + 1 }, (_, t) => {
    const rows = allRecords.map((rs) => rs[t]!);
    return {
      t,
      accepted: rows.filter((x) => x.accepted).length,
      metaUtility: {
        val: meanSe(rows.map((x) => x.metaUtility.val)),
        test: meanSe(rows.map((x) => x.metaUtility.test)),
      },
      strategy: classifyStrategy(rows[0]!.improver),
    };
  });
  const ledger = gateway.ledger?.summary();
  const permissionChecks = await keepDenoPermissionAudit(dir);
  const summary = {
    runDir: dir.path,
    standIn,
    model: gateway.model,
    iterations: table.map((row) => ({
      t: row.t,
      accepted: row.accepted,
      metaUtility: { val: row.metaUtility.val.mean, test: row.metaUtility.test.mean },
      se: { val: row.metaUtility.val.se, test: row.metaUtility.test.se },
      strategy: row.strategy,
    })),
    chatRequests: ledger?.answered ?? 0,
    costUsd: ledger?.costUsd ?? 0,
    audit: audit.summary(),
    wallMs,
  };
  await Deno.writeTextFile(`${dir.path}/summary.json`, JSON.stringify(summary, null, 2) + "\n");

  log("");
  log(
    paint(
      "bold",
      `T | accepted | meta-utility val | meta-utility test | main strategy   (${runs} run(s))`,
    ),
  );
  for (const row of table) {
    const v = row.metaUtility.val, s = row.metaUtility.test;
    log(
      `${row.t} | ${row.t === 0 ? "seed" : `${row.accepted}/${runs}`} | ${pct(v.mean)} ± ${
        pct(v.se)
      } | ${pct(s.mean)} ± ${pct(s.se)} | ${row.strategy}`,
    );
  }
  log(
    `chat requests ${ledger?.answered ?? 0} (cache hits ${ledger?.cacheHits ?? 0}), cost $${
      (ledger?.costUsd ?? 0).toFixed(4)
    }, ${(wallMs / 1000).toFixed(0)} s`,
  );
  log(`audit: ${audit.count() === 0 ? "no events" : JSON.stringify(audit.summary())}`);
  if (permissionChecks !== undefined) {
    log(`Deno permission audit: ${permissionChecks} check(s) kept in the run directory`);
  }
  log(`run directory ${dir.path}`);
  if (standIn) log(paint("yellow", `these numbers come from the ${banner.replace("model: ", "")}`));
  if (values.json) printJson(summary);
  return 0;
}
