import { deepEqual, equal, ok } from "node:assert/strict";
import { captured } from "./fakes/captured_output.ts";
import { auditCommand } from "../cli/audit_command.ts";
import { cliPermissions } from "../experiments/run_permissions.ts";
import { summarizePermissionLog } from "../experiments/permission_log.ts";
import { readRun, renderMarkdown } from "../report/report.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

const check = (permission: string, value: string | null) =>
  JSON.stringify({ v: 1, datetime: "2026-11-28T09:00:00Z", permission, value });

/** Checks a run of the CLI makes, all inside what it declared. */
function innocent(dir: string): string[] {
  return [
    check("env", "OPENAI_API_KEY"),
    check("env", "STOP_RUNS_DIR"),
    check("read", `${ROOT}/improvers/programs/seed_improver.ts`),
    check("read", "./tests/testdata/runs/improve/config.json"), // relative to the project
    check("read", `${ROOT}/.cache/plugin/stop-sandbox-0.wasm`),
    check("write", `${dir}/config.json`),
    check("read", `${dir}/cache.jsonl`),
    check("write", `${dir}/cache.jsonl`),
    check("net", "llm.internal:8000"),
    check("net", "127.0.0.1:41234"),
    check("net", "localhost:8080"),
  ];
}

/** The out-of-set checks added, each with an innocent look-alike above. */
const OUTSIDE: [string, string | null][] = [
  ["read", "/etc/passwd"],
  ["read", `${ROOT}-evil/secrets.ts`], // the project's path as a prefix, not a parent
  ["read", `${ROOT}/../etc/shadow`], // under the project only by its spelling
  ["read", "../etc/hosts"], // relative, and out of the project
  ["write", `${ROOT}/deno.json`], // the project may be read, not written
  ["env", "AWS_SECRET_ACCESS_KEY"],
  ["env", null], // the whole environment
  ["net", "llm.internal:9000"], // the model host on another port
  ["net", "llm.internal.evil.example:8000"], // the model host as a prefix
  ["net", "api.openai.com:443"], // a model host this run did not declare
  ["run", "sh"],
  ["sys", "hostname"],
];

/** How the summary shows a value: a relative path resolved against the project. */
const shown = (permission: string, value: string | null) =>
  value === null
    ? "(all)"
    : ["read", "write"].includes(permission) && !value.startsWith("/")
    ? `${ROOT}/${value}`
    : value;

async function runDir(options: { outside: boolean; declared: boolean }): Promise<string> {
  const runs = await Deno.realPath(await Deno.makeTempDir({ prefix: "stop-permlog-" }));
  const dir = `${runs}/20261128-090000-self-improve-abcdef`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ command: "self-improve" }));
  if (options.declared) {
    const declared = cliPermissions({
      projectRoot: ROOT,
      runsRoot: runs,
      modelHost: "llm.internal:8000",
    });
    await Deno.writeTextFile(`${dir}/permissions.json`, JSON.stringify(declared));
  }
  const lines = innocent(dir);
  if (options.outside) {
    // The same out-of-set check twice (e.g. by two processes of a resumed run).
    for (const [p, v] of [...OUTSIDE, OUTSIDE[0]!]) lines.push(check(p, v));
  }
  lines.push('{"v":1,"permission":"re'); // a torn last line
  await Deno.writeTextFile(`${dir}/deno-permission-audit.jsonl`, lines.join("\n"));
  return dir;
}

Deno.test("the permission log's checks are grouped by permission and place", async () => {
  const dir = await runDir({ outside: false, declared: true });
  try {
    const log = (await summarizePermissionLog(dir))!;
    equal(log.total, 11);
    equal(log.skipped, 1);
    equal(log.declaredFrom, "permissions.json");
    deepEqual(log.outside, []);
    const rows = Object.fromEntries(
      log.rows.map((r) => [`${r.permission}/${r.place}`, [r.checks, r.distinct, r.outside]]),
    );
    deepEqual(rows, {
      "read/project files": [3, 3, 0],
      "read/run directory": [1, 1, 0],
      "write/run directory": [2, 2, 0],
      "net/model host": [3, 3, 0],
      "env/environment variables": [2, 2, 0],
    });
  } finally {
    await Deno.remove(dir.replace(/\/[^/]*$/, ""), { recursive: true });
  }
});

Deno.test("every check outside the run's declared permissions is flagged, and only those", async () => {
  const dir = await runDir({ outside: true, declared: true });
  try {
    const log = (await summarizePermissionLog(dir))!;
    const flagged = log.outside.map((o) => `${o.permission} ${o.value} ×${o.checks}`).sort();
    const expected = OUTSIDE.map(([p, v]) =>
      `${p} ${shown(p, v)} ×${p === OUTSIDE[0]![0] && v === OUTSIDE[0]![1] ? 2 : 1}`
    ).sort();
    deepEqual(flagged, expected);
    equal(log.outside[0]!.value, "/etc/passwd", "the most frequent first");
    equal(log.rows.reduce((a, r) => a + r.outside, 0), OUTSIDE.length + 1);

    const { code, lines } = await captured(() => auditCommand([dir]));
    equal(code, 0);
    const flagLine = lines.findIndex((l) => /OUTSIDE the run's declared permissions/.test(l));
    ok(flagLine >= 0 && flagLine <= 1, `flagged at the top: ${lines.slice(0, 3).join("\n")}`);
    for (const [p, v] of OUTSIDE) {
      ok(
        lines.slice(flagLine + 1, flagLine + 1 + OUTSIDE.length).some((l) =>
          l.includes(`${p.padEnd(6)} ${shown(p, v)}  ×`)
        ),
        `${p} ${v} listed under the flag`,
      );
    }
    ok(lines.some((l) => /^permission\s+place\s+checks\s+distinct\s+outside/.test(l)));
    ok(lines.some((l) => /^read\s+other\s+5\s+4\s+5$/.test(l)), lines.join("\n"));

    const { lines: json } = await captured(() => auditCommand([dir, "--json"]));
    const parsed = JSON.parse(json.at(-1)!);
    equal(parsed.permissionLog.outside.length, OUTSIDE.length);

    const markdown = renderMarkdown(await readRun(dir));
    ok(markdown.includes("## Deno permission log"), "the report has the table");
    ok(markdown.includes("OUTSIDE"), "the report flags the out-of-set checks");
    ok(markdown.includes("`/etc/passwd`"));
  } finally {
    await Deno.remove(dir.replace(/\/[^/]*$/, ""), { recursive: true });
  }
});

Deno.test("a run without permissions.json is held against the CLI's default permissions", async () => {
  const dir = await runDir({ outside: false, declared: false });
  try {
    const log = (await summarizePermissionLog(dir))!;
    equal(log.declaredFrom, "defaults");
    // Without a declaration the model host and a run directory outside runs/ are not declared.
    const flagged = log.outside.map((o) => `${o.permission} ${o.value}`);
    ok(flagged.includes("net llm.internal:8000"), flagged.join(", "));
    ok(flagged.includes(`write ${dir}/config.json`), flagged.join(", "));
    ok(!flagged.some((f) => f.startsWith("env ")), "the CLI's variables are declared");
    ok(!flagged.includes("net 127.0.0.1:41234"), "loopback is declared");
  } finally {
    await Deno.remove(dir.replace(/\/[^/]*$/, ""), { recursive: true });
  }
});

Deno.test("a run without a permission log says so", async () => {
  const runs = await Deno.makeTempDir({ prefix: "stop-permlog-" });
  try {
    await Deno.writeTextFile(`${runs}/config.json`, JSON.stringify({ command: "improve" }));
    equal(await summarizePermissionLog(runs), undefined);
    const { lines } = await captured(() => auditCommand([runs]));
    ok(lines.includes("\nDeno permission log: none in this run directory"), lines.join("\n"));
  } finally {
    await Deno.remove(runs, { recursive: true });
  }
});
