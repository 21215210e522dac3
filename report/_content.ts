/**
 * What the report says, built once from the run data for both formats: the stand-in's banner
 * and method, the sentences that open sections, and every table as a `ReportTable`
 * ({@linkcode reportTables}). The Markdown and HTML renderers only lay this out.
 *
 * @module
 */
import { STAND_IN_BANNER, STAND_IN_METHOD } from "../lm/mod.ts";
import type { ReportData } from "./_data.ts";
import { duration, pct, pctSe, showValue, usd } from "./_format.ts";
import type { ReportTable, Span, TableCell } from "./_table.ts";

/** Longest config or summary value shown in a table cell. */
const VALUE_MAX = 400;
/** Longest audit detail shown beside its program. */
const DETAIL_MAX = 200;
/** Program ids are content hashes cut to 16 characters by the sandbox; a foreign log's too. */
const PROGRAM_ID = 16;

type SelfImprove = NonNullable<ReportData["selfImprove"]>;
type Transfer = NonNullable<ReportData["transfer"]>;
type SandboxAudit = NonNullable<ReportData["sandboxAudit"]>;
type PermissionLog = NonNullable<ReportData["permissionLog"]>;

/**
 * The sentence every report of a stand-in run carries at its top and bottom.
 *
 * @param data The run.
 * @returns The sentence, or `undefined` for a run that records a real model.
 */
export function standInSentence(data: ReportData): string | undefined {
  if (data.standIn === true) {
    return `These numbers come from the ${STAND_IN_BANNER}. They test the machinery, not a model.`;
  }
  if (data.standIn === undefined) {
    return "This run does not record which model answered: its numbers may come from the " +
      `${STAND_IN_BANNER}.`;
  }
  return undefined;
}

/**
 * How the stand-in is built (its replies ignore the prompt; its quality chances were set by
 * hand), said under the top banner of every report of a stand-in run.
 *
 * @param data The run.
 * @returns The sentence, or `undefined` unless the stand-in answered.
 */
export function standInMethod(data: ReportData): string | undefined {
  return data.standIn === true ? STAND_IN_METHOD : undefined;
}

/**
 * The facts of the run (command, model, whether it finished, requests, cost, wall time,
 * directory, files), one row each, named by the first cell.
 *
 * @param data The run.
 * @returns The table.
 */
function factsTable(data: ReportData): ReportTable {
  const facts: [string, string][] = [
    ["command", data.command],
    [
      "model",
      data.standIn === true
        ? `the ${STAND_IN_BANNER}${data.model === undefined ? "" : `, named '${data.model}'`}`
        : data.model ?? "not recorded",
    ],
    [
      "finished",
      data.summary === undefined
        ? "no: there is no summary.json (still running, or stopped)"
        : "yes",
    ],
  ];
  if (data.chatRequests !== undefined) facts.push(["chat requests", String(data.chatRequests)]);
  if (data.costUsd !== undefined) {
    const unpriced = data.unpricedRequests ?? 0;
    facts.push([
      "cost",
      unpriced === 0
        ? usd(data.costUsd)
        : unpriced === data.chatRequests
        ? "unknown (no price for the model)"
        : `${usd(data.costUsd)} + unknown (${unpriced} unpriced requests)`,
    ]);
  }
  if (data.repliesWithoutAnswer !== undefined && data.repliesWithoutAnswer.length > 0) {
    facts.push(["replies without an answer", data.repliesWithoutAnswer.join("; ")]);
  }
  if (data.wallMs !== undefined) facts.push(["wall time", duration(data.wallMs)]);
  facts.push(["run directory", data.runDir]);
  facts.push(["files", data.files.join(", ")]);
  return { columns: [{ header: "" }, { header: "" }], rows: facts, rowHeaders: true };
}

/**
 * Meta-utility per iteration: T, acceptances, val and test (mean ± SE), requests, cost and
 * the main strategy.
 *
 * @param si The self-improvement part of the run.
 * @returns The table.
 */
function iterationsTable(si: SelfImprove): ReportTable {
  const numeric = (header: string) => ({ header, numeric: true });
  return {
    columns: [
      numeric("T"),
      numeric("accepted"),
      numeric("meta-utility val"),
      numeric("meta-utility test"),
      numeric("chat requests"),
      numeric("cost"),
      { header: "main strategy" },
    ],
    rows: si.iterations.map((r) => [
      String(r.t),
      r.t === 0
        ? "seed"
        : r.accepted === undefined
        ? "—"
        : `${r.accepted}${si.runs === undefined ? "" : `/${si.runs}`}`,
      pctSe(r.metaUtility.val, r.se.val),
      pctSe(r.metaUtility.test, r.se.test),
      r.chatRequests === undefined ? "—" : String(r.chatRequests),
      r.costUsd === undefined ? "—" : usd(r.costUsd),
      r.strategy ?? "—",
    ]),
  };
}

/**
 * The lineage of improvers: per run and step, the outcome, the reason, the kept improver's and
 * the proposal's meta-utility, and the kept improver's file.
 *
 * @param si The self-improvement part of the run.
 * @returns The table.
 */
function lineageTable(si: SelfImprove): ReportTable {
  const splits = (s: { val: number; test: number } | undefined) =>
    s === undefined ? "—" : `${pct(s.val)} / ${pct(s.test)}`;
  const outcome = (r: SelfImprove["lineage"][number]): TableCell =>
    r.t === 0
      ? "seed"
      : r.accepted
      ? { text: "accepted", mark: "accepted" }
      : { text: "rejected", mark: "rejected" };
  return {
    columns: [
      { header: "run", numeric: true },
      { header: "T", numeric: true },
      { header: "outcome" },
      { header: "reason" },
      { header: "kept improver val / test", numeric: true },
      { header: "proposal val / test", numeric: true },
      { header: "kept improver" },
    ],
    rows: si.lineage.map((r) => [
      String(r.run),
      String(r.t),
      outcome(r),
      r.reason,
      splits(r.metaUtility),
      splits(r.candidateMetaUtility),
      r.improver === undefined ? "—" : { text: r.improver, code: true },
    ]),
  };
}

/**
 * Paper Table 1: per task, u(seed), û(I0) and û(IT) (mean ± SE), each beside the paper's.
 *
 * @param tr The transfer part of the run.
 * @returns The table.
 */
function transferTable(tr: Transfer): ReportTable {
  const paper = (x: number | undefined) => x === undefined ? "—" : pct(x);
  const numeric = (header: string) => ({ header, numeric: true });
  return {
    columns: [
      { header: "task" },
      numeric("u(seed)"),
      numeric("paper"),
      numeric("û(seed improver I0)"),
      numeric("paper"),
      numeric("û(improved improver IT)"),
      numeric("paper"),
    ],
    rows: tr.rows.map((r) => [
      r.title,
      pctSe(r.seed.mean, r.seed.se),
      paper(r.paper?.seed),
      pctSe(r.seedImprover.mean, r.seedImprover.se),
      paper(r.paper?.seedImprover),
      pctSe(r.improvedImprover.mean, r.improvedImprover.se),
      paper(r.paper?.improvedImprover),
    ]),
  };
}

/**
 * Paper Table 2: per prompt, attempts, unsandboxed programs by each detector, the static
 * verdicts, the rate with its 95% interval, and the paper's rates.
 *
 * @param sa The sandbox-circumvention part of the run.
 * @returns The table, with the note that every attempt ran sandboxed.
 */
function sandboxTable(sa: SandboxAudit): ReportTable {
  const rate = (r: number, ci: [number, number]) =>
    `${pct(r, 2)} (${pct(ci[0], 2)}–${pct(ci[1], 2)})`;
  const count = (n: number | undefined) => n === undefined ? "—" : String(n);
  return {
    columns: [
      { header: "prompt" },
      { header: "attempts", numeric: true },
      { header: "unsandboxed (static)", numeric: true },
      { header: "(dynamic)", numeric: true },
      { header: "(either)", numeric: true },
      { header: "static off / on / undecided (settled unsandboxing)" },
      { header: "rate (95% CI)", numeric: true },
      { header: "paper" },
    ],
    rows: sa.cells.map((c) => [
      c.warning ? "with warning" : "no warning",
      String(c.attempts),
      count(c.unsandboxed.static),
      count(c.unsandboxed.dynamic),
      String(c.unsandboxed.either),
      c.verdicts === undefined
        ? "—"
        : `${c.verdicts.off} / ${c.verdicts.on} / ${c.verdicts.undecided} (${c.verdicts.settledUnsandboxing})`,
      rate(c.rate, c.ci95),
      c.paper.length === 0 ? "—" : c.paper.map((p, i): Span => ({
        text: `${p.model} ${rate(p.rate, p.ci95)}`,
        breakBefore: i > 0,
      })),
    ]),
    notes: [
      "Every attempt ran sandboxed: the runtime enforces the sandbox whatever the flag says, " +
      "and an attempt to turn it off is recorded.",
    ],
  };
}

/**
 * The summary of a run of another command, field by field (without the audit and directory,
 * shown elsewhere).
 *
 * @param summary The run's summary.
 * @returns The table.
 */
function summaryTable(summary: Record<string, unknown>): ReportTable {
  return {
    columns: [{ header: "field" }, { header: "value" }],
    rows: Object.entries(summary)
      .filter(([k]) => !["audit", "runDir"].includes(k))
      .map(([k, v]) => [k, showValue(v, VALUE_MAX)]),
  };
}

/**
 * The run's configuration, setting by setting (without the command, shown in the facts).
 *
 * @param data The run.
 * @returns The table, or `undefined` when there is nothing to show.
 */
function configTable(data: ReportData): ReportTable | undefined {
  const config = Object.entries(data.config).filter(([k]) => k !== "command");
  if (config.length === 0) return undefined;
  return {
    columns: [{ header: "setting" }, { header: "value" }],
    rows: config.map(([k, v]) => [k, showValue(v, VALUE_MAX)]),
  };
}

/**
 * The sentence that opens the audit section.
 *
 * @param data The run.
 * @returns How many events were read, from where, and how many lines were skipped.
 */
export function auditIntro(data: ReportData): string {
  const a = data.audit;
  if (a.source === "none") return "No audit events were recorded.";
  const from = a.source === "audit.jsonl" ? "audit.jsonl" : "summary.json (no audit.jsonl)";
  const skipped = a.skipped > 0 ? `, ${a.skipped} unreadable line(s) skipped` : "";
  return `${a.total} audit event(s) from ${from}${skipped}.`;
}

/**
 * The audit events by kind, with each kind's share and one example (chosen by content).
 *
 * @param a The audit summary.
 * @returns The table, or `undefined` without events.
 */
function auditKindsTable(a: ReportData["audit"]): ReportTable | undefined {
  if (a.byKind.length === 0) return undefined;
  return {
    columns: [
      { header: "kind" },
      { header: "count", numeric: true },
      { header: "share", numeric: true },
      { header: "example" },
    ],
    rows: a.byKind.map(([kind, n]) => {
      const ex = a.examples.find((e) => e.kind === kind);
      return [
        kind,
        String(n),
        pct(n / Math.max(1, a.total)),
        ex === undefined ? "—" : [
          { text: ex.program.slice(0, PROGRAM_ID), code: true },
          { text: `: ${showValue(ex.detail, DETAIL_MAX)}` },
        ],
      ];
    }),
  };
}

/**
 * The programs with the most audit events.
 *
 * @param a The audit summary.
 * @returns The table, or `undefined` without events.
 */
function auditProgramsTable(a: ReportData["audit"]): ReportTable | undefined {
  if (a.byProgram.length === 0) return undefined;
  return {
    title: "Programs with the most events",
    columns: [{ header: "program" }, { header: "events", numeric: true }],
    rows: a.byProgram.map(([p, n]) => [{ text: p.slice(0, PROGRAM_ID), code: true }, String(n)]),
  };
}

/**
 * The sentence that opens the permission-log section.
 *
 * @param data The run.
 * @returns How many checks were read and whether any fell outside the declared permissions.
 */
export function permissionLogIntro(data: ReportData): string {
  const log = data.permissionLog;
  if (log === undefined) return "";
  const n = log.outside.reduce((a, o) => a + o.checks, 0);
  const skipped = log.skipped > 0 ? `, ${log.skipped} unreadable line(s) skipped` : "";
  return `${log.total} permission check(s) by Deno in deno-permission-audit.jsonl${skipped}, ` +
    `held against the run's declared permissions (${log.declaredFrom}): ` +
    (n === 0 ? "all inside." : `${n} OUTSIDE them.`);
}

/**
 * Deno's permission checks outside the declared permissions.
 *
 * @param log The permission log.
 * @returns The table, or `undefined` when every check was inside.
 */
function permissionOutsideTable(log: PermissionLog): ReportTable | undefined {
  if (log.outside.length === 0) return undefined;
  return {
    title: "Outside the declared permissions",
    columns: [
      { header: "permission" },
      { header: "value" },
      { header: "place" },
      { header: "checks", numeric: true },
    ],
    rows: log.outside.map((o) => [
      o.permission,
      { text: o.value, code: true },
      o.place,
      String(o.checks),
    ]),
  };
}

/**
 * Deno's permission checks by permission and place.
 *
 * @param log The permission log.
 * @returns The table.
 */
function permissionRowsTable(log: PermissionLog): ReportTable {
  return {
    columns: [
      { header: "permission" },
      { header: "place" },
      { header: "checks", numeric: true },
      { header: "distinct", numeric: true },
      { header: "outside", numeric: true },
    ],
    rows: log.rows.map((r) => [
      r.permission,
      r.place,
      String(r.checks),
      String(r.distinct),
      String(r.outside),
    ]),
  };
}

/** Every table of a run's report; `undefined` where the run has nothing to show there. */
export interface ReportTables {
  /** The facts of the run. */
  facts: ReportTable;
  /** Meta-utility per iteration (self-improve). */
  iterations: ReportTable | undefined;
  /** The lineage of improvers (self-improve). */
  lineage: ReportTable | undefined;
  /** Paper Table 1 (transfer). */
  transfer: ReportTable | undefined;
  /** Paper Table 2 (sandbox-audit). */
  sandbox: ReportTable | undefined;
  /** The summary of another command's run. */
  summary: ReportTable | undefined;
  /** Audit events by kind. */
  auditKinds: ReportTable | undefined;
  /** The programs with the most audit events. */
  auditPrograms: ReportTable | undefined;
  /** Deno's permission checks outside the declared permissions. */
  permissionOutside: ReportTable | undefined;
  /** Deno's permission checks by permission and place. */
  permissionRows: ReportTable | undefined;
  /** The run's configuration. */
  config: ReportTable | undefined;
}

/**
 * Builds every table of a run's report once, for both formats.
 *
 * @example
 * ```ts
 * import { readRun } from "./_data.ts";
 * import { reportTables } from "./_content.ts";
 * import { equal } from "node:assert/strict";
 * const tables = reportTables(await readRun("tests/testdata/runs/transfer"));
 * equal(tables.transfer?.rows.length, 5);
 * equal(tables.lineage, undefined);
 * ```
 *
 * @param data What `readRun` read.
 * @returns The tables.
 */
export function reportTables(data: ReportData): ReportTables {
  const si = data.selfImprove, tr = data.transfer, sa = data.sandboxAudit;
  const log = data.permissionLog;
  return {
    facts: factsTable(data),
    iterations: si === undefined || si.iterations.length === 0 ? undefined : iterationsTable(si),
    lineage: si === undefined || si.lineage.length === 0 ? undefined : lineageTable(si),
    transfer: tr === undefined || tr.rows.length === 0 ? undefined : transferTable(tr),
    sandbox: sa === undefined || sa.cells.length === 0 ? undefined : sandboxTable(sa),
    summary: data.kind !== "other" || data.summary === undefined
      ? undefined
      : summaryTable(data.summary),
    auditKinds: auditKindsTable(data.audit),
    auditPrograms: auditProgramsTable(data.audit),
    permissionOutside: log === undefined ? undefined : permissionOutsideTable(log),
    permissionRows: log === undefined ? undefined : permissionRowsTable(log),
    config: configTable(data),
  };
}
