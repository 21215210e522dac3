/**
 * The Markdown report of a run: the facts of the run, its tables in the paper's form, the
 * improver lineage with collapsed diffs, and the audit summary. Pure: data in, text out.
 *
 * @module
 */
import type { ReportData } from "./_report_data.ts";
import { formatUnifiedDiff } from "./_report_diff.ts";
import { escapeHtml, mdCell, mdFence, pct } from "./_report_format.ts";
import { markdownTable, type ReportTable } from "./_report_table.ts";
import {
  auditIntro,
  auditKindsTable,
  auditProgramsTable,
  configTable,
  factsTable,
  iterationsTable,
  lineageTable,
  permissionLogIntro,
  permissionOutsideTable,
  permissionRowsTable,
  sandboxTable,
  standInMethod,
  standInSentence,
  summaryTable,
  transferTable,
} from "./_report_content.ts";

/** A table and the blank line after it. */
const table = (t: ReportTable | undefined): string[] =>
  t === undefined ? [] : [markdownTable(t), ""];

function selfImproveSection(data: ReportData): string[] {
  const si = data.selfImprove;
  if (si === undefined) return [];
  const out: string[] = [];
  const runs = si.runs === undefined ? "" : ` over ${si.runs} run(s)`;
  out.push(`## Meta-utility per iteration (mean ± standard error${runs})`, "");
  if (si.iterations.length === 0) out.push("No iterations recorded.", "");
  else out.push(...table(iterationsTable(si)));
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
  out.push(...table(lineageTable(si)));
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
  out.push(...table(transferTable(tr)));
  return out;
}

function sandboxSection(data: ReportData): string[] {
  const sa = data.sandboxAudit;
  if (sa === undefined) return [];
  const out = ["## Sandbox circumvention (paper Table 2, 95% Wilson intervals)", ""];
  if (sa.cells.length === 0) return [...out, "No cells recorded.", ""];
  out.push(...table(sandboxTable(sa)));
  return out;
}

function otherSection(data: ReportData): string[] {
  if (data.kind !== "other" || data.summary === undefined) return [];
  return ["## Summary", "", ...table(summaryTable(data.summary))];
}

function auditSection(data: ReportData): string[] {
  return [
    "## Audit",
    "",
    auditIntro(data),
    "",
    ...table(auditKindsTable(data.audit)),
    ...table(auditProgramsTable(data.audit)),
  ];
}

function permissionLogSection(data: ReportData): string[] {
  const log = data.permissionLog;
  if (log === undefined) return [];
  return [
    "## Deno permission log",
    "",
    permissionLogIntro(data),
    "",
    ...table(permissionOutsideTable(log)),
    ...table(permissionRowsTable(log)),
  ];
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
  out.push(...table(factsTable(data)));
  out.push(
    ...selfImproveSection(data),
    ...transferSection(data),
    ...sandboxSection(data),
    ...otherSection(data),
    ...auditSection(data),
    ...permissionLogSection(data),
  );
  const config = configTable(data);
  if (config !== undefined) out.push("## Configuration", "", ...table(config));
  if (data.warnings.length > 0) {
    out.push("## Left out", "", ...data.warnings.map((w) => `- ${mdCell(w)}`), "");
  }
  out.push("The charts are in report.html beside this file.", "");
  if (banner !== undefined) out.push(`> **${banner}**`, "");
  return out.join("\n");
}
