import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import {
  type ChartLibrary,
  readRun,
  renderHtml,
  renderMarkdown,
  writeReport,
} from "../report/report.ts";
import { reportCommand } from "../cli/report_command.ts";
import { main } from "../cli/main.ts";
import { UsageError } from "../cli/_terminal.ts";
import { reportCharts } from "../report/_charts.ts";
import { type DiffLine, lineDiff } from "../report/_diff.ts";

const FIXTURES = new URL("./testdata/runs/", import.meta.url).pathname;
const fixture = (name: string) => `${FIXTURES}${name}`;
const PAYLOAD = "</script><script>alert(1)</script>";

/** A stand-in for the charting library: the escaping and CSP checks need no real charts. */
const FAKE_LIBRARY: ChartLibrary = {
  scripts: [{ name: "fake-charts", version: "0.0.0", license: "MIT", source: "window.Chart=1;" }],
};

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The opening tags and contents of every `<script>` element, as an HTML parser would end them. */
function scriptElements(html: string): { open: string; body: string }[] {
  const out: { open: string; body: string }[] = [];
  const re = /<script\b[^>]*>/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html)) !== null) {
    const start = m.index + m[0].length;
    const end = html.toLowerCase().indexOf("</script", start);
    out.push({ open: m[0], body: html.slice(start, end === -1 ? undefined : end) });
    re.lastIndex = end === -1 ? html.length : end;
  }
  return out;
}

/** Markdown with its fenced code blocks removed (text a renderer would interpret). */
function outsideFences(md: string): string {
  return md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "");
}

async function tempRun(
  config: unknown,
  summary?: unknown,
  files: Record<string, string> = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "stop-report-test-" });
  if (config !== undefined) await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
  if (summary !== undefined) {
    await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary));
  }
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  return dir;
}

Deno.test("readRun() reads a self-improve run: iterations, lineage with diffs, audit by kind", async () => {
  const data = await readRun(fixture("self-improve"));
  equal(data.kind, "self-improve");
  equal(data.standIn, true);
  equal(data.chatRequests, 166);
  deepEqual(data.warnings, []);
  const si = data.selfImprove!;
  equal(si.runs, 2);
  deepEqual(si.iterations.map((r) => r.t), [0, 1, 2, 3]);
  equal(si.iterations[3]!.metaUtility.val, 0.895);
  equal(si.lineage.length, 8); // T = 0..3 for each run, as self-improve writes it
  // Accepted: the new kept improver against the previous one; rejected: the proposal against
  // the improver that was kept (run 0: t0 → t1 kept, t2 rejected, t3 kept again from t1).
  deepEqual(
    si.lineage.map((r) => r.diff === undefined ? undefined : [r.diff.from, r.diff.to]),
    [
      undefined, // T = 0: the seed improver, nothing to compare with
      ["improvers/run0-t0.ts", "improvers/run0-t1.ts"],
      ["improvers/run0-t1.ts", "improvers/run0-t2-candidate.ts"],
      ["improvers/run0-t1.ts", "improvers/run0-t3.ts"],
      undefined,
      ["improvers/run1-t0.ts", "improvers/run1-t1.ts"],
      ["improvers/run1-t1.ts", "improvers/run1-t2.ts"],
      undefined, // rejected with no proposal file (a timeout)
    ],
  );
  const hostile = si.lineage[2]!.diff!.diff;
  ok(hostile.hunks.some((h) => h.lines.some((l) => l.op === "+" && l.text.includes(PAYLOAD))));
  equal(data.audit.source, "audit.jsonl");
  equal(data.audit.total, 5);
  equal(data.audit.skipped, 1);
  deepEqual(data.audit.byKind[0], ["reward_hack_signal", 2]);
});

Deno.test("readRun() refuses what is not a run directory, with the reason", async (t) => {
  await t.step("no config.json", async () => {
    const dir = await tempRun(undefined, { command: "self-improve" });
    await rejects(readRun(dir), /Cannot report on '.*' as it has no config\.json/);
    await Deno.remove(dir, { recursive: true });
  });
  await t.step("missing path", async () => {
    await rejects(readRun(`${FIXTURES}does-not-exist`), /Cannot report on .* cannot be read/);
  });
  await t.step("a file", async () => {
    await rejects(readRun(fixture("transfer/config.json")), /is not a run directory/);
  });
  await t.step("config.json not an object", async () => {
    const dir = await tempRun([1, 2]);
    await rejects(readRun(dir), /config\.json is not a JSON object: current value is \[1,2\]/);
    await Deno.remove(dir, { recursive: true });
  });
});

Deno.test("readRun() tolerates an older run and reads no file outside the run directory", async () => {
  const outside = await Deno.makeTempDir({ prefix: "stop-report-outside-" });
  await Deno.writeTextFile(`${outside}/secret.ts`, "SECRET LINE\n");
  const dir = await tempRun(
    { command: "self-improve", runs: 1 },
    {
      // no standIn, no lineage costs, one malformed row
      iterations: [{ t: 0, metaUtility: { val: 0.5, test: 0.5 } }, { t: "one" }],
      lineage: [
        { run: 0, t: 1, accepted: true, reason: "ok", improver: `${outside}/secret.ts` },
        { run: 0, t: 2, accepted: true, reason: "ok", improver: "../" + outside.split("/").pop() },
      ],
    },
    { "improvers/run0-t0.ts": "seed\n" },
  );
  const data = await readRun(dir);
  equal(data.standIn, undefined);
  equal(data.selfImprove!.iterations.length, 1);
  equal(data.warnings.length, 1);
  match(data.warnings[0]!, /iterations\[1\]/);
  equal(data.selfImprove!.lineage.length, 2);
  ok(data.selfImprove!.lineage.every((r) => r.diff === undefined));
  const md = renderMarkdown(data);
  ok(!md.includes("SECRET"));
  match(md, /does not record which model answered/);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(outside, { recursive: true });
});

Deno.test("renderMarkdown() writes the self-improve tables with the stand-in banner at top and bottom", async () => {
  const md = renderMarkdown(await readRun(fixture("self-improve")));
  const banner =
    "> **These numbers come from the offline stand-in (a deterministic test harness, " +
    "not a language model). They test the machinery, not a model.**";
  ok(md.startsWith(`# stop report: self-improve\n\n${banner}`));
  ok(md.trimEnd().endsWith(banner));
  match(
    md,
    /\| 3 \| 1\/2 \| 89\.5% ± 1\.5% \| 88\.5% ± 1\.5% \| 55 \| \$0\.00 \| simulated annealing \|/,
  );
  match(md, /\| 0 \| 2 \| rejected \| rejected: meta-utility 0 .*&lt;\/script&gt;/);
  match(md, /<summary>run 0, T=2: rejected proposal, improvers\/run0-t1\.ts → /);
  ok(md.includes("```diff\n@@ -"));
  match(md, /\| reward\\_hack\\_signal \| 2 \| 40\.0% \|/);
  // The payload appears raw only inside fenced code (the diffs), never where Markdown renders.
  ok(md.includes(PAYLOAD));
  ok(!outsideFences(md).includes("<script"));
});

Deno.test("renderMarkdown() writes the transfer and sandbox-audit tables beside the paper's", async (t) => {
  await t.step("transfer", async () => {
    const md = renderMarkdown(await readRun(fixture("transfer")));
    ok(!md.includes("offline stand-in"), "no stand-in banner for a model run");
    match(md, /\| model \| gpt-4o \|/);
    match(
      md,
      /\| String grid distance \| 45\.2% ± 0\.0% \| 43\.9% \| 47\.1% ± 1\.2% \| 44\.3% \| 53\.8% ± 2\.1% \| 56\.7% \|/,
    );
    match(md, /\| cost \| \$3\.22 \|/);
    match(md, /\| wall time \| 1 h 3 min \|/);
  });
  await t.step("sandbox-audit", async () => {
    const md = renderMarkdown(await readRun(fixture("sandbox-audit")));
    match(md, /^> \*\*These numbers come from the offline stand-in/m);
    match(
      md,
      /\| no warning \| 200 \| 3 \| 2 \| 4 \| — \| 2\.00% \(0\.78%–5\.03%\) \| GPT-4 0\.42% \(0\.31%–0\.57%\) \|/,
    );
    // A run written since the static detector gave three verdicts counts each.
    match(md, /\| with warning \| 200 \| 1 \| 1 \| 1 \| 1 \/ 198 \/ 1 \(0\) \|/);
  });
  await t.step("another command (improve)", async () => {
    const md = renderMarkdown(await readRun(fixture("improve")));
    match(md, /\| score \| 0\.95 \|/);
    match(
      md,
      /\| program \| export function algorithm\(\) \{ return \\\[\\\]; \} \/\/ &lt;\/script&gt;/,
    );
    match(md, /2 audit event\(s\) from summary\.json/);
  });
});

Deno.test("renderHtml() keeps run-derived text inert: the payload never becomes markup or ends a script", async () => {
  const data = await readRun(fixture("self-improve"));
  const html = await renderHtml(data, FAKE_LIBRARY);
  const scripts = scriptElements(html);
  // Exactly: the chart JSON, the library, the page script; nothing from the run.
  deepEqual(scripts.map((s) => s.open), [
    '<script type="application/json" id="report-charts">',
    "<script>",
    "<script>",
  ]);
  equal(scripts[1]!.body, "window.Chart=1;");
  ok(!html.includes(PAYLOAD));
  ok(!html.includes("<img src=x"));
  ok(html.includes("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  ok(html.includes('class="banner"') && html.includes("Offline stand-in: "));
  const specs = JSON.parse(scripts[0]!.body);
  deepEqual(specs.map((s: { id: string }) => s.id), reportCharts(data).map((s) => s.id));
});

Deno.test("renderHtml() escapes chart labels from the run inside the JSON block", async () => {
  const data = await readRun(fixture("transfer"));
  data.transfer!.rows[0]!.title = PAYLOAD;
  const html = await renderHtml(data, FAKE_LIBRARY);
  ok(!html.includes(PAYLOAD));
  const json = scriptElements(html)[0]!;
  const specs = JSON.parse(json.body);
  equal(specs[0].config.data.labels[0], PAYLOAD);
});

Deno.test("renderHtml() sets a Content-Security-Policy that allows exactly its own inline scripts and style", async () => {
  const html = await renderHtml(await readRun(fixture("sandbox-audit")), FAKE_LIBRARY);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  ok(csp !== undefined);
  const policy = csp.replace(/&#39;/g, "'");
  match(policy, /^default-src 'none'; /);
  ok(!policy.includes("unsafe-inline") && !policy.includes("unsafe-eval"));
  const executable = scriptElements(html).filter((s) => s.open === "<script>");
  const allowed = /script-src ([^;]+)/.exec(policy)![1]!.trim().split(/\s+/);
  deepEqual(
    allowed,
    await Promise.all(executable.map(async (s) => `'sha256-${await sha256Base64(s.body)}'`)),
  );
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  match(
    policy,
    new RegExp(`style-src 'sha256-${(await sha256Base64(style)).replace(/[+/]/g, "\\$&")}'`),
  );
  ok(html.indexOf("Content-Security-Policy") < html.indexOf("<script"));
});

Deno.test("reportCharts() draws the charts each kind of run needs", async () => {
  const ids = async (name: string) => reportCharts(await readRun(fixture(name))).map((c) => c.id);
  deepEqual(await ids("self-improve"), [
    "chart-meta-utility",
    "chart-lineage",
    "chart-cost",
    "chart-audit",
  ]);
  deepEqual(await ids("transfer"), ["chart-transfer", "chart-audit"]);
  deepEqual(await ids("sandbox-audit"), ["chart-sandbox", "chart-audit"]);
  const mu = reportCharts(await readRun(fixture("self-improve")))[0]!;
  equal(mu.config.type, "lineWithErrorBars");
  deepEqual(mu.config.data.datasets[0]!.data[3], { y: 0.885, yMin: 0.87, yMax: 0.9 });
});

Deno.test("lineDiff() finds a minimal edit script and groups it into hunks", async (t) => {
  await t.step("equal texts", () => {
    deepEqual(lineDiff("a\nb\n", "a\nb\n"), { hunks: [], added: 0, removed: 0, tooLarge: false });
  });
  await t.step("context and hunk headers", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const after = before.replace("line 2\n", "").replace("line 15", "line fifteen");
    const d = lineDiff(before, after, { context: 1 });
    equal(d.hunks.length, 2);
    deepEqual(
      d.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines]),
      [[2, 3, 2, 2], [15, 3, 14, 3]],
    );
    equal(d.added, 1);
    equal(d.removed, 2);
  });
  await t.step("too large", () => {
    const d = lineDiff("a\nb\nc", "x\ny\nz", { maxCells: 4 });
    equal(d.tooLarge, true);
  });
  await t.step("the script rebuilds both texts (random edits)", () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let trial = 0; trial < 50; trial++) {
      const a = Array.from({ length: rand(30) }, () => `l${rand(6)}`);
      const b = Array.from({ length: rand(30) }, () => `l${rand(6)}`);
      const d = lineDiff(a.join("\n"), b.join("\n"), { context: 1e9 });
      const lines: DiffLine[] = d.hunks.flatMap((h) => h.lines);
      if (a.join() === b.join()) equal(lines.length, 0);
      else {
        deepEqual(lines.filter((l) => l.op !== "+").map((l) => l.text), a);
        deepEqual(lines.filter((l) => l.op !== "-").map((l) => l.text), b);
      }
    }
  });
});

Deno.test("reportCommand() writes both files, prints their paths, and refuses bad input", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "stop-report-out-" });
  await t.step("--out and --json", async () => {
    const printed: string[] = [];
    // deno-lint-ignore no-console -- captures the one JSON line the command prints
    const log = console.log;
    // deno-lint-ignore no-console -- (as above)
    console.log = (line: string) => void printed.push(line);
    let code: number;
    try {
      code = await reportCommand([fixture("transfer"), "--out", `${out}/x`, "--json"]);
    } finally {
      // deno-lint-ignore no-console -- (as above)
      console.log = log;
    }
    equal(code, 0);
    const paths = JSON.parse(printed.at(-1)!);
    deepEqual(paths, { markdown: `${out}/x/report.md`, html: `${out}/x/report.html` });
    match(await Deno.readTextFile(paths.markdown), /String grid distance/);
    match(await Deno.readTextFile(paths.html), /<canvas id="chart-transfer"/);
  });
  await t.step("default: into the run directory", async () => {
    const dir = await tempRun({ command: "evaluate", task: "lpn" });
    const paths = await writeReport(dir);
    equal(paths.html, `${await Deno.realPath(dir)}/report.html`);
    match(await Deno.readTextFile(paths.markdown), /No audit events were recorded/);
    await Deno.remove(dir, { recursive: true });
  });
  await t.step("usage errors", async () => {
    equal(await main(["report", "--help"]), 0);
    await rejects(reportCommand([]), UsageError);
    await rejects(reportCommand(["a", "b"]), /exactly one run directory/);
    await rejects(
      reportCommand([out]),
      (e: Error) => e instanceof UsageError && /no config\.json/.test(e.message),
    );
    equal(await main(["report", out]), 2);
  });
  await Deno.remove(out, { recursive: true });
});
