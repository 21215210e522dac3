/**
 * Reading a run directory into the plain data the report renders: the config, the summary in
 * the shape of its command (self-improve, transfer, sandbox-audit, anything else), the audit
 * log counted by kind, and the improver sources of the lineage with their diffs. Everything in
 * a run directory is treated as untrusted input: fields are checked once here, malformed ones
 * are dropped with a warning, and only files inside the run directory are read.
 *
 * @module
 */
import { readAuditLog } from "../experiments/audit_summary.ts";
import {
  type PermissionLogSummary,
  summarizePermissionLog,
} from "../experiments/permission_log.ts";
import { type AuditEvent, byContent, eventsIn } from "../sandbox/audit_log.ts";
import { type LineDiff, lineDiff } from "./_diff.ts";

/** Which report layout a run gets. */
export type RunKind = "self-improve" | "transfer" | "sandbox-audit" | "other";

/** A value on the two splits. */
export interface Splits {
  val: number;
  test: number;
}

/** One row of the self-improvement table (mean ± SE over runs at iteration `t`). */
export interface IterationRow {
  t: number;
  /** Runs whose proposal at `t` was accepted (T = 0 is the seed improver). */
  accepted?: number;
  metaUtility: Splits;
  se: Splits;
  strategy?: string;
  chatRequests?: number;
  costUsd?: number;
}

/** One step of one run's improver lineage. */
export interface LineageRow {
  run: number;
  t: number;
  accepted: boolean;
  reason: string;
  /** Meta-utility of the improver kept after `t`. */
  metaUtility?: Splits;
  /** Meta-utility of the proposal, if it was scored. */
  candidateMetaUtility?: Splits;
  /** Kept improver, relative to the run directory. */
  improver?: string;
  /** The proposal, relative to the run directory. */
  candidate?: string;
  /**
   * For an accepted step, the kept improver against the previous kept one; for a rejected step,
   * the proposal against the improver it would have replaced. Absent when a file is missing.
   */
  diff?: { from: string; to: string; diff: LineDiff };
}

/** Mean ± SE over runs. */
export interface Estimate {
  mean: number;
  se: number;
  n?: number;
}

/** One task of the transfer table. */
export interface TransferRow {
  task: string;
  title: string;
  seed: Estimate;
  seedImprover: Estimate;
  improvedImprover: Estimate;
  paper?: { seed: number; seedImprover: number; improvedImprover: number };
}

/** A rate with its 95% interval, as the paper reports it. */
export interface PaperRate {
  model: string;
  rate: number;
  ci95: [number, number];
}

/** One cell of the sandbox-circumvention table. */
export interface SandboxCell {
  warning: boolean;
  attempts: number;
  unsandboxed: { static?: number; dynamic?: number; either: number };
  /** Static verdicts and how many undecided ones the dynamic check found unsandboxing. */
  verdicts?: { off: number; on: number; undecided: number; settledUnsandboxing: number };
  rate: number;
  ci95: [number, number];
  paper: PaperRate[];
}

/** The audit log counted. */
export interface AuditSummary {
  /** Where the counts come from. */
  source: "audit.jsonl" | "summary.json" | "none";
  total: number;
  /** Unreadable lines skipped in `audit.jsonl`. */
  skipped: number;
  byKind: [kind: string, count: number][];
  /**
   * The programs with the most events (content hash or "(host)"), at most ten; ties by program,
   * never by the log's order.
   */
  byProgram: [program: string, count: number][];
  /**
   * One event of each kind, for context: the first by content (`byContent`), so that the order
   * in which concurrent evaluations finished and wrote the log never changes it.
   */
  examples: { kind: string; program: string; detail: string }[];
}

/** Everything the report shows of one run. */
export interface ReportData {
  /** Absolute path of the run directory. */
  runDir: string;
  /** The directory's name. */
  id: string;
  /** `config.json`'s `command`. */
  command: string;
  kind: RunKind;
  config: Record<string, unknown>;
  /** `summary.json` as stored, when the run finished (used for the "other" layout). */
  summary?: Record<string, unknown>;
  /** True / false when recorded; undefined when the run does not say. */
  standIn: boolean | undefined;
  model?: string;
  costUsd?: number;
  /** Paid requests of unknown cost (the cost shows as unknown, never $0). */
  unpricedRequests?: number;
  /** Replies that carried no answer, as sentences ("3 of 24 replies were cut by the token limit"). */
  repliesWithoutAnswer?: string[];
  chatRequests?: number;
  wallMs?: number;
  /** Top-level entries of the run directory (folders end in "/"). */
  files: string[];
  selfImprove?: {
    runs?: number;
    iterations: IterationRow[];
    lineage: LineageRow[];
    best?: { run: number; t: number; improver?: string; metaUtility?: Splits };
  };
  transfer?: {
    runs?: number;
    improved?: { from?: string; improver?: string };
    rows: TransferRow[];
  };
  sandboxAudit?: { cells: SandboxCell[] };
  audit: AuditSummary;
  /** Deno's permission log of the run against its declared permissions, when it has one. */
  permissionLog?: PermissionLogSummary;
  /** What was found malformed and left out. */
  warnings: string[];
}

/** Largest source file read for a diff. */
const MAX_SOURCE_BYTES = 512 * 1024;

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const num = (x: unknown): number | undefined =>
  typeof x === "number" && Number.isFinite(x) ? x : undefined;
const str = (x: unknown): string | undefined => typeof x === "string" ? x : undefined;
const int = (x: unknown): number | undefined => {
  const n = num(x);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
};

function splits(x: unknown): Splits | undefined {
  if (!isObject(x)) return undefined;
  const val = num(x.val), test = num(x.test);
  return val === undefined || test === undefined ? undefined : { val, test };
}

function estimate(x: unknown): Estimate | undefined {
  if (!isObject(x)) return undefined;
  const mean = num(x.mean);
  if (mean === undefined) return undefined;
  const n = int(x.n);
  return { mean, se: num(x.se) ?? 0, ...(n === undefined ? {} : { n }) };
}

function interval(x: unknown): [number, number] | undefined {
  if (!Array.isArray(x) || x.length !== 2) return undefined;
  const lo = num(x[0]), hi = num(x[1]);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

async function readJsonObject(path: string, name: string): Promise<Json | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot report on the run as its ${name} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (!isObject(value)) {
    throw new Error(
      `Cannot report on the run as its ${name} is not a JSON object: current value is ${
        JSON.stringify(value).slice(0, 80)
      }`,
    );
  }
  return value;
}

/**
 * Resolves a path named by the run's own files, refusing anything outside the run directory.
 *
 * @returns The absolute path, or undefined when the name is absolute or climbs out.
 */
function insideRun(runDir: string, relative: string): string | undefined {
  if (relative === "" || relative.startsWith("/") || relative.includes("\0")) return undefined;
  const parts = relative.split(/[\\/]/);
  if (parts.some((p) => p === ".." || p === "")) return undefined;
  return `${runDir}/${parts.join("/")}`;
}

async function readSource(runDir: string, relative: string | undefined): Promise<
  string | undefined
> {
  if (relative === undefined) return undefined;
  const path = insideRun(runDir, relative);
  if (path === undefined) return undefined;
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile || info.size > MAX_SOURCE_BYTES) return undefined;
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

function parseIterations(summary: Json, warnings: string[]): IterationRow[] {
  const rows: IterationRow[] = [];
  const list = Array.isArray(summary.iterations) ? summary.iterations : [];
  list.forEach((x, i) => {
    const t = isObject(x) ? int(x.t) : undefined;
    const mu = isObject(x) ? splits(x.metaUtility) : undefined;
    if (!isObject(x) || t === undefined || mu === undefined) {
      warnings.push(`summary.json iterations[${i}] has no t or meta-utility: left out`);
      return;
    }
    const accepted = int(x.accepted), chatRequests = num(x.chatRequests), costUsd = num(x.costUsd);
    const strategy = str(x.strategy);
    rows.push({
      t,
      metaUtility: mu,
      se: splits(x.se) ?? { val: 0, test: 0 },
      ...(accepted === undefined ? {} : { accepted }),
      ...(strategy === undefined ? {} : { strategy }),
      ...(chatRequests === undefined ? {} : { chatRequests }),
      ...(costUsd === undefined ? {} : { costUsd }),
    });
  });
  return rows.sort((a, b) => a.t - b.t);
}

async function parseLineage(
  runDir: string,
  summary: Json,
  warnings: string[],
): Promise<LineageRow[]> {
  const rows: LineageRow[] = [];
  const list = Array.isArray(summary.lineage) ? summary.lineage : [];
  list.forEach((x, i) => {
    const run = isObject(x) ? int(x.run) : undefined;
    const t = isObject(x) ? int(x.t) : undefined;
    if (!isObject(x) || run === undefined || t === undefined || typeof x.accepted !== "boolean") {
      warnings.push(`summary.json lineage[${i}] has no run, t or accepted: left out`);
      return;
    }
    const metaUtility = splits(x.metaUtility),
      candidateMetaUtility = splits(x.candidateMetaUtility);
    const improver = str(x.improver), candidate = str(x.candidate);
    rows.push({
      run,
      t,
      accepted: x.accepted,
      reason: str(x.reason) ?? "",
      ...(metaUtility === undefined ? {} : { metaUtility }),
      ...(candidateMetaUtility === undefined ? {} : { candidateMetaUtility }),
      ...(improver === undefined ? {} : { improver }),
      ...(candidate === undefined ? {} : { candidate }),
    });
  });
  rows.sort((a, b) => a.run - b.run || a.t - b.t);
  // Diffs: walk each run in order, tracking the improver kept so far (T = 0: the seed improver,
  // stored as improvers/run<r>-t0.ts by self-improve).
  const keptByRun = new Map<number, { path: string; source: string | undefined }>();
  for (const row of rows) {
    if (!keptByRun.has(row.run)) {
      const path = `improvers/run${row.run}-t0.ts`;
      keptByRun.set(row.run, { path, source: await readSource(runDir, path) });
    }
    const kept = keptByRun.get(row.run)!;
    const target = row.accepted ? row.improver : row.candidate;
    const source = await readSource(runDir, target);
    if (
      kept.source !== undefined && source !== undefined && target !== undefined &&
      target !== kept.path // T = 0 names the seed improver itself
    ) {
      row.diff = { from: kept.path, to: target, diff: lineDiff(kept.source, source) };
    }
    if (row.accepted && row.improver !== undefined) {
      keptByRun.set(row.run, { path: row.improver, source });
    }
  }
  return rows;
}

function parsePaperRates(x: unknown): PaperRate[] {
  const list = Array.isArray(x) ? x : x === undefined ? [] : [x];
  const out: PaperRate[] = [];
  for (const p of list) {
    if (!isObject(p)) continue;
    const rate = num(p.rate), ci95 = interval(p.ci95);
    if (rate === undefined || ci95 === undefined) continue;
    out.push({ model: str(p.model) ?? "paper", rate, ci95 });
  }
  return out;
}

function parseTransfer(summary: Json, warnings: string[]): NonNullable<ReportData["transfer"]> {
  const rows: TransferRow[] = [];
  const list = Array.isArray(summary.rows) ? summary.rows : [];
  list.forEach((x, i) => {
    if (!isObject(x)) return void warnings.push(`summary.json rows[${i}] is not an object`);
    const task = str(x.task);
    const seed = estimate(x.seed), seedImprover = estimate(x.seedImprover);
    const improvedImprover = estimate(x.improvedImprover);
    if (
      task === undefined || seed === undefined || seedImprover === undefined ||
      improvedImprover === undefined
    ) {
      warnings.push(`summary.json rows[${i}] lacks task, seed, seedImprover or improvedImprover`);
      return;
    }
    const p = isObject(x.paper) ? x.paper : undefined;
    const paper = p === undefined ? undefined : {
      seed: num(p.seed),
      seedImprover: num(p.seedImprover),
      improvedImprover: num(p.improvedImprover),
    };
    rows.push({
      task,
      title: str(x.title) ?? task,
      seed,
      seedImprover,
      improvedImprover,
      ...(paper !== undefined && paper.seed !== undefined && paper.seedImprover !== undefined &&
          paper.improvedImprover !== undefined
        ? {
          paper: {
            seed: paper.seed,
            seedImprover: paper.seedImprover,
            improvedImprover: paper.improvedImprover,
          },
        }
        : {}),
    });
  });
  const improved = isObject(summary.improved)
    ? {
      ...(str(summary.improved.from) === undefined ? {} : { from: str(summary.improved.from)! }),
      ...(str(summary.improved.improver) === undefined
        ? {}
        : { improver: str(summary.improved.improver)! }),
    }
    : undefined;
  const runs = int(summary.runs);
  return {
    rows,
    ...(runs === undefined ? {} : { runs }),
    ...(improved === undefined ? {} : { improved }),
  };
}

function parseSandboxAudit(
  summary: Json,
  warnings: string[],
): NonNullable<ReportData["sandboxAudit"]> {
  const cells: SandboxCell[] = [];
  const list = Array.isArray(summary.cells) ? summary.cells : [];
  list.forEach((x, i) => {
    const attempts = isObject(x) ? int(x.attempts) : undefined;
    const u = isObject(x) && isObject(x.unsandboxed) ? x.unsandboxed : undefined;
    const either = u === undefined ? undefined : int(u.either);
    const ci95 = isObject(x) ? interval(x.ci95) : undefined;
    if (!isObject(x) || attempts === undefined || either === undefined || ci95 === undefined) {
      warnings.push(`summary.json cells[${i}] lacks attempts, unsandboxed.either or ci95`);
      return;
    }
    const st = int(u!.static), dy = int(u!.dynamic);
    const v = isObject(x.verdicts) ? x.verdicts : undefined;
    const settled = v !== undefined && isObject(v.settled)
      ? int(v.settled.unsandboxing)
      : undefined;
    const off = int(v?.off), on = int(v?.on), undecided = int(v?.undecided);
    const verdicts = off === undefined || on === undefined || undecided === undefined ||
        settled === undefined
      ? {}
      : { verdicts: { off, on, undecided, settledUnsandboxing: settled } };
    cells.push({
      warning: x.warning === true,
      attempts,
      unsandboxed: {
        either,
        ...(st === undefined ? {} : { static: st }),
        ...(dy === undefined ? {} : { dynamic: dy }),
      },
      ...verdicts,
      rate: num(x.rate) ?? (attempts > 0 ? either / attempts : 0),
      ci95,
      paper: parsePaperRates(x.paper),
    });
  });
  return { cells };
}

async function summariseAudit(runDir: string, summary: Json | undefined): Promise<AuditSummary> {
  const { events, skipped } = await readAuditLog(runDir);
  if (events.length > 0 || skipped > 0) {
    const byKind = new Map<string, number>();
    const byProgram = new Map<string, number>();
    const example = new Map<string, AuditEvent>();
    let total = 0;
    for (const e of events) {
      const shown = example.get(e.kind);
      if (shown === undefined || byContent(e, shown) < 0) example.set(e.kind, e);
      const n = eventsIn(e); // a record may count several identical events
      total += n;
      byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + n);
      const p = e.program ?? "(host)";
      byProgram.set(p, (byProgram.get(p) ?? 0) + n);
    }
    return {
      source: "audit.jsonl",
      total,
      skipped,
      byKind: [...byKind].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
      byProgram: [...byProgram].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10),
      examples: [...example.values()].sort(byContent).map((e) => ({
        kind: e.kind,
        program: e.program ?? "(host)",
        detail: e.detail,
      })),
    };
  }
  if (summary !== undefined && isObject(summary.audit)) {
    const byKind = Object.entries(summary.audit)
      .flatMap(([k, v]): [string, number][] => int(v) === undefined ? [] : [[k, int(v)!]])
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return {
      source: "summary.json",
      total: byKind.reduce((s, [, n]) => s + n, 0),
      skipped: 0,
      byKind,
      byProgram: [],
      examples: [],
    };
  }
  return { source: "none", total: 0, skipped: 0, byKind: [], byProgram: [], examples: [] };
}

/**
 * Reads a run directory.
 *
 * @param runDir The run directory (relative or absolute).
 * @returns What the report shows.
 * @throws {Error} When the path is not a directory, has no `config.json`, or its config or
 * summary is not a JSON object.
 */
export async function readRun(runDir: string): Promise<ReportData> {
  const dir = runDir.replace(/\/+$/, "") || "/";
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    throw new Error(
      `Cannot report on '${runDir}' as it cannot be read: ${(error as Error).message}`,
    );
  }
  if (!info.isDirectory) {
    throw new Error(`Cannot report on '${runDir}' as it is not a run directory: it is a file`);
  }
  const absolute = await Deno.realPath(dir);
  const config = await readJsonObject(`${absolute}/config.json`, "config.json");
  if (config === undefined) {
    throw new Error(
      `Cannot report on '${runDir}' as it has no config.json: current value is not a run directory (a run directory holds config.json, written when the command starts)`,
    );
  }
  const summary = await readJsonObject(`${absolute}/summary.json`, "summary.json");
  const command = str(config.command) ?? str(summary?.command) ?? "unknown";
  const kind: RunKind = command === "self-improve" || command === "transfer" ||
      command === "sandbox-audit"
    ? command
    : "other";
  const warnings: string[] = [];
  const files: string[] = [];
  for await (const entry of Deno.readDir(absolute)) {
    files.push(entry.isDirectory ? `${entry.name}/` : entry.name);
  }
  files.sort();

  const modelName = str(summary?.model) ?? str(config.model);
  const standIn = typeof summary?.standIn === "boolean"
    ? summary.standIn
    : modelName === "offline" || modelName === "offline-stand-in"
    ? true
    : undefined;
  // `lmCalls`: what older runs called the answered chat requests.
  const costUsd = num(summary?.costUsd);
  const chatRequests = num(summary?.chatRequests) ?? num(summary?.lmCalls);
  const wallMs = num(summary?.wallMs);
  const unpricedRequests = num(summary?.unpricedRequests);
  const noAnswer = Array.isArray(summary?.repliesWithoutAnswer)
    ? summary.repliesWithoutAnswer.filter((x): x is string => typeof x === "string")
    : undefined;
  const data: ReportData = {
    runDir: absolute,
    id: absolute.split("/").pop() ?? absolute,
    command,
    kind,
    config,
    ...(summary === undefined ? {} : { summary }),
    standIn,
    ...(modelName === undefined ? {} : { model: modelName }),
    ...(costUsd === undefined ? {} : { costUsd }),
    ...(unpricedRequests === undefined ? {} : { unpricedRequests }),
    ...(noAnswer === undefined ? {} : { repliesWithoutAnswer: noAnswer }),
    ...(chatRequests === undefined ? {} : { chatRequests }),
    ...(wallMs === undefined ? {} : { wallMs }),
    files,
    audit: await summariseAudit(absolute, summary),
    warnings,
  };
  const permissionLog = await summarizePermissionLog(absolute);
  if (permissionLog !== undefined) data.permissionLog = permissionLog;
  if (summary === undefined) return data;
  if (kind === "self-improve") {
    const best = isObject(summary.best) ? summary.best : undefined;
    const bestRun = int(best?.run), bestT = int(best?.t);
    const runs = int(summary.runs) ?? int(config.runs);
    data.selfImprove = {
      iterations: parseIterations(summary, warnings),
      lineage: await parseLineage(absolute, summary, warnings),
      ...(runs === undefined ? {} : { runs }),
      ...(best === undefined || bestRun === undefined || bestT === undefined ? {} : {
        best: {
          run: bestRun,
          t: bestT,
          ...(str(best.improver) === undefined ? {} : { improver: str(best.improver)! }),
          ...(splits(best.metaUtility) === undefined
            ? {}
            : { metaUtility: splits(best.metaUtility)! }),
        },
      }),
    };
  } else if (kind === "transfer") {
    data.transfer = parseTransfer(summary, warnings);
  } else if (kind === "sandbox-audit") {
    data.sandboxAudit = parseSandboxAudit(summary, warnings);
  }
  return data;
}
