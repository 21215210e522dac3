/**
 * With concurrent evaluations, `audit.jsonl` holds its records in the order the evaluations
 * finished, which changes from run to run. Every summary of it (the report's audit tables, the
 * `audit` command's text and JSON) must depend only on which records there are.
 *
 * @module
 */
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { readRun, renderHtml, renderMarkdown } from "../report/report.ts";
import { summarizeAudit } from "../experiments/audit_summary.ts";
import { auditCommand } from "../cli/audit_command.ts";
import { captured } from "./fakes/captured_output.ts";

const hash = (n: number) => n.toString(16).padStart(2, "0").repeat(8);

/**
 * Records of one run, in the order one run wrote them: several kinds, several programs per kind
 * with different details, host records with no program, twelve programs with the same count
 * (so the report's ten busiest must break ties), and times that follow the writing order.
 */
function records(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const add = (kind: string, detail: string, program?: string, signal?: string) =>
    out.push({
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, out.length)).toISOString(),
      run: "r",
      ...(program === undefined ? {} : { program }),
      kind,
      ...(signal === undefined ? {} : { signal }),
      detail,
    });
  for (let p = 0; p < 12; p++) {
    add("timeout", `call ${p} passed its deadline of ${100 + p} ms`, hash(p + 1));
    add("capability_attempt", `read ${p % 2 === 0 ? "Deno" : "process"}`, hash(p + 1));
  }
  add("capability_attempt", "read fetch", hash(3));
  add("budget_exceeded", "model budget of 4 calls spent");
  add("budget_exceeded", "utility budget of 25 calls spent");
  add("reward_hack_signal", "returned the same label for every test sample", hash(40));
  add("reward_hack_signal", "a label of 2 where 0 or 1", hash(41));
  add("module_refused", "node:fs", hash(40));
  return out;
}

/** Deterministic shuffles: reversed, and interleaved from both ends. */
const ORDERS: [string, (xs: Record<string, unknown>[]) => Record<string, unknown>[]][] = [
  ["reversed", (xs) => [...xs].reverse()],
  ["interleaved", (xs) => xs.map((_, i) => xs[i % 2 === 0 ? i / 2 : xs.length - 1 - (i - 1) / 2]!)],
  ["rotated", (xs) => [...xs.slice(7), ...xs.slice(0, 7)]],
];

async function withRun(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stop-audit-order-" });
  try {
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ command: "evaluate" }));
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeLog(dir: string, xs: Record<string, unknown>[]): Promise<void> {
  await Deno.writeTextFile(`${dir}/audit.jsonl`, xs.map((x) => JSON.stringify(x) + "\n").join(""));
}

/** Every output built from the audit log, as text. */
async function outputs(dir: string): Promise<Record<string, string>> {
  const data = await readRun(dir);
  const text = await captured(() => auditCommand([dir]));
  const json = await captured(() => auditCommand([dir, "--json"]));
  return {
    data: JSON.stringify(data.audit),
    markdown: renderMarkdown(data),
    html: await renderHtml(data, { scripts: [] }),
    summary: JSON.stringify(await summarizeAudit(dir)),
    text: text.lines.join("\n"),
    json: json.lines.join("\n"),
  };
}

Deno.test("the report and the audit summary do not depend on the order of audit.jsonl", async (t) => {
  await withRun(async (dir) => {
    const written = records();
    await writeLog(dir, written);
    const first = await outputs(dir);
    await t.step("the example of a kind is chosen by content, not by position", async () => {
      await writeLog(dir, [...written].reverse());
      const examples = (await readRun(dir)).audit.examples;
      await writeLog(dir, written);
      const timeout = examples.find((e) => e.kind === "timeout");
      deepEqual(timeout, {
        kind: "timeout",
        program: hash(1),
        detail: "call 0 passed its deadline of 100 ms",
      });
      // Host records have no program: a record with one comes first.
      equal(examples.find((e) => e.kind === "budget_exceeded")?.program, "(host)");
      equal(examples.find((e) => e.kind === "reward_hack_signal")?.program, hash(40));
    });
    for (const [name, reorder] of ORDERS) {
      await t.step(`${name}: the same outputs`, async () => {
        const moved = reorder(written);
        notEqual(JSON.stringify(moved), JSON.stringify(written), "the order really changed");
        deepEqual([...moved].sort(byTime), [...written].sort(byTime), "the same records");
        await writeLog(dir, moved);
        const again = await outputs(dir);
        const differ = Object.keys(first).filter((key) => again[key] !== first[key]);
        deepEqual(differ, [], `these outputs changed with the order: ${differ.join(", ")}`);
      });
    }
  });
});

Deno.test("the report's busiest programs break ties by program, keeping ten of twelve", async () => {
  await withRun(async (dir) => {
    const written = records();
    await writeLog(dir, [...written].reverse());
    const busiest = (await readRun(dir)).audit.byProgram;
    equal(busiest.length, 10);
    // hash(3) has three events; the host, hash(40) and eleven others have two and go by name,
    // so hash(10), hash(11), hash(12) and hash(40) are left out whatever the file order.
    deepEqual(busiest[0], [hash(3), 3]);
    deepEqual(busiest.slice(1).map(([p]) => p), ["(host)", ...[1, 2, 4, 5, 6, 7, 8, 9].map(hash)]);
    ok(busiest.slice(1).every(([, n]) => n === 2));
  });
});

function byTime(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.time) < String(b.time) ? -1 : 1;
}
