/**
 * Kill a self-improvement run at several moments (during a model call, during a meta-utility
 * evaluation, and with torn writes at the end of its logs), resume it, and compare with an
 * uninterrupted run: the same numbers, each step once in the event log, no completed call
 * paid twice, the same audit events. The run is a real `deno` process killed with SIGKILL;
 * the model is the offline stand-in (a test harness, not a language model) served over HTTP,
 * holding each request until the test has looked at the run, so that a kill lands while a
 * request is in flight whatever the machine's speed.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { readLedger } from "../lm/mod.ts";
import { OfflineBackend, serveOfflineModel } from "../stand_in/mod.ts";
import type { ChatBackend } from "../lm/chat_backend.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";
import { cliPermissions, permissionFlags } from "../experiments/run_permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SMALL_FLAGS = [
  "--iterations",
  "1",
  "--responses",
  "2",
  "--lm-budget",
  "2",
  "--utility-budget",
  "3",
  "--meta-budget",
  "3",
  "--meta-tests",
  "2",
  "--sandboxes",
  "2",
];

let processes = 0;

function cli(runs: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command("deno", {
    args: [
      "run",
      ...permissionFlags(cliPermissions({ projectRoot: ROOT, runsRoot: runs })),
      "cli/main.ts",
      ...args,
    ],
    cwd: ROOT,
    // Each process gets its own Deno permission audit, as `deno task stop` gives it.
    env: {
      STOP_RUNS_DIR: runs,
      NO_COLOR: "1",
      DENO_AUDIT_PERMISSIONS: `${runs}/.permission-audit-${++processes}.jsonl`,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(child: Deno.ChildProcess): Promise<string> {
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  equal(code, 0, text);
  return text;
}

async function onlyRunDir(runs: string): Promise<string> {
  const names = await Array.fromAsync(Deno.readDir(runs), (e) => e.name);
  const dirs = names.filter((n) => n.includes("-self-improve-"));
  equal(dirs.length, 1, `one run directory in ${runs}: ${names}`);
  return `${runs}/${dirs[0]}`;
}

async function text(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/**
 * Holds model requests at the server until the test has looked at the run once after they
 * arrived, so that a moment defined by a request in flight is seen on any machine (before, the
 * 150 ms a request took had to outlast one poll, which a loaded machine need not do).
 */
class PollGate {
  #held: (() => void)[] = [];
  #open = true;
  /** Wraps a backend: each request waits for the gate while it is closed. */
  around(inner: ChatBackend): ChatBackend {
    return {
      model: inner.model,
      standIn: inner.standIn,
      complete: async (request, options) => {
        if (!this.#open) await new Promise<void>((resolve) => this.#held.push(resolve));
        return await inner.complete(request, options);
      },
    };
  }
  /** Closes the gate; {@linkcode arrived} then lists the requests held since the last call. */
  close(): void {
    this.#open = false;
  }
  /** Takes the requests held so far: calling the result lets them go on. */
  arrived(): () => void {
    const held = this.#held.splice(0);
    return () => held.forEach((go) => go());
  }
  /** Opens the gate and lets every held request go on. */
  open(): void {
    this.#open = true;
    this.arrived()();
  }
}

/**
 * Looks at the run until `ready` holds, then kills the process with SIGKILL. Model requests are
 * held until one look has followed their arrival. Fails when the process ends first (no
 * deadline: how long the run takes is the machine's business).
 */
async function killWhen(
  child: Deno.ChildProcess,
  runs: string,
  ready: (dir: string) => Promise<boolean>,
  gate: PollGate,
): Promise<string> {
  let ended = false;
  const status = child.status.then(() => ended = true);
  gate.close();
  let release = () => {};
  try {
    for (;;) {
      release = gate.arrived();
      const names = await Array.fromAsync(Deno.readDir(runs), (e) => e.name);
      const dir = names.find((n) => n.includes("-self-improve-"));
      if (dir !== undefined && await ready(`${runs}/${dir}`)) {
        child.kill("SIGKILL");
        await child.output();
        return `${runs}/${dir}`;
      }
      release();
      if (ended) break;
      // Between looks; a look that comes late only holds requests longer.
      await Promise.race([status, new Promise((r) => setTimeout(r, 20))]);
    }
  } finally {
    release(); // the requests seen by the last look answer a process that is gone
    gate.open();
  }
  await child.output();
  throw new Error("the run ended before the moment to kill came");
}

function keyedEvents(events: string): string[] {
  return events.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)).filter((e) =>
    ["baseline", "iteration-start", "iteration-end", "run-end"].includes(e.type)
  ).map((e) => `${e.run}/${e.type}/${e.t}`);
}

function auditKinds(audit: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of audit.split("\n")) {
    if (line === "") continue;
    const kind = JSON.parse(line).kind as string;
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

Deno.test({
  name:
    "a self-improvement run killed at any of several moments resumes to the uninterrupted result",
  sanitizeResources: false,
  fn: async (t) => {
    const gate = new PollGate();
    await using server = await serveOfflineModel({
      port: 0,
      backend: gate.around(new OfflineBackend({ seed: 0 })),
    });
    const model = ["--model", "offline-stand-in", "--base-url", server.baseUrl];
    const temp = await Deno.makeTempDir({ prefix: "stop-resume-" });
    try {
      const referenceRuns = `${temp}/reference`;
      await Deno.mkdir(referenceRuns);
      await finish(cli(referenceRuns, ["self-improve", ...SMALL_FLAGS, ...model]));
      const reference = await onlyRunDir(referenceRuns);
      const expected = JSON.parse(await text(`${reference}/summary.json`));
      const expectedEvents = keyedEvents(await text(`${reference}/events.jsonl`));
      const expectedAudit = auditKinds(await text(`${reference}/audit.jsonl`));

      const moments: [string, (dir: string) => Promise<boolean>, (dir: string) => Promise<void>][] =
        [
          [
            "during a model call of the meta-utility evaluation of a proposal",
            async (dir) => {
              const ledger = await readLedger(`${dir}/ledger.jsonl`);
              const open = new Set(ledger.filter((r) => r.kind === "intent").map((r) => r.callId));
              for (const r of ledger) if (r.kind === "completion") open.delete(r.callId);
              return open.size > 0 && ledger.some((r) => /^r0\/t1\/e/.test(r.scope ?? ""));
            },
            async () => {},
          ],
          [
            "during the seed improver's evaluation, between model calls",
            async (dir) => {
              const ledger = await readLedger(`${dir}/ledger.jsonl`);
              return ledger.filter((r) => r.kind === "completion").length >= 2 &&
                !(await text(`${dir}/events.jsonl`)).includes("baseline");
            },
            async () => {},
          ],
          [
            "while writing its logs (torn last lines)",
            async (dir) => (await text(`${dir}/events.jsonl`)).includes("iteration-start"),
            async (dir) => {
              for (const file of ["events.jsonl", "audit.jsonl", "ledger.jsonl", "cache.jsonl"]) {
                await Deno.writeTextFile(`${dir}/${file}`, '{"type":"iteration-e', {
                  append: true,
                });
              }
            },
          ],
        ];
      for (const [name, ready, damage] of moments) {
        await t.step(name, async () => {
          const runs = `${temp}/${name.replace(/\W+/g, "-")}`;
          await Deno.mkdir(runs);
          const dir = await killWhen(
            cli(runs, ["self-improve", ...SMALL_FLAGS, ...model]),
            runs,
            ready,
            gate,
          );
          await damage(dir);
          ok(!(await text(`${dir}/summary.json`)), "killed before it finished");
          const requestsBefore = server.stats.requests;
          await finish(cli(runs, ["self-improve", "--resume", dir]));
          const resumed = JSON.parse(await text(`${dir}/summary.json`));
          deepEqual(compareSummaries(expected, resumed), [], "same numbers as uninterrupted");
          equal(resumed.resumed, 1);

          const events = keyedEvents(await text(`${dir}/events.jsonl`));
          deepEqual(events, expectedEvents, "each step once, in order");

          const ledger = await readLedger(`${dir}/ledger.jsonl`);
          const paid = ledger.filter((r) => r.kind === "completion" && r.error === null);
          const keys = paid.map((r) => `${r.scope}|${r.requestHash}|${r.occurrence}`);
          equal(new Set(keys).size, keys.length, "no completed call paid twice");
          const expectedLedger = await readLedger(`${reference}/ledger.jsonl`);
          const expectedKeys = new Set(
            expectedLedger.filter((r) => r.kind === "completion").map((r) =>
              `${r.scope}|${r.requestHash}|${r.occurrence}`
            ),
          );
          deepEqual(new Set(keys), expectedKeys, "the same requests, none missing");
          ok(
            server.stats.requests - requestsBefore < expectedKeys.size,
            "the resumed process sent only what was not done",
          );

          deepEqual(auditKinds(await text(`${dir}/audit.jsonl`)), expectedAudit);

          // The run's permission log keeps the killed process's checks and the resumed one's.
          const permissionLog = (await text(`${dir}/deno-permission-audit.jsonl`)).split("\n")
            .filter((l) => l !== "").map((l) => JSON.parse(l));
          const wrote = (file: string) =>
            permissionLog.some((e) => e.permission === "write" && e.value === `${dir}/${file}`);
          ok(wrote("config.json"), "the first process's checks are kept");
          ok(wrote("summary.json"), "the resumed process's checks are appended");
        });
      }
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
});
