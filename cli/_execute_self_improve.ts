/**
 * A self-improvement run executed in its directory with a live status line: the cost
 * forecast, progress, the paper-style table and the report at the end. The command line
 * (`self_improve_command.ts`) and `stop replay` call it.
 *
 * @module
 */
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
import { keepDenoPermissionAudit, type RunDir } from "../experiments/run_dir.ts";
import {
  modelBannerLine,
  type ModelFlags,
  openGateway,
  standInNumbersNote,
} from "./model_flags.ts";
import { note, paint, UsageError } from "./_terminal.ts";
import { EventLog, type RunEvent } from "../experiments/event_log.ts";
import { describeEvaluations, StatusLine } from "./_progress.ts";
import type { EvaluationService } from "../utilities/evaluation_service.ts";
import { reportAtEnd } from "../report/report.ts";
import {
  CorruptRunError,
  prepareResume,
  runSelfImprove,
  type SelfImproveConfig,
  type SelfImproveSummary,
} from "../experiments/self_improve_run.ts";

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
  /** Runs every leaf evaluation (`--queue`). @default {local sandboxes} */
  evaluations?: EvaluationService;
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
    log(modelBannerLine({ banner, standIn }));
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
      const queued = describeEvaluations(input.evaluations);
      status.set(
        `${where}${kept} · model requests ${ledger.answered} (cached ${ledger.cacheHits}) · ${spent}${
          queued === undefined ? "" : ` · ${queued}`
        } · audit ${audit.count()}`,
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
      summary = await runSelfImprove({
        config,
        dir,
        gateway,
        events,
        audit,
        onEvent,
        ...(input.evaluations === undefined ? {} : { evaluations: input.evaluations }),
      });
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
