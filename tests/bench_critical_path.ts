// deno-lint-ignore-file no-console -- an entry point: it prints the benchmark table
/**
 * Critical-path benchmark of one self-improvement iteration (`deno task bench:critical-path`).
 *
 * The offline stand-in (a test harness, not a language model) is served over HTTP with a
 * fixed latency L per request, and one iteration runs at the paper's budgets. Its wall time
 * is compared with
 * - the critical path: the longest chain of model calls that depend on each other (the
 *   improver's own calls, then the longest chain inside one meta-utility evaluation of a
 *   proposal, then the longest chain inside the evaluation that decides acceptance) × L;
 * - the sum of all calls × L: what an implementation that makes one call after another
 *   pays (the original's improvers score candidates one at a time).
 *
 * Calls are read from the run's ledger: requests of one scope (one model object) that
 * start within L/2 of each other belong to one call (a batch), and calls of one scope run
 * one after another. Target: wall time ≤ 1.5 × the critical path.
 *
 * Not a test: nothing here fails on a slow machine. On a 2-core machine the sandboxed
 * evaluation work (hundreds of LPN scorings) is part of the wall time, so the ratio falls
 * as L grows toward real model latencies (tens of seconds for six long replies).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type LedgerRecord, readLedger } from "../lm/mod.ts";
import { serveOfflineModel } from "../stand_in/mod.ts";
import { AuditLog } from "../sandbox/audit_log.ts";
import { EventLog } from "../experiments/event_log.ts";
import { openGateway } from "../cli/model_flags.ts";
import {
  DEFAULT_SELF_IMPROVE_CONFIG,
  runSelfImprove,
  type SelfImproveConfig,
} from "../experiments/self_improve_run.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "latency-ms": { type: "string", default: "20000" },
    sandboxes: { type: "string" },
    "no-prefetch": { type: "boolean", default: false },
  },
});
const latencyMs = Number(values["latency-ms"]);

/** Calls per scope: requests of a scope starting within L/2 of each other form one call. */
function callsByScope(records: readonly LedgerRecord[]): Map<string, number> {
  const starts = new Map<string, number[]>();
  for (const r of records) {
    if (r.kind !== "intent" || r.scope === undefined) continue;
    const list = starts.get(r.scope) ?? [];
    list.push(Date.parse(r.time));
    starts.set(r.scope, list);
  }
  const out = new Map<string, number>();
  for (const [scope, times] of starts) {
    times.sort((a, b) => a - b);
    let calls = 0, last = -Infinity;
    for (const t of times) {
      if (t - last > latencyMs / 2) calls++;
      last = t;
    }
    out.set(scope, calls);
  }
  return out;
}

const server = await serveOfflineModel({ port: 0, latencyMs });
const dirPath = await Deno.makeTempDir({ prefix: "stop-bench-critical-path-" });
try {
  const config: SelfImproveConfig = {
    ...DEFAULT_SELF_IMPROVE_CONFIG,
    iterations: 1,
    runs: 1,
    model: "offline-stand-in",
    baseUrl: server.baseUrl,
    maxRequests: 64,
    prefetch: !values["no-prefetch"],
    ...(values.sandboxes === undefined ? {} : { sandboxes: Number(values.sandboxes) }),
  };
  const dir = { id: "bench", path: dirPath };
  using audit = new AuditLog({ path: `${dirPath}/audit.jsonl`, run: "bench" });
  const { gateway } = await openGateway(
    {
      model: config.model,
      baseUrl: config.baseUrl,
      replay: false,
      maxCostUsd: undefined,
      maxRequests: config.maxRequests,
      seed: 0,
    },
    dirPath,
    { audit },
  );
  const events = await EventLog.open(`${dirPath}/events.jsonl`);
  console.log(
    `one self-improvement iteration at the paper's budgets, stand-in served with L = ${latencyMs} ms per request, ${config.sandboxes} sandboxes, prefetch ${config.prefetch}`,
  );
  const summary = await runSelfImprove({
    config,
    dir,
    gateway,
    events,
    audit,
    onEvent: (e) => console.log(`  ${e.time} ${e.type}${e.t === undefined ? "" : ` t=${e.t}`}`),
  });
  events.close();
  const start = events.events.find((e) => e.type === "iteration-start" && e.t === 1)!;
  const end = events.events.find((e) => e.type === "iteration-end" && e.t === 1)!;
  const wallMs = Date.parse(end.time) - Date.parse(start.time);

  const ledger = (await readLedger(`${dirPath}/ledger.jsonl`)).filter((r) =>
    r.scope?.startsWith("r0/t1/")
  );
  const calls = callsByScope(ledger);
  const outer = calls.get("r0/t1/outer") ?? 0;
  let proposalChain = 0, acceptanceChain = 0, sum = 0;
  for (const [scope, n] of calls) {
    sum += n;
    if (scope === "r0/t1/outer") continue;
    // Scopes are r0/t1/e<hash>.<k>/run<j>: k = 0 is an evaluation the improver asked for,
    // k >= 1 the host's fresh evaluation of the returned improver.
    const k = Number(/\.(\d+)\/run\d+$/.exec(scope)?.[1] ?? "0");
    if (k === 0) proposalChain = Math.max(proposalChain, n);
    else acceptanceChain = Math.max(acceptanceChain, n);
  }
  const critical = (outer + proposalChain + acceptanceChain) * latencyMs;
  const sequential = sum * latencyMs;
  const requests = ledger.filter((r) => r.kind === "intent").length;
  console.log("");
  console.log(`iteration 1: ${summary.lineage[1]?.reason}`);
  console.log(
    `model calls: ${sum} (${requests} requests); chain: improver ${outer} + proposal evaluation ${proposalChain} + acceptance evaluation ${acceptanceChain}`,
  );
  console.log(`${"figure".padEnd(40)} ${"seconds".padStart(9)} ${"wall / figure".padStart(14)}`);
  const line = (name: string, ms: number) =>
    console.log(
      `${name.padEnd(40)} ${(ms / 1000).toFixed(1).padStart(9)} ${
        (wallMs / ms).toFixed(2).padStart(13)
      }x`,
    );
  line("wall time of the iteration", wallMs);
  line("critical path (longest chain × L)", critical);
  line("sum of all calls × L (one at a time)", sequential);
  console.log(
    `target: wall ≤ 1.5 × critical path — ${
      wallMs <= 1.5 * critical ? "met" : "not met"
    } (numbers from the offline stand-in, a test harness, not a language model)`,
  );
} finally {
  await server.shutdown();
  await Deno.remove(dirPath, { recursive: true });
}
