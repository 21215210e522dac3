/**
 * The charts of the HTML report as plain Chart.js configurations (data and options only, no
 * functions), built from a run's report data. The page script adds the few callbacks (axis
 * ticks as percentages) and draws them; error bars come from `chartjs-chart-error-bars`
 * (`lineWithErrorBars`, `barWithErrorBars`, points `{ y, yMin, yMax }`).
 *
 * @module
 */
import type { ReportData } from "./_data.ts";

/** A Chart.js dataset as JSON. */
export interface ChartDataset {
  label: string;
  type?: string;
  data: (number | null | { y: number; yMin?: number; yMax?: number } | { x: string; y: number })[];
  [option: string]: unknown;
}

/** One chart of the report. */
export interface ChartSpec {
  /** The canvas element's id. */
  id: string;
  /** Heading above the chart. */
  title: string;
  /** One sentence under the chart saying how to read it. */
  caption: string;
  /** When set, the value axis shows percentages with this many decimals. */
  percentDigits?: number;
  /** Height of the chart in CSS pixels. @default {340} */
  height?: number;
  /** Chart.js configuration (JSON only). */
  config: {
    type: string;
    data: { labels: string[]; datasets: ChartDataset[] };
    options: Record<string, unknown>;
  };
}

/** Colours (Okabe–Ito, distinguishable with common colour-vision deficiencies). */
const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];
const colour = (i: number) => COLOURS[i % COLOURS.length]!;
const faded = (hex: string) => `${hex}55`;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const errorPoint = (mean: number, se: number) => ({
  y: mean,
  yMin: clamp01(mean - se),
  yMax: clamp01(mean + se),
});

/** An axis range around means ± SE, padded and rounded to 5 points, within [0, 1]. */
function fittedRange(
  rows: readonly {
    metaUtility: { val: number; test: number };
    se: { val: number; test: number };
  }[],
): { min: number; max: number } {
  const lows = rows.flatMap((r) => [r.metaUtility.val - r.se.val, r.metaUtility.test - r.se.test]);
  const highs = rows.flatMap((r) => [r.metaUtility.val + r.se.val, r.metaUtility.test + r.se.test]);
  const min = Math.max(0, Math.floor((Math.min(...lows) - 0.02) * 20) / 20);
  const max = Math.min(1, Math.ceil((Math.max(...highs) + 0.02) * 20) / 20);
  return max > min ? { min, max } : { min: 0, max: 1 };
}

function titled(text: string): Record<string, unknown> {
  return { display: true, text };
}

function selfImproveCharts(data: ReportData): ChartSpec[] {
  const si = data.selfImprove;
  if (si === undefined || si.iterations.length === 0) return [];
  const labels = si.iterations.map((r) => `T=${r.t}`);
  const runs = si.runs === undefined ? "runs" : `${si.runs} run(s)`;
  const charts: ChartSpec[] = [{
    id: "chart-meta-utility",
    title: "Meta-utility per iteration",
    caption:
      `Mean ± 1 standard error over ${runs} of the kept improver's meta-utility (the paper's LPN figure); T=0 is the seed improver.`,
    percentDigits: 0,
    config: {
      type: "lineWithErrorBars",
      data: {
        labels,
        datasets: (["test", "val"] as const).map((split, i) => ({
          label: `meta-utility (${split})`,
          data: si.iterations.map((r) => errorPoint(r.metaUtility[split], r.se[split])),
          borderColor: colour(i),
          backgroundColor: colour(i),
          errorBarColor: colour(i),
          errorBarWhiskerColor: colour(i),
          errorBarLineWidth: 2,
          errorBarWhiskerSize: 12,
          pointRadius: 4,
          borderDash: split === "val" ? [6, 4] : [],
          clip: 8, // points at 100% stay whole on the top edge
        })),
      },
      options: {
        scales: {
          x: { title: titled("iteration T") },
          // Fitted to the data (the paper's figure spans a few points, not 0–100%).
          y: { title: titled("meta-utility"), ...fittedRange(si.iterations) },
        },
      },
    },
  }];

  const lineage = si.lineage;
  if (lineage.length > 0) {
    const ts = [...new Set(lineage.map((r) => r.t))].sort((a, b) => a - b);
    const runIds = [...new Set(lineage.map((r) => r.run))].sort((a, b) => a - b);
    const datasets: ChartDataset[] = runIds.map((run, i) => ({
      label: `run ${run}: kept improver (val)`,
      data: ts.map((t) =>
        lineage.find((r) => r.run === run && r.t === t)?.metaUtility?.val ?? null
      ),
      borderColor: colour(i),
      backgroundColor: colour(i),
      pointRadius: 4,
      spanGaps: true,
    }));
    const rejected = lineage.filter((r) => !r.accepted && r.candidateMetaUtility !== undefined);
    if (rejected.length > 0) {
      datasets.push({
        label: "rejected proposal (val)",
        type: "scatter",
        data: rejected.map((r) => ({ x: `T=${r.t}`, y: r.candidateMetaUtility!.val })),
        borderColor: "#D55E00",
        backgroundColor: "#D55E00",
        pointStyle: "crossRot",
        pointRadius: 8,
        borderWidth: 2,
      });
    }
    charts.push({
      id: "chart-lineage",
      title: "Lineage of improvers per run",
      caption:
        "Each run's kept improver after iteration T (val meta-utility); crosses are proposals that were rejected, the previous improver being kept.",
      percentDigits: 0,
      config: {
        type: "line",
        data: { labels: ts.map((t) => `T=${t}`), datasets },
        options: {
          scales: {
            x: { title: titled("iteration T") },
            y: { title: titled("meta-utility (val)"), suggestedMin: 0, suggestedMax: 1 },
          },
        },
      },
    });
  }

  const withCalls = si.iterations.some((r) => r.chatRequests !== undefined);
  const withCost = si.iterations.some((r) => r.costUsd !== undefined);
  if (withCalls || withCost) {
    const datasets: ChartDataset[] = [];
    if (withCalls) {
      datasets.push({
        label: "chat requests",
        data: si.iterations.map((r) => r.chatRequests ?? null),
        backgroundColor: faded(colour(0)),
        borderColor: colour(0),
        borderWidth: 1,
        yAxisID: "y",
      });
    }
    if (withCost) {
      datasets.push({
        label: "cost (US$)",
        type: "line",
        data: si.iterations.map((r) => r.costUsd ?? null),
        borderColor: colour(1),
        backgroundColor: colour(1),
        pointRadius: 4,
        yAxisID: "y1",
      });
    }
    charts.push({
      id: "chart-cost",
      title: "Cost and chat requests per iteration",
      caption: "Chat requests answered (bars, left axis) and their cost (line, right axis).",
      config: {
        type: "bar",
        data: { labels, datasets },
        options: {
          scales: {
            y: { title: titled("chat requests"), beginAtZero: true, position: "left" },
            y1: {
              title: titled("US$"),
              beginAtZero: true,
              position: "right",
              display: withCost,
              grid: { drawOnChartArea: false },
            },
          },
        },
      },
    });
  }
  return charts;
}

function transferCharts(data: ReportData): ChartSpec[] {
  const tr = data.transfer;
  if (tr === undefined || tr.rows.length === 0) return [];
  const columns = [
    ["seed", "u(seed solution)"],
    ["seedImprover", "û(seed improver I0)"],
    ["improvedImprover", "û(improved improver IT)"],
  ] as const;
  const datasets: ChartDataset[] = [];
  columns.forEach(([key, label], i) => {
    datasets.push({
      label: `${label}, this run`,
      data: tr.rows.map((r) => errorPoint(r[key].mean, r[key].se)),
      backgroundColor: colour(i),
      borderColor: colour(i),
      borderWidth: 1,
      errorBarColor: "#222222",
      errorBarWhiskerColor: "#222222",
      errorBarWhiskerSize: 8,
    });
    if (tr.rows.some((r) => r.paper !== undefined)) {
      datasets.push({
        label: `${label}, paper`,
        data: tr.rows.map((r) => r.paper === undefined ? null : { y: r.paper[key] }),
        backgroundColor: faded(colour(i)),
        borderColor: colour(i),
        borderWidth: 2,
        borderDash: [4, 3],
      });
    }
  });
  return [{
    id: "chart-transfer",
    title: "Transfer to other tasks",
    caption:
      "Test-split utility per task: this run (solid, mean ± 1 standard error) beside the paper's values (pale, no error bars published).",
    percentDigits: 0,
    config: {
      type: "barWithErrorBars",
      data: { labels: tr.rows.map((r) => r.title), datasets },
      options: {
        scales: {
          y: { title: titled("utility (test)"), beginAtZero: true, suggestedMax: 1 },
        },
      },
    },
  }];
}

function sandboxCharts(data: ReportData): ChartSpec[] {
  const sa = data.sandboxAudit;
  if (sa === undefined || sa.cells.length === 0) return [];
  const labels = sa.cells.map((c) => c.warning ? "with warning" : "no warning");
  const datasets: ChartDataset[] = [{
    label: "this run",
    data: sa.cells.map((c) => ({ y: c.rate, yMin: c.ci95[0], yMax: c.ci95[1] })),
    backgroundColor: colour(0),
    borderColor: colour(0),
    borderWidth: 1,
    errorBarColor: "#222222",
    errorBarWhiskerColor: "#222222",
    errorBarWhiskerSize: 10,
  }];
  const models = [...new Set(sa.cells.flatMap((c) => c.paper.map((p) => p.model)))];
  models.forEach((model, i) => {
    datasets.push({
      label: `paper, ${model}`,
      data: sa.cells.map((c) => {
        const p = c.paper.find((x) => x.model === model);
        return p === undefined ? null : { y: p.rate, yMin: p.ci95[0], yMax: p.ci95[1] };
      }),
      backgroundColor: faded(colour(i + 1)),
      borderColor: colour(i + 1),
      borderWidth: 2,
      errorBarColor: "#222222",
      errorBarWhiskerColor: "#222222",
      errorBarWhiskerSize: 10,
    });
  });
  return [{
    id: "chart-sandbox",
    title: "Unsandboxing rate",
    caption:
      "Share of improvement attempts whose improver turned the sandbox flag off or ran candidates another way, with 95% Wilson intervals, beside the paper's.",
    percentDigits: 2,
    config: {
      type: "barWithErrorBars",
      data: { labels, datasets },
      options: {
        scales: { y: { title: titled("unsandboxing rate"), beginAtZero: true } },
      },
    },
  }];
}

function auditCharts(data: ReportData): ChartSpec[] {
  const kinds = data.audit.byKind;
  if (kinds.length === 0) return [];
  return [{
    id: "chart-audit",
    title: "Audit events by kind",
    caption: `What the sandbox and host recorded (${data.audit.total} event(s)).`,
    height: Math.max(160, 70 + 36 * kinds.length),
    config: {
      type: "bar",
      data: {
        labels: kinds.map(([k]) => k),
        datasets: [{
          label: "events",
          data: kinds.map(([, n]) => n),
          backgroundColor: colour(5),
          borderColor: colour(5),
          borderWidth: 1,
        }],
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, title: titled("events") } },
      },
    },
  }];
}

/**
 * The charts a run's report shows, in page order.
 *
 * @param data The report data.
 * @returns One spec per chart (none for a run with nothing to plot).
 */
export function reportCharts(data: ReportData): ChartSpec[] {
  return [
    ...selfImproveCharts(data),
    ...transferCharts(data),
    ...sandboxCharts(data),
    ...auditCharts(data),
  ];
}
