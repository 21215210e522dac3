// deno-lint-ignore-file no-console -- an entry point: it prints the benchmark table
/**
 * Sandbox benchmarks (`deno task bench`). Prints each figure beside its baseline, measured
 * in the same run, and the ratio. Not a test: nothing here fails on a slow machine.
 *
 * @module
 */
import process from "node:process";
import { InstancePool } from "../sandbox/instance_pool.ts";
import { loadProgram, UNMETERED_FOR_BENCHMARKS } from "../sandbox/program.ts";
import { runInCPython } from "./calibrate_cpython.ts";
import { recognizeRequest } from "../stand_in/recognize_request.ts";
import { claimedScores, selfReportedScoreIn } from "../analysis/self_report.ts";
import { RECOGNIZER_HOSTILE_TEXT, SELF_REPORT_HOSTILE_TEXTS } from "./fakes/hostile_scan_texts.ts";

const LPN_BRUTE_FORCE = `
export function algorithm(samples: number[][], labels: number[]): number {
  let best = 0, bestAgree = -1;
  const n = samples[0].length;
  for (let mask = 0; mask < (1 << n); mask++) {
    let agree = 0;
    for (let i = 0; i < samples.length; i++) {
      let parity = 0;
      const row = samples[i];
      for (let b = 0; b < n; b++) if ((mask >> b) & 1) parity ^= row[b];
      if (parity === labels[i]) agree++;
    }
    if (agree > bestAgree) { bestAgree = agree; best = mask; }
  }
  return best;
}`;

function lpnInstance(seed: number): [number[][], number[]] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const secret = Array.from({ length: 10 }, () => (rand() < 0.3 ? 1 : 0));
  const samples = Array.from(
    { length: 100 },
    () => Array.from({ length: 10 }, () => (rand() < 0.5 ? 1 : 0)),
  );
  const labels = samples.map((row) => row.reduce((p: number, b, i) => p ^ (b & secret[i]!), 0));
  return [samples, labels];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function row(name: string, value: string, baseline: string, ratio: number, target: string): void {
  console.log(
    `${name.padEnd(44)} ${value.padStart(12)} ${baseline.padStart(14)} ${
      ratio.toFixed(2).padStart(8)
    }x  ${target}`,
  );
}

console.log(
  `${"benchmark".padEnd(44)} ${"sandbox".padStart(12)} ${"baseline".padStart(14)} ${
    "ratio".padStart(9)
  }  target`,
);

// 1. Per-call overhead on a warm instance, against a direct in-process call.
{
  await using program = await loadProgram("export function f(x: number) { return x + 1; }");
  await program.call("f", [0]);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await program.call("f", [i]);
    times.push(performance.now() - t);
  }
  const f = (x: number) => x + 1;
  const t = performance.now();
  for (let i = 0; i < 200; i++) await Promise.resolve(f(i));
  const direct = (performance.now() - t) / 200;
  const m = median(times);
  row(
    "per-call overhead, trivial export (median)",
    `${m.toFixed(3)} ms`,
    `${direct.toFixed(4)} ms`,
    m / direct,
    "<= 1 ms",
  );
}

// 2. Time to a fresh isolated instance ready to call: pooled vs started on demand.
{
  const pool = new InstancePool({ size: 3 });
  await new Promise((r) => setTimeout(r, 500));
  const pooled: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < 15; i++) {
    let t = performance.now();
    {
      await using p = await loadProgram(`export const f = () => ${i};`, { pool });
      await p.call("f", []);
      pooled.push(performance.now() - t);
    }
    await new Promise((r) => setTimeout(r, 300)); // let the pool refill, as between real evaluations
    t = performance.now();
    {
      await using p = await loadProgram(`export const f = () => ${i};`);
      await p.call("f", []);
      cold.push(performance.now() - t);
    }
  }
  await pool.close();
  row(
    "fresh instance + first call, pooled (median)",
    `${median(pooled).toFixed(1)} ms`,
    `${median(cold).toFixed(1)} ms cold`,
    median(pooled) / median(cold),
    "<= 10 ms",
  );
}

// 3. Compute-bound: brute-force LPN over all 1024 subsets, 100 samples, 20 instances.
{
  const instances = Array.from({ length: 20 }, (_, i) => lpnInstance(4321 + i));
  await using program = await loadProgram(LPN_BRUTE_FORCE, { limits: { timeoutMs: 60_000 } });
  await program.call("algorithm", instances[0]!);
  let sandboxMs = 0;
  for (const inst of instances) {
    const r = await program.call("algorithm", inst);
    if (!r.ok) throw new Error(`bench program failed: ${r.failure.message}`);
    sandboxMs += r.wallMs ?? NaN; // speed is wall time: guestMs is the virtual clock
  }
  const js = LPN_BRUTE_FORCE.replace(
    "(samples: number[][], labels: number[]): number",
    "(samples, labels)",
  )
    .replace("let best = 0, bestAgree = -1;", "let best = 0, bestAgree = -1;");
  const mod = await import(`data:text/javascript,${encodeURIComponent(js)}`);
  mod.algorithm(...instances[0]!);
  const t = performance.now();
  for (const inst of instances) mod.algorithm(...inst);
  const v8Ms = performance.now() - t;
  row(
    "LPN brute force x20 (sandbox wall time vs V8)",
    `${sandboxMs.toFixed(0)} ms`,
    `${v8Ms.toFixed(0)} ms V8`,
    sandboxMs / v8Ms,
    "<= 25x (CPython ~25x)",
  );
  // The same loop on the same instances under CPython 3 (the paper's interpreter), least of 3.
  const cpython = await runInCPython("python3", "lpn_bench_brute_force", instances, 3);
  const sandboxAnswers = await Promise.all(
    instances.map((inst) => program.call("algorithm", inst)),
  );
  if (cpython.results.some((r, i) => !sandboxAnswers[i]!.ok || sandboxAnswers[i]!.value !== r)) {
    throw new Error("bench: the Python port of the LPN loop answered differently from the sandbox");
  }
  const cpythonMs = cpython.seconds.reduce((s, x) => s + x, 0) * 1000;
  row(
    "LPN brute force x20 (sandbox wall vs CPython)",
    `${sandboxMs.toFixed(0)} ms`,
    `${cpythonMs.toFixed(0)} ms CPython`,
    sandboxMs / cpythonMs,
    "<= 1.0x",
  );
}

// 3b. What the meter costs: the same loop in the metered plugin and in the same sources with
// the meter compiled out (`setup/setup.ts --unmetered`). Each instance runs in both, in
// alternating order, 5 times; the least CPU time of the process (the plugin's worker does the
// work while this thread waits) per instance and plugin is summed: CPU time and alternation
// keep the ratio steady on a machine other processes share, where wall times swing by 50 %.
{
  const instances = Array.from({ length: 20 }, (_, i) => lpnInstance(4321 + i));
  const limits = { limits: { timeoutMs: 60_000 } };
  await using metered = await loadProgram(LPN_BRUTE_FORCE, limits);
  await using unmetered = await loadProgram(LPN_BRUTE_FORCE, {
    ...limits,
    [UNMETERED_FOR_BENCHMARKS]: true,
  });
  const cpuMs = async (program: typeof metered, inst: [number[][], number[]]) => {
    const before = process.cpuUsage();
    const r = await program.call("algorithm", inst);
    const used = process.cpuUsage(before);
    if (!r.ok) throw new Error(`bench program failed: ${r.failure.message}`);
    if ((r.guestMs > 0) !== (program === metered)) {
      throw new Error(
        `bench: the ${program === metered ? "" : "un"}metered plugin read ${r.guestMs} ms`,
      );
    }
    return (used.user + used.system) / 1000;
  };
  const least = [instances.map(() => Infinity), instances.map(() => Infinity)];
  for (let round = 0; round < 6; round++) {
    for (const [i, inst] of instances.entries()) {
      for (const which of (round + i) % 2 === 0 ? [0, 1] : [1, 0]) {
        const ms = await cpuMs(which === 0 ? metered : unmetered, inst);
        if (round > 0) least[which]![i] = Math.min(least[which]![i]!, ms); // round 0 warms up
      }
    }
  }
  const [m, u] = least.map((xs) => xs.reduce((s, x) => s + x, 0)) as [number, number];
  row(
    "LPN brute force x20: metered / unmetered CPU",
    `${m.toFixed(0)} ms`,
    `${u.toFixed(0)} ms unmetered`,
    m / u,
    "<= 1.10x",
  );
}

// 4. 32 sandboxes at once, a third of them hostile.
{
  const rss0 = Deno.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
  const t = performance.now();
  const programs = Array.from(
    { length: 32 },
    (_, i) =>
      i % 3 === 0
        ? "export function f() { const a = []; for (;;) a.push(new Array(1e5).fill(7)); }"
        : i % 3 === 1
        ? "export function f() { for (;;) {} }"
        : `export function f() { let s = 0; for (let k = 0; k < 2e5; k++) s += k % ${
          i + 1
        }; return s; }`,
  );
  const results = await Promise.all(programs.map(async (src) => {
    await using p = await loadProgram(src, { limits: { timeoutMs: 3000, memoryBytes: 64 << 20 } });
    return await p.call("f", []);
  }));
  clearInterval(sampler);
  const settled = results.length;
  const ok = results.filter((r) => r.ok).length;
  const wall = performance.now() - t;
  row(
    `32 concurrent (${ok} ok, ${settled - ok} contained), peak RSS`,
    `${(peak / 2 ** 20).toFixed(0)} MiB`,
    `${(rss0 / 2 ** 20).toFixed(0)} MiB before`,
    peak / rss0,
    `all settle; ${wall.toFixed(0)} ms wall`,
  );
}

// 5. Host scans of hostile guest text (moved here from timed unit tests, see
// tests/WALL_CLOCK.md): the stand-in's request recogniser and the self-report scans, each
// against one linear pass over the same text (`toLowerCase`). Measured here: about 90x for the
// recogniser (its regexes read the text several times), under 1x for the self-report scans;
// the quadratic recogniser it replaced took about 6 s, some 6,000x.
{
  const timed = (work: () => unknown): number => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      work();
      times.push(performance.now() - t);
    }
    return median(times);
  };
  const scans: [string, readonly string[], (text: string) => unknown][] = [
    [
      "recognizeRequest, 200k hostile chars",
      [RECOGNIZER_HOSTILE_TEXT],
      (text) => recognizeRequest([{ role: "user", content: text }]),
    ],
    ["self-report scans, 7 hostile texts", SELF_REPORT_HOSTILE_TEXTS, (text) => {
      selfReportedScoreIn(text);
      claimedScores(text, []);
    }],
  ];
  for (const [name, texts, scan] of scans) {
    const ms = texts.reduce((s, text) => s + timed(() => scan(text)), 0);
    const pass = texts.reduce((s, text) => s + timed(() => text.toLowerCase()), 0);
    row(name, `${ms.toFixed(1)} ms`, `${pass.toFixed(2)} ms pass`, ms / pass, "<= 1000x");
  }
}
