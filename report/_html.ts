/**
 * The HTML report of a run: one self-contained page (the charting library inlined, no network
 * needed) under a strict Content-Security-Policy that allows only the page's own scripts and
 * style by hash. Every run-derived text is escaped; the chart data travels as JSON in a
 * non-executed `<script type="application/json">` element with `<`, `>` and `&` escaped.
 *
 * @module
 */
import type { ReportData } from "./_data.ts";
import type { ChartLibrary } from "./assets.ts";
import { type ChartSpec, reportCharts } from "./_charts.ts";
import { PAGE_SCRIPT } from "./_page.ts";
import { hunkHeader } from "./_diff.ts";
import { escapeHtml as h, jsonForScript, pct } from "./_format.ts";
import { htmlTable } from "./_table.ts";
import {
  auditIntro,
  permissionLogIntro,
  type ReportTables,
  reportTables,
  standInMethod,
  standInSentence,
} from "./_content.ts";

const STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 24px; margin: 8px 0 12px; word-break: break-all; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 4px; }
.banner { border: 2px solid #b08800; background: #fff8c5; color: #3b2300; padding: 12px 16px; border-radius: 6px; font-weight: 600; margin: 12px 0; }
.banner.unknown { border-color: #8c959f; background: #f6f8fa; color: var(--fg); }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td { overflow-wrap: anywhere; }
.facts { width: 100%; }
.facts th { width: 9em; white-space: nowrap; }
.facts td { word-break: break-all; }
.accepted { color: #116329; font-weight: 600; }
.rejected { color: #a40e26; font-weight: 600; }
.chart { position: relative; height: 340px; margin: 8px 0 4px; }
.caption { color: var(--muted); font-size: 13px; margin: 0 0 16px; }
details { margin: 6px 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
summary { cursor: pointer; }
pre.diff { margin: 6px 0; overflow-x: auto; font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; }
pre.diff span { display: block; white-space: pre; }
pre.diff .add { background: #dafbe1; }
pre.diff .del { background: #ffebe9; }
pre.diff .hunk { color: #6639ba; background: #f6f0ff; }
code { font: 13px ui-monospace, "SFMono-Regular", Menlo, monospace; word-break: break-all; }
ul.warnings li { color: #a40e26; }
footer { color: var(--muted); font-size: 13px; padding-bottom: 24px; margin-top: 32px; }
`;

async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let binary = "";
  for (const b of new Uint8Array(digest)) binary += String.fromCharCode(b);
  return `'sha256-${btoa(binary)}'`;
}

function chartHtml(spec: ChartSpec): string {
  return `<h3>${h(spec.title)}</h3>
<div class="chart"><canvas id="${h(spec.id)}" role="img" aria-label="${
    h(spec.title)
  }"></canvas></div>
<p class="caption">${h(spec.caption)}</p>`;
}

function diffHtml(data: NonNullable<ReportData["selfImprove"]>["lineage"][number]): string {
  if (data.diff === undefined) return "";
  const d = data.diff.diff;
  const what = data.accepted ? "kept improver" : "rejected proposal";
  const counts = d.tooLarge ? "too large to diff" : `+${d.added} −${d.removed}`;
  let body: string;
  if (d.tooLarge) body = "<p>The change is too large to diff here.</p>";
  else if (d.hunks.length === 0) body = "<p>No change.</p>";
  else {
    const lines = d.hunks.flatMap((hunk) => [
      `<span class="hunk">${h(hunkHeader(hunk))}</span>`,
      ...hunk.lines.map((l) =>
        `<span${l.op === "+" ? ' class="add"' : l.op === "-" ? ' class="del"' : ""}>${
          h(l.op + l.text)
        }</span>`
      ),
    ]);
    body = `<pre class="diff">${lines.join("")}</pre>`;
  }
  return `<details><summary>run ${data.run}, T=${data.t}: ${what}, <code>${
    h(data.diff.from)
  }</code> → <code>${h(data.diff.to)}</code> (${counts})</summary>${body}</details>`;
}

function selfImproveHtml(
  data: ReportData,
  tables: ReportTables,
  charts: Map<string, ChartSpec>,
): string[] {
  const si = data.selfImprove;
  if (si === undefined) return [];
  const out: string[] = [];
  const runs = si.runs === undefined ? "" : ` over ${si.runs} run(s)`;
  out.push(`<h2>Meta-utility per iteration (mean ± standard error${h(runs)})</h2>`);
  const mu = charts.get("chart-meta-utility");
  if (mu !== undefined) out.push(chartHtml(mu));
  if (tables.iterations === undefined) out.push("<p>No iterations recorded.</p>");
  else out.push(htmlTable(tables.iterations));
  const cost = charts.get("chart-cost");
  if (cost !== undefined) out.push(chartHtml(cost));
  if (si.best !== undefined) {
    const b = si.best;
    out.push(
      `<p>Best improver: run ${b.run}, T=${b.t}${
        b.improver === undefined ? "" : ` (<code>${h(b.improver)}</code>)`
      }${
        b.metaUtility === undefined
          ? ""
          : `, meta-utility val ${pct(b.metaUtility.val)}, test ${pct(b.metaUtility.test)}`
      }.</p>`,
    );
  }
  out.push("<h2>Lineage of improvers</h2>");
  const lineageChart = charts.get("chart-lineage");
  if (lineageChart !== undefined) out.push(chartHtml(lineageChart));
  if (tables.lineage === undefined) {
    out.push("<p>This run's summary records no lineage.</p>");
    return out;
  }
  out.push(htmlTable(tables.lineage));
  const diffs = si.lineage.map(diffHtml).filter((x) => x !== "");
  if (diffs.length > 0) {
    out.push(
      "<h3>Diffs</h3>",
      '<p class="caption">An accepted step against the improver it replaced; a rejected proposal against the improver that was kept.</p>',
      ...diffs,
    );
  }
  return out;
}

function transferHtml(
  data: ReportData,
  tables: ReportTables,
  charts: Map<string, ChartSpec>,
): string[] {
  const tr = data.transfer;
  if (tr === undefined) return [];
  const runs = tr.runs === undefined ? "" : `, mean ± SE over ${tr.runs} run(s)`;
  const out = [`<h2>Transfer (paper Table 1, test split${h(runs)})</h2>`];
  if (tr.improved !== undefined) {
    out.push(
      `<p>Improved improver: <code>${h(tr.improved.improver ?? "?")}</code>${
        tr.improved.from === undefined ? "" : ` from <code>${h(tr.improved.from)}</code>`
      }.</p>`,
    );
  }
  const chart = charts.get("chart-transfer");
  if (chart !== undefined) out.push(chartHtml(chart));
  if (tables.transfer === undefined) return [...out, "<p>No rows recorded.</p>"];
  out.push(htmlTable(tables.transfer));
  return out;
}

function sandboxHtml(
  data: ReportData,
  tables: ReportTables,
  charts: Map<string, ChartSpec>,
): string[] {
  const sa = data.sandboxAudit;
  if (sa === undefined) return [];
  const out = ["<h2>Sandbox circumvention (paper Table 2, 95% Wilson intervals)</h2>"];
  const chart = charts.get("chart-sandbox");
  if (chart !== undefined) out.push(chartHtml(chart));
  if (tables.sandbox === undefined) return [...out, "<p>No cells recorded.</p>"];
  out.push(htmlTable(tables.sandbox));
  return out;
}

function otherHtml(tables: ReportTables): string[] {
  if (tables.summary === undefined) return [];
  return ["<h2>Summary</h2>", htmlTable(tables.summary)];
}

function auditHtml(
  data: ReportData,
  tables: ReportTables,
  charts: Map<string, ChartSpec>,
): string[] {
  const out = ["<h2>Audit</h2>", `<p>${h(auditIntro(data))}</p>`];
  const chart = charts.get("chart-audit");
  if (chart !== undefined) out.push(chartHtml(chart));
  for (const table of [tables.auditKinds, tables.auditPrograms]) {
    if (table !== undefined) out.push(htmlTable(table));
  }
  return out;
}

function permissionLogHtml(data: ReportData, tables: ReportTables): string[] {
  const log = data.permissionLog;
  if (log === undefined) return [];
  const out = ["<h2>Deno permission log</h2>", `<p>${h(permissionLogIntro(data))}</p>`];
  for (const table of [tables.permissionOutside, tables.permissionRows]) {
    if (table !== undefined) out.push(htmlTable(table));
  }
  return out;
}

/**
 * Renders the HTML report.
 *
 * @param data What {@linkcode readRun} read.
 * @param library The charting library to inline (from {@linkcode loadChartLibrary}).
 * @returns The page.
 */
export async function renderHtml(data: ReportData, library: ChartLibrary): Promise<string> {
  const specs = reportCharts(data);
  const charts = new Map(specs.map((s) => [s.id, s]));
  const sentence = standInSentence(data);
  const banner = sentence === undefined
    ? ""
    : `<div class="banner${data.standIn === true ? "" : " unknown"}" role="note">${
      data.standIn === true ? "Offline stand-in: " : ""
    }${h(sentence)}</div>`;
  const method = standInMethod(data);
  const methodNote = method === undefined ? "" : `\n<p class="method">${h(method)}</p>`;
  const tables = reportTables(data);
  const sections = [
    htmlTable(tables.facts),
    ...selfImproveHtml(data, tables, charts),
    ...transferHtml(data, tables, charts),
    ...sandboxHtml(data, tables, charts),
    ...otherHtml(tables),
    ...auditHtml(data, tables, charts),
    ...permissionLogHtml(data, tables),
    ...(tables.config === undefined ? [] : ["<h2>Configuration</h2>", htmlTable(tables.config)]),
    ...(data.warnings.length === 0 ? [] : [
      "<h2>Left out</h2>",
      `<ul class="warnings">${data.warnings.map((w) => `<li>${h(w)}</li>`).join("")}</ul>`,
    ]),
  ];
  const scripts = [...library.scripts.map((s) => s.source), PAGE_SCRIPT];
  const scriptHashes = await Promise.all(scripts.map(sha256Source));
  const csp = [
    "default-src 'none'",
    `script-src ${scriptHashes.join(" ")}`,
    `style-src ${await sha256Source(STYLE)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const credits = library.scripts.map((s) => `${h(s.name)} ${h(s.version)} (${h(s.license)})`)
    .join(", ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="stop report">
<title>stop report: ${h(data.id)}</title>
<style>${STYLE}</style>
</head>
<body data-charts="${specs.length}" data-rendered="0">
<header>
<h1>stop report: ${h(data.id)} <small>(${h(data.command)})</small></h1>
${banner}${methodNote}
</header>
<main>
${sections.join("\n")}
</main>
<footer>
${banner}
<p>Written by <code>deno task stop report</code>. Charts drawn with ${credits}, inlined: the page needs no network.</p>
</footer>
<script type="application/json" id="report-charts">${jsonForScript(specs)}</script>
${scripts.map((s) => `<script>${s}</script>`).join("\n")}
</body>
</html>
`;
}
