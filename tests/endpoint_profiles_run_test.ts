/**
 * The issue-11 Tests section as end-to-end runs: `improve lpn` and a one-iteration
 * self-improvement run against `lm-serve` with each server profile (the real `openai`
 * client over HTTP on a free loopback port), compared with the same runs against the
 * in-process stand-in. `--model offline-stand-in` keeps request hashes and seeds equal, so
 * where a profile allows the same budgets the numbers must be the same; where it does not,
 * the difference is the documented one (a stop with a message and exit 1, or replies lost
 * upstream counted in the summary).
 *
 * @module
 */
import assert from "node:assert/strict";
import { serveOfflineModel } from "../stand_in/serve_offline_model.ts";
import { SERVER_PROFILES, type ServerProfileName } from "../stand_in/server_profile.ts";
import { STAND_IN_MODEL } from "../lm/stand_in_name.ts";
import { describeRetries } from "../lm/endpoint_retries.ts";
import { summarizeAudit } from "../experiments/audit_summary.ts";
import { main } from "../cli/main.ts";
import { standInNumbersNote } from "../cli/model_flags.ts";
import { executeSelfImprove } from "../cli/_execute_self_improve.ts";
import type { SelfImproveSummary } from "../experiments/self_improve_run.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";
import { HostFailureError } from "../utilities/host_failure.ts";
import { defaultModelFlags, newRunDir, SMALL } from "./small_self_improve_run.ts";

for (const name of ["STOP_MODEL", "OPENAI_BASE_URL", "OPENAI_API_VERSION"]) Deno.env.delete(name);

const AZURE_API_VERSION = "2024-10-21";

/** What one `improve lpn` ended with. */
interface ImproveOutcome {
  code: number;
  summary: Record<string, unknown> | undefined;
}

/** What one self-improvement run ended with. */
interface LoopOutcome {
  code: number;
  summary: SelfImproveSummary | undefined;
  error: string | undefined;
  log: string[];
}

async function runDirOf(root: string, baseUrl: string | null): Promise<string> {
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory) continue;
    const config = JSON.parse(await Deno.readTextFile(`${root}/${entry.name}/config.json`));
    if (config.command === "improve" && (config.baseUrl ?? null) === baseUrl) {
      return `${root}/${entry.name}`;
    }
  }
  throw new Error(`no run directory for ${baseUrl}`);
}

async function improve(root: string, baseUrl?: string, azure = false): Promise<ImproveOutcome> {
  const endpoint = baseUrl === undefined ? [] : ["--model", STAND_IN_MODEL, "--base-url", baseUrl];
  const code = await main([
    "improve",
    "lpn",
    ...IMPROVE_BUDGETS,
    ...endpoint,
    ...(azure ? ["--api-version", AZURE_API_VERSION] : []),
    "--json",
  ]);
  const dir = await runDirOf(root, baseUrl ?? null);
  const summary = await Deno.readTextFile(`${dir}/summary.json`).then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => undefined,
  );
  return { code, summary };
}

async function loop(
  root: string,
  name: string,
  baseUrl?: string,
  azure = false,
  config = TINY,
): Promise<LoopOutcome> {
  const dir = await newRunDir(root, name, config);
  const log: string[] = [];
  const flags = {
    ...defaultModelFlags(SMALL.seed),
    ...(baseUrl === undefined ? {} : { model: STAND_IN_MODEL, baseUrl }),
    ...(azure ? { apiVersion: AZURE_API_VERSION } : {}),
  };
  try {
    const summary = await executeSelfImprove({
      dir,
      config,
      flags,
      log: (line) => log.push(line),
      resuming: false,
    });
    return { code: 0, summary, error: undefined, log } satisfies LoopOutcome;
  } catch (error) {
    if (!(error instanceof HostFailureError)) throw error;
    return { code: 1, summary: undefined, error: error.message, log } satisfies LoopOutcome;
  }
}

/** Budgets of the `improve` runs: small, the same in process and over HTTP. */
const IMPROVE_BUDGETS = ["--responses", "2", "--lm-budget", "2", "--utility-budget", "4"];

/** The loop's budgets: smaller than `SMALL` (one meta-test), the same everywhere. */
const TINY = { ...SMALL, metaTests: 1, metaBudget: 2, utilityBudget: 2 };

/**
 * Profiles whose lost replies are rare (Azure filters one choice in eight, OpenRouter loses
 * every seventh): their loops run with `SMALL`'s budgets, enough replies to lose some.
 */
const LOSSY: readonly ServerProfileName[] = ["azure", "openrouter"];

/** Profiles that serve the run's budgets unchanged: every number must equal in-process. */
const SAME: readonly ServerProfileName[] = ["openai", "vllm", "ollama", "llamacpp", "r1"];

Deno.test("improve lpn and a one-iteration self-improve against lm-serve with each profile match the in-process stand-in, or differ by design", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "stop-profiles-" });
  const before = Deno.env.get("STOP_RUNS_DIR");
  Deno.env.set("STOP_RUNS_DIR", root);
  Deno.env.set("OPENAI_API_KEY", "sk-test-profiles");
  // One server per run: a profile's state (OpenRouter's choice counter) is not shared.
  const servers = await Promise.all(
    SERVER_PROFILES.map(async (profile) => ({
      profile,
      forImprove: await serveOfflineModel({ profile }),
      forLoop: await serveOfflineModel({ profile }),
    })),
  );
  // OpenRouter with an account that cannot afford the floor of completion tokens.
  const broke = await serveOfflineModel({
    profile: "openrouter",
    profileOptions: { affordableTokens: 100 },
  });
  // Transient faults (429 and 500) on a third of the requests, in a seeded order.
  const faulty = await serveOfflineModel({
    faultRate: 0.3,
    faultSeed: 3,
    faults: ["rate_limit", "server_error"],
  });
  try {
    const [
      inProcessImprove,
      inProcessLoop,
      inProcessSmallLoop,
      rows,
      brokeImprove,
      brokeLoop,
      faultyLoop,
    ] = await Promise.all([
      improve(root),
      loop(root, "loop-in-process"),
      loop(root, "loop-in-process-small", undefined, false, SMALL),
      Promise.all(servers.map(async ({ profile, forImprove, forLoop }) => {
        const azure = forImprove.profile.azure;
        const config = LOSSY.includes(profile) ? SMALL : TINY;
        const [i, l] = await Promise.all([
          improve(root, forImprove.baseUrl, azure),
          loop(root, `loop-${profile}`, forLoop.baseUrl, azure, config),
        ]);
        return { profile, improve: i, loop: l };
      })),
      improve(root, broke.baseUrl),
      loop(root, "loop-openrouter-broke", broke.baseUrl),
      loop(root, "loop-faults", faulty.baseUrl),
    ]);
    assert.equal(inProcessImprove.code, 0);
    assert.equal(inProcessImprove.summary?.standIn, true);
    const reference = inProcessLoop.summary!;
    assert.equal(reference.iterations.length, 2);
    assert.equal(inProcessSmallLoop.code, 0);
    const row = (name: ServerProfileName) => rows.find((r) => r.profile === name)!;
    await t.step(
      "every run over HTTP says its numbers come from the offline stand-in",
      async () => {
        for (
          const r of [...rows, {
            profile: "in process",
            improve: inProcessImprove,
            loop: inProcessLoop,
          }]
        ) {
          assert.equal(r.improve.summary?.standIn, true, r.profile);
          assert.equal(r.loop.summary?.standIn, true, r.profile);
          assert.ok(r.loop.log.some((line) => line.includes(standInNumbersNote())), r.profile);
          const report = await Deno.readTextFile(`${r.loop.summary!.runDir}/report.md`);
          assert.match(report, /These numbers come from the offline stand-in/, r.profile);
        }
      },
    );
    const sameImprove = (outcome: ImproveOutcome, name: string) => {
      assert.equal(outcome.code, 0, name);
      assert.equal(outcome.summary?.program, inProcessImprove.summary?.program, name);
      assert.deepEqual(outcome.summary?.scores, inProcessImprove.summary?.scores, name);
    };
    const sameLoop = (outcome: LoopOutcome, name: string, base = reference) => {
      assert.equal(outcome.code, 0, `${name}: ${outcome.error}`);
      assert.deepEqual(compareSummaries(base, outcome.summary!), [], name);
    };
    for (const name of SAME) {
      await t.step(`${name}: the same improved program, score and loop numbers`, () => {
        sameImprove(row(name).improve, name);
        sameLoop(row(name).loop, name);
        assert.deepEqual(row(name).loop.summary?.repliesWithoutAnswer, [], name);
      });
    }
    await t.step(
      "reasoning: temperature is omitted (documented), the runs still finish",
      async () => {
        const { improve: i, loop: l } = row("reasoning");
        assert.equal(i.code, 0);
        assert.equal(typeof i.summary?.score, "number");
        assert.equal(l.code, 0, l.error);
        assert.equal(l.summary?.iterations.length, 2);
        for (
          const dir of [
            await runDirOf(
              root,
              servers.find((s) => s.profile === "reasoning")!.forImprove.baseUrl,
            ),
            l.summary!.runDir,
          ]
        ) {
          const endpoint = JSON.parse(await Deno.readTextFile(`${dir}/endpoint.json`));
          assert.equal(endpoint.shape.temperature, false, dir);
          assert.equal(endpoint.shape.maxTokensParameter, "max_completion_tokens", dir);
        }
      },
    );
    await t.step("azure: filtered replies carry no answer and are counted", () => {
      const { improve: i, loop: l } = row("azure");
      sameImprove(i, "azure");
      // Filtering is seeded per request, so the same choice is filtered in every run; the
      // stand-in's other replies make up for it here.
      sameLoop(l, "azure", inProcessSmallLoop.summary!);
      assert.ok(
        l.summary!.repliesWithoutAnswer.some((s) =>
          /filtered by the provider's content filter/.test(s)
        ),
        JSON.stringify(l.summary!.repliesWithoutAnswer),
      );
    });
    await t.step(
      "openrouter: replies lost upstream are counted (which ones depends on arrival)",
      () => {
        const { improve: i, loop: l } = row("openrouter");
        assert.equal(i.code, 0);
        assert.equal(l.code, 0, l.error);
        assert.equal(l.summary?.iterations.length, 2);
        assert.ok(
          l.summary!.repliesWithoutAnswer.some((s) => /lost to an upstream error/.test(s)),
          JSON.stringify(l.summary!.repliesWithoutAnswer),
        );
        assert.ok((l.summary!.replies.withoutAnswer.error ?? 0) > 0);
      },
    );
    await t.step(
      "openrouter without credit for the floor: both stop, exit 1, with its message",
      () => {
        assert.equal(brokeImprove.code, 1);
        assert.equal(brokeImprove.summary, undefined, "no verdict is written");
        assert.equal(brokeLoop.code, 1);
        assert.match(brokeLoop.error ?? "", /^stopped: the model endpoint failed \(HTTP 402/);
        assert.match(brokeLoop.error ?? "", /can only afford 100/);
        assert.match(brokeLoop.error ?? "", /--resume/);
      },
    );
    await t.step("replies without an answer are in the audit log with their reason", async () => {
      const wording: Record<string, RegExp> = {
        azure: /was filtered by the provider's content filter: .*violence/,
        openrouter: /was lost to an upstream error: 502: Upstream provider/,
      };
      for (const name of LOSSY) {
        const summary = row(name).loop.summary!;
        const lost = Object.values(summary.replies.withoutAnswer).reduce((a, b) => a + (b ?? 0), 0);
        assert.ok(lost > 0, name);
        assert.equal(summary.audit.reply_without_answer, lost, name);
        const audit = await summarizeAudit(summary.runDir);
        assert.equal(audit.byKind.reply_without_answer, lost, name);
        const events = (await Deno.readTextFile(`${summary.runDir}/audit.jsonl`)).split("\n")
          .filter((line) => line.includes("reply_without_answer")).map((l) => JSON.parse(l));
        assert.equal(events.length, lost, name);
        for (const event of events) assert.match(event.detail, wording[name]!, name);
      }
      assert.equal(reference.audit.reply_without_answer, undefined);
    });
    await t.step("transient faults are retried, counted by kind, and change no number", () => {
      sameLoop(faultyLoop, "faults");
      const faults = faulty.stats.faults;
      const total = (faults.rate_limit ?? 0) + (faults.server_error ?? 0);
      assert.ok(total > 0, "the seeded faults hit some requests");
      const byKind: Record<string, number> = {};
      if (faults.rate_limit) byKind["429"] = faults.rate_limit;
      if (faults.server_error) byKind["500"] = faults.server_error;
      assert.deepEqual(faultyLoop.summary!.retries, { total, byKind });
      assert.ok(
        faultyLoop.log.includes(describeRetries({ total, byKind })!),
        faultyLoop.log.join("\n"),
      );
      assert.deepEqual(reference.retries, { total: 0, byKind: {} });
      assert.ok(!inProcessLoop.log.some((line) => line.startsWith("endpoint: ")));
    });
  } finally {
    await Promise.all(
      [...servers.flatMap((s) => [s.forImprove, s.forLoop]), broke, faulty].map((s) =>
        s.shutdown()
      ),
    );
    if (before === undefined) Deno.env.delete("STOP_RUNS_DIR");
    else Deno.env.set("STOP_RUNS_DIR", before);
    Deno.env.delete("OPENAI_API_KEY");
    await Deno.remove(root, { recursive: true });
  }
});
