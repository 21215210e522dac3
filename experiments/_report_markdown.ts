/**
 * The Markdown report of a run: the facts of the run, its tables in the paper's form, the
 * improver lineage with collapsed diffs, and the audit summary. Pure: data in, text out.
 *
 * @module
 */
import { STAND_IN_BANNER, STAND_IN_METHOD } from "../lm/mod.ts";
import type { ReportData } from "./_report_data.ts";
import { formatUnifiedDiff } from "./_report_diff.ts";
import {
  duration,
  escapeHtml,
  mdCell,
  mdFence,
  pct,
  pctSe,
  showValue,
  usd,
} from "./_report_format.ts";

/** The sentence every report of a stand-in run carries at its top and bottom. */
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
 */
export function standInMethod(data: ReportData): string | undefined {
  return data.standIn === true ? STAND_IN_METHOD : undefined;
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** The facts of the run as (label, plain text) pairs, shared with the HTML report. */
export function runFacts(data: ReportData): [string, string][] {
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
  return facts;
}

function selfImproveSection(data: ReportData): string[] {
  const si = data.selfImprove;
  if (si === undefined) return [];
  const out: string[] = [];
  const runs = si.runs === undefined ? "" : ` over ${si.runs} run(s)`;
  out.push(`## Meta-utility per iteration (mean ± standard error${runs})`, "");
  if (si.iterations.length === 0) out.push("No iterations recorded.", "");
  else {
    out.push(
      table(
        [
          "T",
          "accepted",
          "meta-utility val",
          "meta-utility test",
          "chat requests",
          "cost",
          "main strategy",
        ],
        si.iterations.map((r) => [
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
          mdCell(r.strategy ?? "—"),
        ]),
      ),
      "",
    );
  }
  if (si.best !== undefined) {
    const mu = si.best.metaUtility;
    out.push(
      `Best improver: run ${si.best.run}, T=${si.best.t}${
        si.best.improver === undefined ? "" : ` (${mdCell(si.best.improver)})`
      }${mu === undefined ? "" : `, meta-utility val ${pct(mu.val)}, test ${pct(mu.test)}`}.`,
      "",
    );
  }
  out.push("## Lineage of improvers", "");
  if (si.lineage.length === 0) {
    out.push("This run's summary records no lineage.", "");
    return out;
  }
  const mu = (s: { val: number; test: number } | undefined) =>
    s === undefined ? "—" : `${pct(s.val)} / ${pct(s.test)}`;
  out.push(
    table(
      [
        "run",
        "T",
        "outcome",
        "reason",
        "kept improver val / test",
        "proposal val / test",
        "kept improver",
      ],
      si.lineage.map((r) => [
        String(r.run),
        String(r.t),
        r.t === 0 ? "seed" : r.accepted ? "accepted" : "rejected",
        mdCell(r.reason),
        mu(r.metaUtility),
        mu(r.candidateMetaUtility),
        r.improver === undefined ? "—" : mdCell(r.improver),
      ]),
    ),
    "",
  );
  for (const r of si.lineage) {
    if (r.diff === undefined) continue;
    const d = r.diff.diff;
    const what = r.accepted ? "kept improver" : "rejected proposal";
    const counts = d.tooLarge ? "too large to diff" : `+${d.added} −${d.removed}`;
    out.push(
      "<details>",
      `<summary>run ${r.run}, T=${r.t}: ${what}, ${escapeHtml(r.diff.from)} → ${
        escapeHtml(r.diff.to)
      } (${counts})</summary>`,
      "",
      d.tooLarge
        ? "The change is too large to diff here."
        : d.hunks.length === 0
        ? "No change."
        : mdFence(formatUnifiedDiff(d), "diff"),
      "",
      "</details>",
      "",
    );
  }
  return out;
}

function transferSection(data: ReportData): string[] {
  const tr = data.transfer;
  if (tr === undefined) return [];
  const runs = tr.runs === undefined ? "" : `, mean ± SE over ${tr.runs} run(s)`;
  const out = [`## Transfer (paper Table 1, test split${runs})`, ""];
  if (tr.improved !== undefined) {
    out.push(
      `Improved improver: ${mdCell(tr.improved.improver ?? "?")}${
        tr.improved.from === undefined ? "" : ` from ${mdCell(tr.improved.from)}`
      }.`,
      "",
    );
  }
  if (tr.rows.length === 0) return [...out, "No rows recorded.", ""];
  const paper = (x: number | undefined) => x === undefined ? "—" : pct(x);
  out.push(
    table(
      [
        "task",
        "u(seed)",
        "paper",
        "û(seed improver I0)",
        "paper",
        "û(improved improver IT)",
        "paper",
      ],
      tr.rows.map((r) => [
        mdCell(r.title),
        pctSe(r.seed.mean, r.seed.se),
        paper(r.paper?.seed),
        pctSe(r.seedImprover.mean, r.seedImprover.se),
        paper(r.paper?.seedImprover),
        pctSe(r.improvedImprover.mean, r.improvedImprover.se),
        paper(r.paper?.improvedImprover),
      ]),
    ),
    "",
  );
  return out;
}

function sandboxSection(data: ReportData): string[] {
  const sa = data.sandboxAudit;
  if (sa === undefined) return [];
  const out = ["## Sandbox circumvention (paper Table 2, 95% Wilson intervals)", ""];
  if (sa.cells.length === 0) return [...out, "No cells recorded.", ""];
  const rate = (r: number, ci: [number, number]) =>
    `${pct(r, 2)} (${pct(ci[0], 2)}–${pct(ci[1], 2)})`;
  out.push(
    table(
      [
        "prompt",
        "attempts",
        "unsandboxed (static)",
        "(dynamic)",
        "(either)",
        "static off / on / undecided (settled unsandboxing)",
        "rate (95% CI)",
        "paper",
      ],
      sa.cells.map((c) => [
        c.warning ? "with warning" : "no warning",
        String(c.attempts),
        c.unsandboxed.static === undefined ? "—" : String(c.unsandboxed.static),
        c.unsandboxed.dynamic === undefined ? "—" : String(c.unsandboxed.dynamic),
        String(c.unsandboxed.either),
        c.verdicts === undefined
          ? "—"
          : `${c.verdicts.off} / ${c.verdicts.on} / ${c.verdicts.undecided} (${c.verdicts.settledUnsandboxing})`,
        rate(c.rate, c.ci95),
        c.paper.length === 0
          ? "—"
          : c.paper.map((p) => `${mdCell(p.model)} ${rate(p.rate, p.ci95)}`).join("; "),
      ]),
    ),
    "",
    "Every attempt ran sandboxed: the runtime enforces the sandbox whatever the flag says, and " +
      "an attempt to turn it off is recorded.",
    "",
  );
  return out;
}

function otherSection(data: ReportData): string[] {
  if (data.kind !== "other" || data.summary === undefined) return [];
  const rows = Object.entries(data.summary)
    .filter(([k]) => !["audit", "runDir"].includes(k))
    .map(([k, v]) => [mdCell(k), mdCell(showValue(v))]);
  return ["## Summary", "", table(["field", "value"], rows), ""];
}

/** The audit section's lines, shared by both renderers' wording. */
export function auditIntro(data: ReportData): string {
  const a = data.audit;
  if (a.source === "none") return "No audit events were recorded.";
  const from = a.source === "audit.jsonl" ? "audit.jsonl" : "summary.json (no audit.jsonl)";
  const skipped = a.skipped > 0 ? `, ${a.skipped} unreadable line(s) skipped` : "";
  return `${a.total} audit event(s) from ${from}${skipped}.`;
}

function auditSection(data: ReportData): string[] {
  const a = data.audit;
  const out = ["## Audit", "", auditIntro(data), ""];
  if (a.byKind.length > 0) {
    out.push(
      table(
        ["kind", "count", "share", "first example"],
        a.byKind.map(([kind, n]) => {
          const ex = a.examples.find((e) => e.kind === kind);
          return [
            mdCell(kind),
            String(n),
            pct(n / Math.max(1, a.total)),
            ex === undefined ? "—" : mdCell(showValue(`${ex.program}: ${ex.detail}`, 120)),
          ];
        }),
      ),
      "",
    );
  }
  if (a.byProgram.length > 0) {
    out.push(
      "Programs with the most events:",
      "",
      table(
        ["program", "events"],
        a.byProgram.map(([p, n]) => [mdCell(p.slice(0, 16)), String(n)]),
      ),
      "",
    );
  }
  return out;
}

/** The permission-log section's sentence, shared by both renderers. */
export function permissionLogIntro(data: ReportData): string {
  const log = data.permissionLog;
  if (log === undefined) return "";
  const n = log.outside.reduce((a, o) => a + o.checks, 0);
  const skipped = log.skipped > 0 ? `, ${log.skipped} unreadable line(s) skipped` : "";
  return `${log.total} permission check(s) by Deno in deno-permission-audit.jsonl${skipped}, ` +
    `held against the run's declared permissions (${log.declaredFrom}): ` +
    (n === 0 ? "all inside." : `${n} OUTSIDE them.`);
}

function permissionLogSection(data: ReportData): string[] {
  const log = data.permissionLog;
  if (log === undefined) return [];
  const out = ["## Deno permission log", "", permissionLogIntro(data), ""];
  if (log.outside.length > 0) {
    out.push(
      "**Outside the declared permissions:**",
      "",
      table(
        ["permission", "value", "place", "checks"],
        log.outside.map((o) => [
          mdCell(o.permission),
          `\`${mdCell(o.value)}\``,
          o.place,
          String(o.checks),
        ]),
      ),
      "",
    );
  }
  out.push(
    table(
      ["permission", "place", "checks", "distinct", "outside"],
      log.rows.map((r) => [
        mdCell(r.permission),
        r.place,
        String(r.checks),
        String(r.distinct),
        String(r.outside),
      ]),
    ),
    "",
  );
  return out;
}

/**
 * Renders the Markdown report.
 *
 * @param data What {@linkcode readRun} read.
 * @returns The Markdown text.
 */
export function renderMarkdown(data: ReportData): string {
  const banner = standInSentence(data);
  const out: string[] = [`# stop report: ${mdCell(data.id)}`, ""];
  if (banner !== undefined) out.push(`> **${banner}**`, "");
  const method = standInMethod(data);
  if (method !== undefined) out.push(`> ${method}`, "");
  out.push(table(["", ""], runFacts(data).map(([k, v]) => [k, mdCell(v)])), "");
  out.push(
    ...selfImproveSection(data),
    ...transferSection(data),
    ...sandboxSection(data),
    ...otherSection(data),
    ...auditSection(data),
    ...permissionLogSection(data),
  );
  const config = Object.entries(data.config).filter(([k]) => k !== "command");
  if (config.length > 0) {
    out.push(
      "## Configuration",
      "",
      table(["setting", "value"], config.map(([k, v]) => [mdCell(k), mdCell(showValue(v))])),
      "",
    );
  }
  if (data.warnings.length > 0) {
    out.push("## Left out", "", ...data.warnings.map((w) => `- ${mdCell(w)}`), "");
  }
  out.push("The charts are in report.html beside this file.", "");
  if (banner !== undefined) out.push(`> **${banner}**`, "");
  return out.join("\n");
}
