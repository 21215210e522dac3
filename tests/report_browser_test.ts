/**
 * Opens the HTML reports of the fixture runs in headless Chromium (Debian's `chromium`) and
 * checks, on the DOM the browser dumps after running the page, that every chart was drawn by
 * Chart.js: each canvas has painted pixels, as many data points as its data, and an error bar
 * for every point that has one; the page met its own Content-Security-Policy; and a hostile
 * string from the run stayed text.
 *
 * Needs `chromium` on the PATH (`deno task test` installs it first when run as root, via
 * `setup/install_packages.ts browser`; otherwise: `apt-get install -y chromium`)
 * and the charting library fetched by `deno task setup`.
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import { readRun, writeReport } from "../report/report.ts";
import { type ChartSpec, reportCharts } from "../report/_charts.ts";

const FIXTURES = new URL("./testdata/runs/", import.meta.url).pathname;
const INSTALL = "apt-get update && apt-get install -y chromium";

/** Runs headless Chromium on a local page and returns the DOM after its scripts ran. */
async function dumpDom(htmlPath: string): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "stop-chromium-" });
  try {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command("chromium", {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-extensions",
          "--disable-background-networking",
          `--user-data-dir=${profile}`,
          "--window-size=1100,900",
          "--virtual-time-budget=2000",
          "--dump-dom",
          `file://${htmlPath}`,
        ],
        stdout: "piped",
        stderr: "piped",
        stdin: "null",
      }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(
          `Cannot run the browser test as 'chromium' is not installed: current value is no 'chromium' on the PATH. Install Debian's package: ${INSTALL}`,
        );
      }
      throw error;
    }
    const stderr = new TextDecoder().decode(output.stderr);
    ok(output.success, `chromium exited with ${output.code}:\n${stderr.slice(-2000)}`);
    return new TextDecoder().decode(output.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** The attributes of the first element matching `tag` with `id` (or of `<body>`). */
function attributes(dom: string, tag: string, id?: string): Record<string, string> {
  const re = new RegExp(`<${tag}\\b[^>]*${id === undefined ? "" : `id="${id}"`}[^>]*>`);
  const found = re.exec(dom);
  ok(found !== null, `no <${tag}${id === undefined ? "" : ` id=${id}`}> in the DOM`);
  const attrs: Record<string, string> = {};
  for (const m of found[0].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[m[1]!] = m[2]!;
  return attrs;
}

/** Data points and error bars a chart must show, counted from its spec. */
function expected(spec: ChartSpec): { elements: number; errorBars: number } {
  let elements = 0, errorBars = 0;
  for (const dataset of spec.config.data.datasets) {
    for (const point of dataset.data) {
      if (point === null) continue;
      elements++;
      if (typeof point === "object" && "yMin" in point && point.yMin !== undefined) errorBars++;
    }
  }
  return { elements, errorBars };
}

async function checkReport(name: string, minCharts: number): Promise<string> {
  const out = await Deno.makeTempDir({ prefix: `stop-report-${name}-` });
  try {
    const { html } = await writeReport(`${FIXTURES}${name}`, { outDir: out });
    const specs = reportCharts(await readRun(`${FIXTURES}${name}`));
    ok(specs.length >= minCharts, `${name}: ${specs.length} chart(s), expected ${minCharts}+`);
    const dom = await dumpDom(html);
    const body = attributes(dom, "body");
    equal(body["data-errors"], undefined, `${name}: chart errors: ${body["data-errors"]}`);
    equal(body["data-charts"], String(specs.length));
    equal(body["data-rendered"], String(specs.length), `${name}: charts drawn`);
    equal(body["data-csp-violations"], "0", `${name}: Content-Security-Policy violations`);
    for (const spec of specs) {
      const canvas = attributes(dom, "canvas", spec.id);
      const want = expected(spec);
      equal(canvas["data-elements"], String(want.elements), `${name} ${spec.id}: data points`);
      equal(canvas["data-error-bars"], String(want.errorBars), `${name} ${spec.id}: error bars`);
      ok(Number(canvas["data-painted"]) > 2000, `${name} ${spec.id}: painted pixels`);
    }
    return dom;
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("report.html renders its charts in headless Chromium (self-improve, transfer, sandbox-audit)", async (t) => {
  await t.step(
    "self-improve: error bars, lineage, cost, audit; the hostile payload stays text",
    async () => {
      const dom = await checkReport("self-improve", 4);
      // The reason and the improver source carry "</script><script>alert(1)</script>": after the
      // page ran, it is still escaped text, and the only scripts are the report's own.
      ok(dom.includes("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
      equal([...dom.matchAll(/<script\b/g)].length, 4, "the page's own four script elements");
      ok(!dom.includes('<img src="x"'), "no element made from run data");
    },
  );
  await t.step("transfer: grouped bars with error bars beside the paper's", async () => {
    await checkReport("transfer", 2);
  });
  await t.step("sandbox-audit: rates with 95% intervals beside the paper's", async () => {
    await checkReport("sandbox-audit", 2);
  });
});

Deno.test("the browser check notices a script the policy does not allow", async () => {
  // Guards the 'no violations' assertion above: an injected inline script is blocked and
  // counted, so a page that relied on one would fail that check.
  const out = await Deno.makeTempDir({ prefix: "stop-report-csp-" });
  try {
    const { html } = await writeReport(`${FIXTURES}sandbox-audit`, { outDir: out });
    const page = await Deno.readTextFile(html);
    await Deno.writeTextFile(
      html,
      page.replace(
        "</body>",
        '<script>document.body.setAttribute("data-ran", "1")</script></body>',
      ),
    );
    const body = attributes(await dumpDom(html), "body");
    equal(body["data-ran"], undefined, "the injected script must not run");
    ok(Number(body["data-csp-violations"]) >= 1, "the violation is counted");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
