/**
 * `stop self-improve` (and `deno task experiment:lpn`): the STOP loop on LPN, R independent
 * runs of T iterations, with the paper's budgets as defaults; ends with the table
 * T | accepted | meta-utility val | meta-utility test (mean ± SE over runs) | main strategy.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AuditLog } from "../sandbox/audit_log.ts";
import {
  type ChatBackend,
  describeCost,
  describeRetries,
  forecastCost,
  formatCostForecast,
  stopRunCalls,
} from "../lm/mod.ts";
import { hostFailureOf } from "../utilities/host_failure.ts";
import { stoppedRunError } from "./_stopped_run.ts";
import { DEFAULT_PREFETCH_LIMIT } from "../utilities/utility.ts";
import { createRunDir, keepDenoPermissionAudit, type RunDir } from "./run_dir.ts";
import {
  MODEL_HELP,
  MODEL_OPTIONS,
  type ModelFlags,
  modelFlags,
  openGateway,
  standInNumbersNote,
} from "./model_flags.ts";
import { note, paint, printJson, say, UsageError } from "./_terminal.ts";
import { instancesFlag, numberFlag } from "./_flags.ts";
import { isInstanceMode, saltFor } from "../utilities/instance_salt.ts";
import { EventLog, type RunEvent } from "./event_log.ts";
import { StatusLine } from "./_progress.ts";
import { reportAtEnd } from "./report.ts";
import {
  CorruptRunError,
  DEFAULT_SELF_IMPROVE_CONFIG,
  prepareResume,
  runSelfImprove,
  type SelfImproveConfig,
  type SelfImproveSummary,
} from "./self_improve_run.ts";

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
                       (the run's other options come from DIR/config.json)
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
 * Reads a run directory's configuration, refusing anything that is not a self-improvement
 * run this version can continue.
 *
 * @param path The run directory.
 * @returns The directory and its configuration.
 * @throws {UsageError} When the directory is missing, foreign, corrupt or finished.
 */
export async function readSelfImproveRun(
  path: string,
  options: { finished: boolean },
): Promise<{ dir: RunDir; config: SelfImproveConfig }> {
  const clean = path.replace(/\/+$/, "");
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(`${clean}/config.json`));
  } catch (error) {
    throw new UsageError(
      error instanceof Deno.errors.NotFound
        ? `Cannot use '${path}' as it is not a run directory: it has no config.json`
        : `Cannot use '${path}' as its config.json is unreadable: ${(error as Error).message}`,
    );
  }
  const c = raw as Record<string, unknown>;
  if (c?.command !== "self-improve") {
    throw new UsageError(
      `Cannot use '${path}' as it is a '${String(c?.command)}' run, not a self-improve run`,
    );
  }
  const config = { ...DEFAULT_SELF_IMPROVE_CONFIG };
  for (const key of Object.keys(DEFAULT_SELF_IMPROVE_CONFIG) as (keyof SelfImproveConfig)[]) {
    const value = c[key];
    const expected = typeof DEFAULT_SELF_IMPROVE_CONFIG[key];
    const optional = key === "model" || key === "baseUrl" || key === "maxCostUsd" ||
      key === "instanceSalt";
    if (value === undefined && optional) continue;
    if (
      value === undefined &&
      (key === "sandboxes" || key === "prefetch" || key === "maxRequests" || key === "instances")
    ) {
      continue; // runs written before these existed
    }
    const type: string = typeof value;
    if (optional ? type !== "string" && type !== "number" : type !== expected) {
      throw new UsageError(
        `Cannot use '${path}' as its config.json has a bad '${key}': current value is ${
          JSON.stringify(value)
        }`,
      );
    }
    (config as Record<string, unknown>)[key] = value;
  }
  if (
    !isInstanceMode(config.instances) ||
    (config.instances === "secret") !== (typeof config.instanceSalt === "string")
  ) {
    throw new UsageError(
      `Cannot use '${path}' as its config.json has bad instances: current value is ${
        JSON.stringify(config.instances)
      } ${config.instanceSalt === undefined ? "without" : "with"} a salt`,
    );
  }
  let finished = false;
  try {
    await Deno.stat(`${clean}/summary.json`);
    finished = true;
  } catch {
    // not finished
  }
  if (finished && !options.finished) {
    throw new UsageError(
      `Cannot resume '${path}' as the run has finished (it has a summary.json); ` +
        `see 'deno task stop report ${path}' or 'deno task stop replay ${path}'`,
    );
  }
  if (!finished && options.finished) {
    throw new UsageError(
      `Cannot replay '${path}' as the run has not finished (no summary.json); ` +
        `continue it with 'deno task stop self-improve --resume ${path}'`,
    );
  }
  const real = await Deno.realPath(clean);
  const id = real.slice(real.lastIndexOf("/") + 1);
  return { dir: { id, path: real }, config };
}

/** The model flags a configuration implies. */
export function configModelFlags(config: SelfImproveConfig, replay: boolean): ModelFlags {
  return {
    model: config.model,
    baseUrl: config.baseUrl,
    replay,
    maxCostUsd: config.maxCostUsd,
    maxRequests: config.maxRequests,
    seed: config.seed,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Runs a self-improvement run in a directory with a live status line, and prints the
 * paper-style table at the end.
 *
 * @param input The run directory, its configuration, model flags, output settings, and
 * optionally the backend to use instead of the one the flags name.
 * @returns The summary.
 * @throws {HostFailureError} When the host stopped the run (a fatal endpoint error, a
 * sandbox that could not start): its message says what failed and how to resume.
 */
export async function executeSelfImprove(input: {
  dir: RunDir;
  config: SelfImproveConfig;
  flags: ModelFlags;
  log: (line: string) => void;
  resuming: boolean;
  backend?: ChatBackend;
}): Promise<SelfImproveSummary> {
  const { dir, flags, log } = input;
  let config = input.config;
  let events: EventLog;
  try {
    events = await EventLog.open(`${dir.path}/events.jsonl`);
  } catch (error) {
    throw new UsageError(`Cannot use '${dir.path}': ${(error as Error).message}`);
  }
  try {
    if (input.resuming) await prepareResume(dir, events);
    if (!input.resuming) {
      log(
        `self-improvement (STOP) on ${config.task}: T = ${config.iterations} iteration(s), ${config.runs} run(s), into ${dir.path}`,
      );
    }
    using audit = new AuditLog({ path: `${dir.path}/audit.jsonl`, run: dir.id });
    const { gateway, standIn, banner } = await openGateway(flags, dir.path, {
      audit,
      run: dir.id,
      ...(input.backend === undefined ? {} : { backend: input.backend }),
    });
    log(standIn ? paint("yellow", banner) : banner);
    const forecast = (prefetchLimit: number) =>
      forecastCost({
        calls: stopRunCalls({
          iterations: config.iterations,
          lmBudget: config.lmBudget,
          metaBudget: config.metaBudget,
          metaTests: config.metaTests,
          runs: config.runs,
          prefetchLimit,
        }),
        responsesPerCall: config.responses,
        model: gateway.model,
      });
    // Speculation must never spend what the run's own calls may need: with a cost cap that
    // its worst case does not fit in, the run does not prefetch.
    const speculative = forecast(config.prefetch ? DEFAULT_PREFETCH_LIMIT : 0);
    const cap = flags.maxCostUsd;
    if (
      config.prefetch && cap !== undefined && (speculative.costUsd ?? Infinity) > cap
    ) {
      config = { ...config, prefetch: false };
      log(
        `prefetching off: its worst case ($${
          speculative.costUsd?.toFixed(2) ?? "unknown"
        }) does not fit in --max-cost $${cap}`,
      );
    }
    log(
      paint(
        "dim",
        formatCostForecast(forecast(config.prefetch ? DEFAULT_PREFETCH_LIMIT : 0)) +
          (config.prefetch
            ? ` (speculative scoring included: at most ${DEFAULT_PREFETCH_LIMIT} meta-utility evaluations per iteration; --no-prefetch removes them)`
            : ""),
      ),
    );
    if (input.resuming) {
      const steps = events.events.filter((e) =>
        e.type === "baseline" || e.type === "iteration-end"
      ).length;
      log(`resuming ${dir.path}: ${steps} completed step(s) read back; the rest runs now`);
    }
    const status = new StatusLine({ print: log });
    let where = "starting";
    let kept = "";
    const refresh = () => {
      const ledger = gateway.ledger.summary();
      const spent = describeCost({
        costUsd: ledger.costUsd,
        paid: ledger.answered - ledger.cacheHits,
        unpriced: ledger.unpricedCalls,
      });
      status.set(
        `${where}${kept} · model requests ${ledger.answered} (cached ${ledger.cacheHits}) · ${spent} · audit ${audit.count()}`,
      );
    };
    const timer = setInterval(refresh, 1000);
    Deno.unrefTimer(timer);
    const prefix = (e: RunEvent) => `run ${(e.run ?? 0) + 1}/${config.runs}`;
    const onEvent = (e: RunEvent) => {
      const m = e.metaUtility as { val: number; test: number } | undefined;
      if (e.type === "baseline" && m) {
        kept = ` · kept improver test ${pct(m.test)}`;
        where = `${prefix(e)} T=0 done`;
        status.line(
          `${prefix(e)} T=0 seed improver: meta-utility val ${pct(m.val)}, test ${pct(m.test)}`,
        );
      } else if (e.type === "iteration-start") {
        where = `${prefix(e)} T=${e.t}/${config.iterations} improving`;
        status.line(`${prefix(e)} T=${e.t}: the improver is improving itself…`);
      } else if (e.type === "iteration-end" && m) {
        kept = ` · kept improver test ${pct(m.test)}`;
        where = `${prefix(e)} T=${e.t}/${config.iterations} done`;
        const colour = e.accepted ? "green" : "yellow";
        status.line(
          `${prefix(e)} T=${e.t}: ${paint(colour, String(e.reason))}; kept improver val ${
            pct(m.val)
          }, test ${
            pct(m.test)
          }; model calls ${e.lmCalls}, meta-utility calls ${e.metaCalls}; audit events ${audit.count()}`,
        );
      }
      refresh();
    };
    if (!input.resuming) where = `run 1/${config.runs} T=0 measuring the seed improver`;
    refresh();
    let summary: SelfImproveSummary;
    // Ctrl-C stops at once (every completed step is already on disk) and says how to go on.
    const interrupted = () => {
      status.stop();
      note(`\ninterrupted; continue with: deno task stop self-improve --resume ${dir.path}`);
      Deno.exit(130);
    };
    Deno.addSignalListener("SIGINT", interrupted);
    try {
      summary = await runSelfImprove({ config, dir, gateway, events, audit, onEvent });
    } catch (error) {
      if (error instanceof CorruptRunError) throw new UsageError(error.message);
      const failure = hostFailureOf(error);
      if (failure !== undefined) {
        // Nothing of the step under way was recorded: the event says why the run stopped.
        await events.append({ type: "stopped", source: failure.source, reason: failure.message });
        throw stoppedRunError(
          failure,
          flags.replay
            ? "run the replay again (a replay is not resumed: it would then call the model)"
            : `continue with: deno task stop self-improve --resume ${dir.path}`,
        );
      }
      throw error;
    } finally {
      Deno.removeSignalListener("SIGINT", interrupted);
      clearInterval(timer);
      status.stop();
    }
    const permissionChecks = await keepDenoPermissionAudit(dir);
    printTable(summary, config, log);
    await reportAtEnd(dir.path, log);
    if (permissionChecks !== undefined) {
      log(`Deno permission audit: ${permissionChecks} check(s) kept in the run directory`);
    }
    log(`run directory ${dir.path}`);
    if (gateway.standIn) log(paint("yellow", standInNumbersNote()));
    return summary;
  } finally {
    events.close();
  }
}

function printTable(
  summary: SelfImproveSummary,
  config: SelfImproveConfig,
  log: (line: string) => void,
): void {
  log("");
  log(
    paint(
      "bold",
      `T | accepted | meta-utility val | meta-utility test | main strategy   (${config.runs} run(s))`,
    ),
  );
  for (const row of summary.iterations) {
    log(
      `${row.t} | ${row.t === 0 ? "seed" : `${row.accepted}/${config.runs}`} | ${
        pct(row.metaUtility.val)
      } ± ${pct(row.se.val)} | ${pct(row.metaUtility.test)} ± ${
        pct(row.se.test)
      } | ${row.strategy}`,
    );
  }
  const cost = describeCost({
    costUsd: summary.costUsd,
    paid: summary.chatRequests,
    unpriced: summary.unpricedRequests,
  });
  log(
    `model requests ${summary.chatRequests}, cost ${cost}, ${(summary.wallMs / 1000).toFixed(0)} s${
      summary.resumed > 0 ? ` (this process; resumed ${summary.resumed} time(s))` : ""
    }`,
  );
  for (const sentence of summary.repliesWithoutAnswer) log(`note: ${sentence}`);
  const retries = describeRetries(summary.retries);
  if (retries !== undefined) log(retries);
  const spec = summary.speculative;
  if (spec.evaluations > 0) {
    log(
      `speculative: ${spec.chatRequests} calls, ${
        describeCost({ costUsd: spec.costUsd, paid: spec.paid, unpriced: spec.unpriced })
      }, used: ${spec.chatRequestsUsed} (${spec.evaluationsUsed} of ${spec.evaluations} prefetched meta-utility evaluations)`,
    );
  }
  const kinds = Object.entries(summary.audit);
  log(
    `audit: ${
      kinds.length === 0 ? "no events" : kinds.map(([k, n]) => `${k} ${n}`).join(", ")
    } (deno task stop audit ${summary.runDir})`,
  );
  log(`best improver: ${summary.best.improver} (val ${pct(summary.best.metaUtility.val)})`);
}

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
  if (values.resume !== undefined) {
    const given = SHAPING.filter((name) => (values as Record<string, unknown>)[name] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `Cannot resume with --${given[0]}: a resumed run keeps the options in its config.json`,
      );
    }
    const { dir, config } = await readSelfImproveRun(values.resume, { finished: false });
    await keepDenoPermissionAudit(dir);
    const summary = await executeSelfImprove({
      dir,
      config,
      flags: configModelFlags(config, false),
      log,
      resuming: true,
    });
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
      { action: "self-improve", name: "time-scale", min: 0, exclusiveMin: true },
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
  const dir = await createRunDir("self-improve", { ...config });
  const summary = await executeSelfImprove({ dir, config, flags, log, resuming: false });
  if (values.json) printJson(summary);
  return 0;
}
