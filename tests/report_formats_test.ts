import { equal, ok } from "node:assert/strict";
import { type ChartLibrary, readRun, renderHtml, renderMarkdown } from "../experiments/report.ts";
import { STAND_IN_METHOD } from "../lm/mod.ts";
import { escapeHtml } from "../experiments/_report_format.ts";

const FIXTURES = new URL("./testdata/runs/", import.meta.url).pathname;
const fixture = (name: string) => `${FIXTURES}${name}`;
const FAKE_LIBRARY: ChartLibrary = {
  scripts: [{ name: "fake-charts", version: "0.0.0", license: "MIT", source: "window.Chart=1;" }],
};
const count = (text: string, part: string) => text.split(part).length - 1;

Deno.test("both report formats say how the stand-in is built, once, under the top banner", async (t) => {
  for (const name of ["self-improve", "sandbox-audit"]) {
    await t.step(name, async () => {
      const data = await readRun(fixture(name));
      equal(data.standIn, true);
      const md = renderMarkdown(data);
      equal(count(md, STAND_IN_METHOD), 1);
      ok(md.indexOf(STAND_IN_METHOD) < md.indexOf("| --- |"), "before the first table");
      const html = await renderHtml(data, FAKE_LIBRARY);
      equal(count(html, escapeHtml(STAND_IN_METHOD)), 1);
      ok(html.indexOf(escapeHtml(STAND_IN_METHOD)) < html.indexOf("</header>"), "in the header");
    });
  }
  await t.step("not for a model run (transfer)", async () => {
    const data = await readRun(fixture("transfer"));
    ok(!renderMarkdown(data).includes(STAND_IN_METHOD));
    ok(!(await renderHtml(data, FAKE_LIBRARY)).includes(escapeHtml(STAND_IN_METHOD)));
  });
});
