import { deepEqual, equal, ok } from "node:assert/strict";
import { type ChartLibrary, readRun, renderHtml, renderMarkdown } from "../report/report.ts";
import { STAND_IN_METHOD } from "../lm/mod.ts";
import { escapeHtml } from "../report/_format.ts";

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

/** A table as a reader sees it: headers, right-aligned columns, and each cell's text. */
interface SeenTable {
  headers: string[];
  numeric: number[];
  rows: string[][];
}

const fold = (text: string) => text.replace(/\s+/g, " ").trim();

/**
 * The tables of a Markdown report, with each cell's text as GitHub renders it: a code span's
 * text as it stands, backslash escapes and character references outside them resolved.
 */
function markdownTables(md: string): SeenTable[] {
  const cells = (line: string) =>
    line.slice(2, -2).split(" | ").map((c) =>
      fold(
        c.replace(
          /`([^`]*)`|\\([\\`*_[\]|])|&(lt|gt|amp);/g,
          (_, code, escaped, entity) =>
            code ?? escaped ?? { lt: "<", gt: ">", amp: "&" }[entity as "lt" | "gt" | "amp"],
        ),
      )
    );
  const blocks = md.split("\n\n").filter((b) => b.startsWith("| ") && !b.includes("\n\n"));
  return blocks.map((block) => {
    const [head, rule, ...rows] = block.split("\n");
    return {
      headers: cells(head!),
      numeric: rule!.slice(2, -2).split(" | ").flatMap((c, i) => c === "---:" ? [i] : []),
      rows: rows.map(cells),
    };
  });
}

/** The tables of an HTML report, with each cell's text as a browser shows it. */
function htmlTables(html: string): SeenTable[] {
  const text = (cell: string) =>
    fold(
      cell.replace(/<br>/g, "; ").replace(/<[^>]*>/g, "").replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
        .replace(/&amp;/g, "&"),
    );
  return [...html.matchAll(/<table[^>]*>([\s\S]*?)<\/table>/g)].map((m) => {
    const rows = [...m[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((
      r,
    ) => [...r[1]!.matchAll(/<(th|td)([^>]*)>([\s\S]*?)<\/\1>/g)]);
    const facts = rows.length > 0 && rows[0]![0]![2]!.includes('scope="row"');
    const head = facts ? undefined : rows[0];
    const body = facts ? rows : rows.slice(1);
    const numeric = (body[0] ?? []).flatMap((c, i) => c[2]!.includes('class="num"') ? [i] : []);
    return {
      headers: head === undefined ? body[0]!.map(() => "") : head.map((c) => text(c[3]!)),
      numeric,
      rows: body.map((r) => r.map((c) => text(c[3]!))),
    };
  });
}

Deno.test("renderMarkdown() and renderHtml() show every table alike: headers, alignment, cells", async (t) => {
  const runs = ["self-improve", "transfer", "sandbox-audit", "improve"];
  for (const name of runs) {
    await t.step(name, async () => {
      const data = await readRun(fixture(name));
      // What a run can hold beyond the fixtures: long ids and details, odd characters.
      const long = "x".repeat(300);
      data.audit.examples = data.audit.examples.map((e, i) =>
        i === 0 ? { ...e, program: `${e.program}${"f".repeat(40)}`, detail: `<b>|_*${long}` } : e
      );
      data.audit.byProgram = data.audit.byProgram.map(([p, n]) => [`${p}${"e".repeat(40)}`, n]);
      data.config = { ...data.config, note: `a_b | \`c\` <i> ${long}${long}` };
      data.permissionLog = {
        file: `${data.runDir}/deno-permission-audit.jsonl`,
        total: 7,
        skipped: 0,
        declared: { read: [], write: [], net: [], run: [], env: [] },
        declaredFrom: "defaults",
        rows: [{ permission: "net", place: "other", checks: 2, distinct: 1, outside: 2 }],
        outside: [
          { permission: "read", value: "/etc/pass_wd*", place: "other", checks: 1 },
          { permission: "net", value: "evil_host:443 <b>|`x`", place: "other", checks: 1 },
        ],
      };
      const md = markdownTables(renderMarkdown(data));
      const html = htmlTables(await renderHtml(data, FAKE_LIBRARY));
      ok(md.length >= 4, `${md.length} tables`);
      equal(md.length, html.length);
      for (const [i, table] of md.entries()) {
        deepEqual(table, html[i], `table ${i} (${table.headers.join(", ")})`);
      }
    });
  }
});
