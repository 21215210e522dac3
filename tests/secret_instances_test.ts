/**
 * Secret instances (issue 12, item 6): a program that regenerates its instances from the
 * repository's public seeds and generator scores 1.0 with the paper's public seeds and chance
 * with a run's secret salt; an honest solver scores the same way on both; the salt stays in
 * the host, and a secret run's resume and replay read it back and reproduce its numbers.
 */
import assert from "node:assert/strict";
import { loadProgram } from "../sandbox/program.ts";
import { lpnTask } from "../utilities/lpn.ts";
import { parityTask } from "../utilities/parity.ts";
import type { Split, Task } from "../utilities/task.ts";
import { newInstanceSalt, secretSeed } from "../utilities/instance_salt.ts";
import { instanceSeed } from "../utilities/_evaluate.ts";
import { configModelFlags, readSelfImproveRun } from "../experiments/read_self_improve_run.ts";
import { executeSelfImprove } from "../cli/_execute_self_improve.ts";
import {
  DEFAULT_SELF_IMPROVE_CONFIG,
  type SelfImproveConfig,
} from "../experiments/self_improve_run.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";
import { replayCommand } from "../cli/replay_command.ts";

/** Rebuilds the instance from the public seeds (a copy of the generator), answers with its labels. */
const REGENERATE = `
function rngFor(seed: number): () => number {
  let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x100000000) >>> 0, 0x9e3779b9);
  const mix = () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix(), b = mix(), c = mix(), d = mix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x100000000;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
export function algorithm(train: number[][], labels: number[], test: number[][]): number[] {
  for (const base of [4321, 5678]) {
    for (let i = 0; i < 64; i++) {
      const next = rngFor(base + i);
      const subset = Array.from({ length: 10 }, () => (next() < 0.3 ? 1 : 0));
      const samples = Array.from({ length: 120 }, () => Array.from({ length: 10 }, () => (next() < 0.5 ? 1 : 0)));
      if (samples[0]!.join() !== train[0]!.join() || samples[1]!.join() !== train[1]!.join()) continue;
      return samples.slice(100).map((x) => x.reduce((s, bit, k) => s + bit * subset[k]!, 0) % 2);
    }
  }
  return test.map(() => 0);
}`;

/** Honest: the subset that agrees with most training labels, over all 1024. */
const HONEST = `
export function algorithm(train: number[][], labels: number[], test: number[][]): number[] {
  let best = 0, bestAgree = -1;
  for (let mask = 0; mask < 1024; mask++) {
    let agree = 0;
    for (let i = 0; i < train.length; i++) {
      let p = 0;
      for (let b = 0; b < 10; b++) if ((mask >> b) & 1) p ^= train[i]![b]!;
      if (p === labels[i]) agree++;
    }
    if (agree > bestAgree) { bestAgree = agree; best = mask; }
  }
  return test.map((x) => { let p = 0; for (let b = 0; b < 10; b++) if ((best >> b) & 1) p ^= x[b]!; return p; });
}`;

async function score(source: string, task: Task, split: Split, salt?: string): Promise<number> {
  await using program = await loadProgram(source, { limits: { timeoutMs: 10_000 } });
  const evaluation = await task.evaluate(program, {
    split,
    ...(salt === undefined ? {} : { instanceSalt: salt }),
  });
  return evaluation.score;
}

Deno.test("a program that regenerates its instances from the public seeds: 1.0 on public, chance on secret", async (t) => {
  const salt = newInstanceSalt();
  for (const task of [lpnTask, parityTask]) {
    for (const split of ["val", "test"] as const) {
      await t.step(`${task.id} ${split}`, async () => {
        assert.equal(await score(REGENERATE, task, split), 1);
        const secret = await score(REGENERATE, task, split, salt);
        assert.ok(secret < 0.75, `secret instances scored ${secret}`);
      });
    }
  }
  await t.step("innocent: an honest solver scores well on both", async () => {
    assert.ok((await score(HONEST, lpnTask, "val")) >= 0.9);
    assert.ok((await score(HONEST, lpnTask, "val", salt)) >= 0.9);
  });
});

Deno.test("secret seeds: fixed by the salt, different for another salt, never the public ones", () => {
  const a = newInstanceSalt(), b = newInstanceSalt();
  assert.equal(instanceSeed("val", 3), 4324);
  assert.equal(instanceSeed("val", 3, a), secretSeed(a, "val", 3));
  assert.deepEqual(lpnTask.generate("test", 7, a), lpnTask.generate("test", 7, a));
  assert.notDeepEqual(lpnTask.generate("test", 7, a), lpnTask.generate("test", 7, b));
  assert.notDeepEqual(lpnTask.generate("test", 7, a), lpnTask.generate("test", 7));
  assert.notEqual(secretSeed(a, "val", 0), secretSeed(a, "test", 0));
});

const TINY: SelfImproveConfig = {
  ...DEFAULT_SELF_IMPROVE_CONFIG,
  iterations: 0,
  runs: 1,
  responses: 2,
  lmBudget: 1,
  utilityBudget: 2,
  metaBudget: 2,
  metaTests: 2,
  sandboxes: 2,
};

Deno.test("a secret run keeps its salt in its config, and its replay reproduces its numbers", async () => {
  const root = await Deno.makeTempDir({ prefix: "stop-secret-" });
  const env = Deno.env.get("STOP_RUNS_DIR");
  Deno.env.set("STOP_RUNS_DIR", root);
  try {
    const config: SelfImproveConfig = {
      ...TINY,
      instances: "secret",
      instanceSalt: newInstanceSalt(),
    };
    const path = `${root}/secret`;
    await Deno.mkdir(path);
    await Deno.writeTextFile(
      `${path}/config.json`,
      JSON.stringify({ command: "self-improve", ...config }),
    );
    const read = await readSelfImproveRun(path, { finished: false });
    assert.equal(read.config.instanceSalt, config.instanceSalt);
    assert.equal(read.config.instances, "secret");
    const summary = await executeSelfImprove({
      dir: read.dir,
      config: read.config,
      flags: configModelFlags(read.config, false),
      log: () => {},
      resuming: false,
    });
    const before = new Set([...Deno.readDirSync(root)].map((e) => e.name));
    const code = await replayCommand([path]);
    assert.equal(code, 0, "the replay reproduced the secret run");
    const replays = [...Deno.readDirSync(root)].filter((e) => !before.has(e.name));
    assert.equal(replays.length, 1);
    const replayConfig = JSON.parse(
      await Deno.readTextFile(`${root}/${replays[0]!.name}/config.json`),
    );
    assert.equal(replayConfig.instanceSalt, config.instanceSalt, "the replay ran on the same salt");
    const replayed = JSON.parse(
      await Deno.readTextFile(`${root}/${replays[0]!.name}/summary.json`),
    );
    assert.deepEqual(compareSummaries(summary, replayed), []);
    // A config that claims secret instances without its salt is refused, not run in public.
    const broken = `${root}/broken`;
    await Deno.mkdir(broken);
    const { instanceSalt: _salt, ...withoutSalt } = config;
    await Deno.writeTextFile(
      `${broken}/config.json`,
      JSON.stringify({ command: "self-improve", ...withoutSalt }),
    );
    await assert.rejects(readSelfImproveRun(broken, { finished: false }), /bad instances/);
  } finally {
    if (env === undefined) Deno.env.delete("STOP_RUNS_DIR");
    else Deno.env.set("STOP_RUNS_DIR", env);
    await Deno.remove(root, { recursive: true });
  }
});
