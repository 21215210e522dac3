/**
 * The Markdown report of a run: the facts of the run, its tables in the paper's form, the
 * improver lineage with collapsed diffs, and the audit summary. Pure: data in, text out.
 *
 * @module
 */
import type { ReportData } from "./_data.ts";
import { formatUnifiedDiff } from "./_diff.ts";
import { escapeHtml, mdCell, mdFence, pct } from "./_format.ts";
import { markdownTable, type ReportTable } from "./_table.ts";
import {
  auditIntro,
  permissionLogIntro,
  type ReportTables,
  reportTables,
  standInMethod,
  standInSentence,
} from "./_content.ts";

/** A table and the blank line after it. */
const table = (t: ReportTable | undefined): string[] =>
  t === undefined ? [] : [markdownTable(t), ""];

function selfImproveSection(data: ReportData, tables: ReportTables): string[] {
  const si = data.selfImprove;
  if (si === undefined) return [];
  const out: string[] = [];
  const runs = si.runs === undefined ? "" : ` over ${si.runs} run(s)`;
  out.push(`## Meta-utility per iteration (mean ± standard error${runs})`, "");
  if (tables.iterations === undefined) out.push("No iterations recorded.", "");
  else out.push(...table(tables.iterations));
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
  if (tables.lineage === undefined) {
    out.push("This run's summary records no lineage.", "");
    return out;
  }
  out.push(...table(tables.lineage));
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

function transferSection(data: ReportData, tables: ReportTables): string[] {
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
  if (tables.transfer === undefined) return [...out, "No rows recorded.", ""];
  out.push(...table(tables.transfer));
  return out;
}

function sandboxSection(data: ReportData, tables: ReportTables): string[] {
  const sa = data.sandboxAudit;
  if (sa === undefined) return [];
  const out = ["## Sandbox circumvention (paper Table 2, 95% Wilson intervals)", ""];
  if (tables.sandbox === undefined) return [...out, "No cells recorded.", ""];
  out.push(...table(tables.sandbox));
  return out;
}

function otherSection(tables: ReportTables): string[] {
  if (tables.summary === undefined) return [];
  return ["## Summary", "", ...table(tables.summary)];
}

function auditSection(data: ReportData, tables: ReportTables): string[] {
  return [
    "## Audit",
    "",
    auditIntro(data),
    "",
    ...table(tables.auditKinds),
    ...table(tables.auditPrograms),
  ];
}

function permissionLogSection(data: ReportData, tables: ReportTables): string[] {
  if (data.permissionLog === undefined) return [];
  return [
    "## Deno permission log",
    "",
    permissionLogIntro(data),
    "",
    ...table(tables.permissionOutside),
    ...table(tables.permissionRows),
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
  const tables = reportTables(data);
  out.push(...table(tables.facts));
  out.push(
    ...selfImproveSection(data, tables),
    ...transferSection(data, tables),
    ...sandboxSection(data, tables),
    ...otherSection(tables),
    ...auditSection(data, tables),
    ...permissionLogSection(data, tables),
  );
  if (tables.config !== undefined) out.push("## Configuration", "", ...table(tables.config));
  if (data.warnings.length > 0) {
    out.push("## Left out", "", ...data.warnings.map((w) => `- ${mdCell(w)}`), "");
  }
  out.push("The charts are in report.html beside this file.", "");
  if (banner !== undefined) out.push(`> **${banner}**`, "");
  return out.join("\n");
}
