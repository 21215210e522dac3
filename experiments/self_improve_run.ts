/**
 * A self-improvement run on disk: R independent runs of the STOP loop on LPN, written to a
 * run directory as they go (event log, improvers by iteration, audit, ledger, cache), and
 * resumable after a kill at any moment. The command line (`self_improve_command.ts`) and
 * `stop replay` are thin layers over {@linkcode runSelfImprove}.
 *
 * @module
 */
import { type AuditLog, countByKind } from "../sandbox/audit_log.ts";
import {
  ConcurrencyLimiter,
  countReplyFates,
  countRetries,
  createLanguageModel,
  describeReplyFates,
  type EndpointRetries,
  type LedgerRecord,
  type ModelGateway,
  readLedger,
  type ReplyFates,
} from "../lm/mod.ts";
import { runImprover } from "../improvers/run_improver.ts";
import { type IterationRecord, selfImprove } from "../improvers/self_improve.ts";
import { analyzeStrategy, strategyProportions } from "../analysis/strategy.ts";
import { MetaUtility } from "../utilities/meta_utility.ts";
import type { EvaluationMemo } from "../utilities/utility.ts";
import type { EvaluationService } from "../utilities/evaluation_service.ts";
import type { InstanceMode } from "../utilities/instance_salt.ts";
import { getTask } from "../utilities/tasks.ts";
import type { EventLog, RunEvent } from "./event_log.ts";
import { readAuditLog } from "./audit_summary.ts";
import { splitJsonl } from "../common/jsonl_file.ts";
import { orderFreeSum } from "../common/order_free_sum.ts";
import type { RunDir } from "./run_dir.ts";
import { meanSe } from "./stats.ts";

/** Everything that shapes a self-improvement run (stored as the run's `config.json`). */
export interface SelfImproveConfig {
  /** The meta-optimisation task (only `lpn`, as in the paper). */
  task: "lpn";
  /** Iterations T. */
  iterations: number;
  /** Independent runs R. */
  runs: number;
  /** Replies per model call. */
  responses: number;
  /** Model calls per improver run. */
  lmBudget: number;
  /** Downstream utility calls per improver run. */
  utilityBudget: number;
  /** Meta-utility calls per iteration. */
  metaBudget: number;
  /** Improver runs per meta-utility evaluation. */
  metaTests: number;
  /** Multiplies every task time limit. */
  timeScale: number;
  /** Downstream evaluations in flight at once (each holds a sandbox and a core). */
  sandboxes: number;
  /** Start scoring each model reply's code as soon as it arrives. */
  prefetch: boolean;
  /** The model (`offline` or undefined is the stand-in). */
  model: string | undefined;
  /** The endpoint, if any. */
  baseUrl: string | undefined;
  /** Seed of the stand-in, the sandbox and sampling. */
  seed: number;
  /** Spend cap in dollars, if any. */
  maxCostUsd: number | undefined;
  /** HTTP requests in flight at once. */
  maxRequests: number;
  /** Where instances come from (`utilities/instance_salt.ts`): the paper's seeds or secret ones. */
  instances: InstanceMode;
  /** The secret salt, with `instances: "secret"` (host-side only; resume and replay read it). */
  instanceSalt: string | undefined;
}

/** The paper's budgets, and this machine's parallelism. */
export const DEFAULT_SELF_IMPROVE_CONFIG: SelfImproveConfig = {
  task: "lpn",
  iterations: 3,
  runs: 1,
  responses: 6,
  lmBudget: 4,
  utilityBudget: 25,
  metaBudget: 25,
  metaTests: 5,
  timeScale: 1,
  sandboxes: Math.max(1, navigator.hardwareConcurrency ?? 2),
  prefetch: true,
  model: undefined,
  baseUrl: undefined,
  seed: 0,
  maxCostUsd: undefined,
  maxRequests: 8,
  instances: "public",
  instanceSalt: undefined,
};

/** A pair of meta-utility scores. */
export interface Scores {
  val: number;
  test: number;
}

/** One row of the paper-style table: iteration t over all runs. */
export interface IterationSummary {
  t: number;
  /** Runs whose proposal was accepted at t (all of them at t = 0, the seed). */
  accepted: number;
  /** Mean over runs of the kept improver's meta-utility. */
  metaUtility: Scores;
  /** Standard error of those means. */
  se: Scores;
  /** The most common main strategy of the kept improvers (over runs). */
  strategy: string;
  /** Share of the kept improvers (one per run) by main strategy (labels with a share > 0). */
  strategies: Record<string, number>;
  /** Share of the improvers proposed at t (one per run that proposed one) by main strategy. */
  proposedStrategies: Record<string, number>;
  /** Distinct model requests answered for this iteration, over all runs. */
  chatRequests: number;
  /** Dollars paid for this iteration's requests, over all runs (every process of a resumed run). */
  costUsd: number;
}

/** One step of one run's lineage. */
export interface LineageEntry {
  run: number;
  t: number;
  accepted: boolean;
  reason: string;
  /** Meta-utility of the improver kept after t. */
  metaUtility: Scores;
  /** Meta-utility of the proposal, when it was scored. */
  candidateMetaUtility?: Scores;
  /** The kept improver, relative to the run directory. */
  improver: string;
  /** The proposal, relative to the run directory, when there was one. */
  candidate?: string;
  /** Main strategy of the proposal (of the seed at t = 0), by static analysis. */
  strategy: string;
}

/** `summary.json` of a self-improvement run. */
export interface SelfImproveSummary {
  command: "self-improve";
  runDir: string;
  /** Whether the offline stand-in (not a language model) answered. */
  standIn: boolean;
  model: string;
  runs: number;
  iterations: IterationSummary[];
  lineage: LineageEntry[];
  /** The accepted improver with the highest val meta-utility (the seed if none was accepted). */
  best: { run: number; t: number; improver: string; metaUtility: Scores };
  /** Distinct model requests answered, over the whole run. */
  chatRequests: number;
  /** Dollars paid, over the whole run (requests of unpriced models count 0; see `unpricedRequests`). */
  costUsd: number;
  /** Paid requests whose cost is unknown (no price for the model, none reported). */
  unpricedRequests: number;
  /** Replies whose fate is known, and those that carried no answer, by reason. */
  replies: ReplyFates;
  /** The same, for people: e.g. "3 of 24 replies were cut by the token limit". */
  repliesWithoutAnswer: string[];
  /** Transient endpoint failures the client retried (429, 5xx, timeouts), by kind. */
  retries: EndpointRetries;
  /**
   * The part of `chatRequests` and `costUsd` spent by speculative (prefetched) meta-utility
   * evaluations, and how much of it a later meta-utility call used; at most the prefetch
   * limit's worth per iteration (see `DEFAULT_PREFETCH_LIMIT`).
   */
  speculative: {
    evaluations: number;
    evaluationsUsed: number;
    chatRequests: number;
    chatRequestsUsed: number;
    costUsd: number;
    costUsdUsed: number;
    /** Paid speculative requests, and those of them whose cost is unknown (not in `costUsd`). */
    paid: number;
    unpriced: number;
  };
  /** Audit events by kind. */
  audit: Record<string, number>;
  /** Wall time of this process's part of the run. */
  wallMs: number;
  /** How many times the run was resumed after a kill. */
  resumed: number;
}

/** Options of {@linkcode runSelfImprove}. */
export interface RunSelfImproveOptions {
  /** The run's configuration. */
  config: SelfImproveConfig;
  /** The run directory (created, with `config.json`). */
  dir: RunDir;
  /** The model gateway (ledger and cache in the run directory). */
  gateway: ModelGateway;
  /** The run's event log (opened on `events.jsonl`; loaded events mean "resume"). */
  events: EventLog;
  /**
   * The run's audit log on `audit.jsonl` (when resuming, opened after
   * {@linkcode prepareResume}).
   */
  audit: AuditLog;
  /** Told about every event after it is on disk. */
  onEvent?: (event: RunEvent) => void;
  /** The seed improver's source. @default {improvers/programs/seed_improver.ts} */
  seedImprover?: string;
  /**
   * Runs every leaf evaluation (a job queue, `--queue`); same numbers as local sandboxes.
   * @default {this process's sandboxes, at most `config.sandboxes` at once}
   */
  evaluations?: EvaluationService;
}

const improverFile = (r: number, t: number) => `improvers/run${r}-t${t}.ts`;
const candidateFile = (r: number, t: number) => `improvers/run${r}-t${t}-candidate.ts`;

/** Writes a file and waits until its data is on disk. */
async function writeDurable(path: string, text: string): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const bytes = new TextEncoder().encode(text);
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
  await file.syncData();
}

/** An error in a run directory that makes it impossible to continue. */
export class CorruptRunError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "CorruptRunError";
  }
}

/**
 * Rebuilds each run's completed iterations from the event log (and the improver files the
 * log points to), checking that they form an unbroken sequence.
 */
async function completedRecords(
  dir: string,
  events: readonly RunEvent[],
  runs: number,
  seed: string,
): Promise<IterationRecord[][]> {
  const out: IterationRecord[][] = Array.from({ length: runs }, () => []);
  for (const e of events) {
    if (e.type !== "baseline" && e.type !== "iteration-end") continue;
    const r = e.run, t = e.t;
    if (typeof r !== "number" || typeof t !== "number" || r < 0 || r >= runs) {
      throw new CorruptRunError(`Cannot resume as the event log has an event for run ${r}`);
    }
    const records = out[r]!;
    if (t !== records.length) {
      throw new CorruptRunError(
        `Cannot resume as run ${r}'s iterations in the event log are out of order: expected t = ${records.length}, found t = ${t}`,
      );
    }
    let improver = seed;
    if (t > 0) {
      try {
        improver = await Deno.readTextFile(`${dir}/${improverFile(r, t)}`);
      } catch {
        throw new CorruptRunError(
          `Cannot resume as ${improverFile(r, t)}, which the event log names, is missing`,
        );
      }
    }
    const m = e.metaUtility as Scores | undefined;
    if (typeof m?.val !== "number" || typeof m?.test !== "number") {
      throw new CorruptRunError(
        `Cannot resume as run ${r} t = ${t} in the event log has no scores`,
      );
    }
    records.push({
      t,
      accepted: t === 0 ? true : e.accepted === true,
      reason: t === 0 ? "seed improver" : String(e.reason),
      metaUtility: { val: m.val, test: m.test },
      improver,
    });
  }
  return out;
}

/**
 * Keeps the first `lines` complete lines of the audit log (those written before the last
 * completed step) and moves the rest, the events of work that will be done again, to
 * `audit.set-aside.jsonl`, so that nothing is lost and nothing is counted twice.
 */
async function trimAuditLog(dir: string, lines: number): Promise<void> {
  const path = `${dir}/audit.jsonl`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return;
  }
  // Complete lines only count (common/jsonl_file.ts); a line torn by a kill is set aside too.
  const { lines: complete, torn } = splitJsonl(text);
  if (complete.length <= lines && torn === undefined) return;
  const kept = complete.slice(0, lines).map((l) => l.text);
  const moved = [
    ...complete.slice(lines).map((l) => l.text),
    ...(torn === undefined ? [] : [torn]),
  ];
  await Deno.writeTextFile(`${dir}/audit.set-aside.jsonl`, moved.join("\n") + "\n", {
    append: true,
  });
  await writeDurable(path, kept.length === 0 ? "" : kept.join("\n") + "\n");
}

async function countLines(path: string): Promise<number> {
  try {
    return splitJsonl(await Deno.readTextFile(path)).lines.length;
  } catch {
    return 0;
  }
}

/** Requests answered and dollars paid per `r<run>/t<t>/` scope prefix, over every process. */
function usageByIteration(
  records: readonly LedgerRecord[],
): Map<string, { requests: number; usd: number }> {
  const answered = new Map<string, Set<string>>();
  const usd = new Map<string, number[]>(); // added apart from the ledger's order (orderFreeSum)
  for (const rec of records) {
    const match = /^r(\d+)\/t(\d+)\//.exec(rec.scope ?? "");
    if (match === null) continue;
    const key = `${match[1]}/${match[2]}`;
    const ok = (rec.kind === "completion" && rec.error === null) || rec.kind === "cache_hit";
    if (ok) {
      const set = answered.get(key) ?? new Set<string>();
      set.add(`${rec.requestHash}#${rec.occurrence}`);
      answered.set(key, set);
    }
    if (rec.kind === "completion") {
      const costs = usd.get(key) ?? [];
      costs.push(rec.costUsd ?? 0);
      usd.set(key, costs);
    }
  }
  const out = new Map<string, { requests: number; usd: number }>();
  for (const key of new Set([...answered.keys(), ...usd.keys()])) {
    out.set(key, { requests: answered.get(key)?.size ?? 0, usd: orderFreeSum(usd.get(key) ?? []) });
  }
  return out;
}

/**
 * What speculative meta-utility evaluations cost: the ledger's answered requests and dollars
 * under each speculative evaluation's model scopes (`r<run>/t<t>/e<key>/`), as listed by the
 * iteration-end events, split by whether a meta-utility call used the evaluation. Paid
 * requests whose price is unknown are counted apart (`unpriced`), never as $0.
 *
 * @param records The run's ledger.
 * @param events The run's events.
 * @returns The speculative part of the run's usage.
 */
export function speculativeUsage(
  records: readonly LedgerRecord[],
  events: readonly RunEvent[],
): SelfImproveSummary["speculative"] {
  const used = new Map<string, boolean>(); // scope prefix -> used
  for (const e of events) {
    if (e.type !== "iteration-end") continue;
    const keys = (e.speculation as { keys?: unknown } | undefined)?.keys;
    if (!Array.isArray(keys)) continue;
    for (const k of keys as { key?: unknown; used?: unknown }[]) {
      if (typeof k?.key === "string") {
        used.set(`r${e.run ?? 0}/t${e.t}/e${k.key}/`, k.used === true);
      }
    }
  }
  const out = {
    evaluations: used.size,
    evaluationsUsed: [...used.values()].filter(Boolean).length,
    chatRequests: 0,
    chatRequestsUsed: 0,
    costUsd: 0,
    costUsdUsed: 0,
    paid: 0,
    unpriced: 0,
  };
  if (used.size === 0) return out;
  const answered = new Set<string>();
  const costs: number[] = [], costsUsed: number[] = [];
  for (const rec of records) {
    const m = /^(r\d+\/t\d+\/e[^/]+\/)/.exec(rec.scope ?? "");
    const wasUsed = m === null ? undefined : used.get(m[1]!);
    if (wasUsed === undefined) continue;
    const ok = (rec.kind === "completion" && rec.error === null) || rec.kind === "cache_hit";
    const id = `${rec.scope}#${rec.requestHash}#${rec.occurrence}`;
    if (ok && !answered.has(id)) {
      answered.add(id);
      out.chatRequests++;
      if (wasUsed) out.chatRequestsUsed++;
    }
    if (rec.kind === "completion") {
      if (rec.error === null) {
        out.paid++;
        if (rec.costUsd === null) out.unpriced++;
      }
      costs.push(rec.costUsd ?? 0);
      if (wasUsed) costsUsed.push(rec.costUsd ?? 0);
    }
  }
  out.costUsd = orderFreeSum(costs);
  out.costUsdUsed = orderFreeSum(costsUsed);
  return out;
}

/**
 * Gets a killed run's directory ready to continue: the audit events written after the last
 * completed step (they belong to work that will be done again) are moved from `audit.jsonl`
 * to `audit.set-aside.jsonl`, so that nothing is lost and nothing is counted twice. Call it
 * before opening the run's audit log.
 *
 * @param dir The run directory.
 * @param events The run's event log, as loaded.
 */
export async function prepareResume(dir: RunDir, events: EventLog): Promise<void> {
  const boundary = [...events.events].reverse().find((e) =>
    e.type === "baseline" || e.type === "iteration-end"
  );
  await trimAuditLog(dir.path, typeof boundary?.auditLines === "number" ? boundary.auditLines : 0);
}

/**
 * Runs (or, when the event log already holds events, resumes) a self-improvement run.
 *
 * Completed iterations are read back from the run directory and not run again; an iteration
 * that was under way when the process died is run again from its start, and every model
 * call it had completed is answered from the cache (same scope, same occurrence), so nothing
 * paid is paid twice and the result is the one an uninterrupted run gives.
 *
 * @param options The configuration, run directory, gateway and event log.
 * @returns The summary, also written to `summary.json`.
 * @throws {CorruptRunError} When the run directory's event log or files do not fit together.
 */
export async function runSelfImprove(options: RunSelfImproveOptions): Promise<SelfImproveSummary> {
  const { config, dir, gateway, events } = options;
  const started = performance.now();
  const seedImprover = options.seedImprover ??
    await Deno.readTextFile(new URL("../improvers/programs/seed_improver.ts", import.meta.url));
  const previous = events.events;
  const resumed = previous.filter((e) => e.type === "resumed").length +
    (previous.length > 0 ? 1 : 0);
  const done = await completedRecords(dir.path, previous, config.runs, seedImprover);
  const audit = options.audit;
  // Lines, not events: a record may stand for several events (`count`), and resume keeps lines.
  const auditBefore = (await countLines(`${dir.path}/audit.jsonl`)) - audit.events.length;
  const emit = async (event: { type: string; [k: string]: unknown }) => {
    if (await events.append(event)) options.onEvent?.(events.events[events.events.length - 1]!);
  };
  if (previous.length > 0) {
    await emit({ type: "resumed", afterEvents: previous.length });
  } else {
    await emit({ type: "started", runs: config.runs, iterations: config.iterations });
  }
  await Deno.mkdir(`${dir.path}/improvers`, { recursive: true });

  const task = getTask("lpn");
  const limiter = new ConcurrencyLimiter(config.sandboxes);
  const allRecords: IterationRecord[][] = [];
  for (let r = 0; r < config.runs; r++) {
    const records = await selfImprove(seedImprover, {
      iterations: config.iterations,
      done: done[r]!,
      metaUtility: (t) =>
        new MetaUtility({
          task,
          budget: config.metaBudget,
          runs: config.metaTests,
          utilityBudget: config.utilityBudget,
          lmBudget: config.lmBudget,
          responsesPerCall: config.responses,
          timeScale: config.timeScale,
          audit,
          limiter,
          // One memo per iteration: a resumed iteration then runs exactly as it first did.
          memo: new Map() as EvaluationMemo,
          ...(options.evaluations === undefined ? {} : { evaluations: options.evaluations }),
          ...(config.instanceSalt === undefined ? {} : { instanceSalt: config.instanceSalt }),
          makeModel: ({ key, run }) =>
            createLanguageModel(gateway, {
              budget: config.lmBudget,
              maxResponsesPerCall: config.responses,
              audit,
              scope: `r${r}/t${t}/e${key}/run${run}`,
            }),
          runImprover: (improver, initial, { utility, model, run }) =>
            runImprover(improver, initial, {
              utility,
              model,
              audit,
              seed: config.seed + run,
              prefetch: config.prefetch,
            }),
        }),
      model: (t) =>
        createLanguageModel(gateway, {
          budget: config.lmBudget,
          maxResponsesPerCall: config.responses,
          audit,
          scope: `r${r}/t${t}/outer`,
        }),
      runImprover: (improver, initial, { utility, model }) =>
        runImprover(improver, initial, {
          utility,
          model,
          audit,
          seed: config.seed,
          prefetch: config.prefetch,
        }),
      onEvent: async (event) => {
        if (event.type === "baseline") {
          await emit({
            run: r,
            ...event,
            improver: improverFile(r, 0),
            auditLines: auditBefore + audit.events.length,
          });
          await writeDurable(`${dir.path}/${improverFile(r, 0)}`, seedImprover);
        } else if (event.type === "iteration-start") {
          await emit({ run: r, ...event });
        } else {
          // Files first, then the event that points to them: a kill in between leaves an
          // iteration that is simply run again.
          if (event.candidate !== undefined) {
            await writeDurable(`${dir.path}/${candidateFile(r, event.t)}`, event.candidate);
          }
          await writeDurable(`${dir.path}/${improverFile(r, event.t)}`, event.improver);
          const { candidate, improver: _source, ...rest } = event;
          await emit({
            run: r,
            ...rest,
            improver: improverFile(r, event.t),
            ...(candidate === undefined ? {} : { candidate: candidateFile(r, event.t) }),
            auditLines: auditBefore + audit.events.length,
          });
        }
      },
    });
    await emit({ type: "run-end", run: r, t: config.iterations });
    allRecords.push(records);
  }

  const summary = await summarize({
    config,
    dir,
    gateway,
    events: events.events,
    records: allRecords,
    wallMs: performance.now() - started,
    resumed,
  });
  await writeDurable(`${dir.path}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
  await emit({ type: "finished" });
  return summary;
}

async function summarize(input: {
  config: SelfImproveConfig;
  dir: RunDir;
  gateway: ModelGateway;
  events: readonly RunEvent[];
  records: IterationRecord[][];
  wallMs: number;
  resumed: number;
}): Promise<SelfImproveSummary> {
  const { config, dir, records } = input;
  const ledger = await readLedger(`${dir.path}/ledger.jsonl`);
  const usage = usageByIteration(ledger);
  const proposals: string[][] = Array.from({ length: config.iterations + 1 }, () => []);
  for (const [r, rs] of records.entries()) {
    for (const rec of rs) {
      if (rec.t === 0) continue;
      try {
        proposals[rec.t]!.push(await Deno.readTextFile(`${dir.path}/${candidateFile(r, rec.t)}`));
      } catch {
        // no proposal this iteration (the improver failed)
      }
    }
  }
  const nonZero = (shares: Record<string, number>) =>
    Object.fromEntries(Object.entries(shares).filter(([, v]) => v > 0));
  const kept = strategyProportions(
    Array.from({ length: config.iterations + 1 }, (_, t) => records.map((rs) => rs[t]!.improver)),
  );
  const proposed = strategyProportions(proposals);
  const iterations: IterationSummary[] = Array.from({ length: config.iterations + 1 }, (_, t) => {
    const rows = records.map((rs) => rs[t]!);
    const val = meanSe(rows.map((x) => x.metaUtility.val));
    const test = meanSe(rows.map((x) => x.metaUtility.test));
    let chatRequests = 0, costUsd = 0;
    for (let r = 0; r < records.length; r++) {
      chatRequests += usage.get(`${r}/${t}`)?.requests ?? 0;
      costUsd += usage.get(`${r}/${t}`)?.usd ?? 0;
    }
    return {
      t,
      accepted: rows.filter((x) => x.accepted).length,
      metaUtility: { val: val.mean, test: test.mean },
      se: { val: val.se, test: test.se },
      strategy: Object.entries(kept[t]!.main).reduce((a, b) => b[1] > a[1] ? b : a)[0],
      strategies: nonZero(kept[t]!.main),
      proposedStrategies: nonZero(proposed[t]!.main),
      chatRequests,
      costUsd,
    };
  });
  const ends = new Map<string, RunEvent>();
  for (const e of input.events) if (e.type === "iteration-end") ends.set(`${e.run}/${e.t}`, e);
  const lineage: LineageEntry[] = [];
  for (const [r, rs] of records.entries()) {
    for (const rec of rs) {
      const end = ends.get(`${r}/${rec.t}`);
      const candidateScore = end?.candidateMetaUtility as Scores | undefined;
      lineage.push({
        run: r,
        t: rec.t,
        accepted: rec.accepted,
        reason: rec.reason,
        metaUtility: rec.metaUtility,
        ...(candidateScore === undefined ? {} : { candidateMetaUtility: candidateScore }),
        improver: improverFile(r, rec.t),
        ...(typeof end?.candidate === "string" ? { candidate: end.candidate } : {}),
        strategy: analyzeStrategy(
          typeof end?.candidate === "string"
            ? await Deno.readTextFile(`${dir.path}/${end.candidate}`)
            : rec.improver,
        ).main,
      });
    }
  }
  let best = lineage[0]!;
  for (const entry of lineage) {
    if (entry.accepted && entry.metaUtility.val > best.metaUtility.val) best = entry;
  }
  // In AUDIT_KINDS order: the log's order is the order concurrent evaluations finished in.
  const auditCounts = countByKind((await readAuditLog(dir.path)).events);
  let chatRequests = 0;
  for (const u of usage.values()) chatRequests += u.requests;
  const costUsd = orderFreeSum([...usage.values()].map((u) => u.usd));
  const replies = countReplyFates(ledger);
  const unpricedRequests =
    ledger.filter((rec) => rec.kind === "completion" && rec.error === null && rec.costUsd === null)
      .length;
  const speculative = speculativeUsage(ledger, input.events);
  return {
    command: "self-improve",
    runDir: dir.path,
    standIn: input.gateway.standIn,
    model: input.gateway.model,
    runs: config.runs,
    iterations,
    lineage,
    best: { run: best.run, t: best.t, improver: best.improver, metaUtility: best.metaUtility },
    chatRequests,
    costUsd,
    unpricedRequests,
    replies,
    repliesWithoutAnswer: describeReplyFates(replies),
    retries: countRetries(ledger),
    speculative,
    audit: auditCounts,
    wallMs: input.wallMs,
    resumed: input.resumed,
  };
}
