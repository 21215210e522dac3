import { equal, match, ok } from "node:assert/strict";
import type { ServerProfileName, ServerProfileOptions } from "../stand_in/server_profile.ts";
import { checkEndpoint } from "./check_endpoint.ts";
import { serveOfflineModel } from "../stand_in/serve_offline_model.ts";
import { OfflineBackend } from "../stand_in/offline_backend.ts";

const noWait = () => Promise.resolve();
const status = (report: Awaited<ReturnType<typeof checkEndpoint>>, name: string) =>
  report.checks.find((c) => c.name === name)?.status;

Deno.test("checkEndpoint() passes against the stand-in server and says it is a stand-in", async () => {
  await using server = await serveOfflineModel({ backend: new OfflineBackend({ catalog: [] }) });
  const report = await checkEndpoint({
    model: "offline-stand-in",
    baseUrl: server.baseUrl,
    apiKey: "k",
  });
  equal(report.ok, true);
  equal(report.standIn, true);
  equal(report.nHonoured, true);
  equal(report.temperatureAccepted, true);
  equal(report.costUsd, 0);
  ok((report.promptTokens ?? 0) > 0);
  equal(status(report, "stand-in"), "warn");
});

Deno.test("checkEndpoint() survives a faulty server by retrying and warns about it", async () => {
  await using server = await serveOfflineModel({
    backend: new OfflineBackend({ catalog: [] }),
    script: ["server_error", "rate_limit"],
  });
  const report = await checkEndpoint({
    model: "offline-stand-in",
    baseUrl: server.baseUrl,
    apiKey: "k",
    sleep: noWait,
  });
  equal(report.ok, true);
  equal(report.attempts, 3);
  equal(status(report, "completion"), "warn");
  ok(report.checks.find((c) => c.name === "completion")?.message.includes("after 2 retried"));
});

Deno.test("checkEndpoint() reports a missing key for OpenAI without sending anything", async () => {
  const report = await checkEndpoint({
    model: "gpt-4o",
    fetch: () => Promise.reject(new Error("sent")),
  });
  equal(report.ok, false);
  equal(status(report, "key"), "fail");
  equal(status(report, "reachable"), "skip");
});

Deno.test("checkEndpoint() reports a wrong URL, an unknown model, a refused key and temperature", async (t) => {
  await using server = await serveOfflineModel({
    backend: new OfflineBackend({ catalog: [] }),
    apiKey: "sk-right",
    honourN: false,
    rejectTemperature: true,
  });
  await t.step("wrong URL", async () => {
    const report = await checkEndpoint({
      model: "m",
      baseUrl: "http://127.0.0.1:9/v1",
      maxRetries: 0,
    });
    equal(report.ok, false);
    equal(status(report, "reachable"), "fail");
    ok(report.checks.find((c) => c.name === "reachable")?.message.includes("Cannot reach"));
  });
  await t.step("unknown model", async () => {
    const report = await checkEndpoint({
      model: "gpt-9",
      baseUrl: server.baseUrl,
      apiKey: "sk-right",
    });
    equal(report.ok, false);
    equal(status(report, "model"), "fail");
    ok(report.checks.find((c) => c.name === "model")?.message.includes("offline-stand-in"));
  });
  await t.step("refused key", async () => {
    const report = await checkEndpoint({
      model: "offline-stand-in",
      baseUrl: server.baseUrl,
      apiKey: "sk-wrong",
    });
    equal(report.ok, false);
    equal(status(report, "key"), "fail");
  });
  await t.step("n ignored and temperature refused are warnings", async () => {
    const report = await checkEndpoint({
      model: "offline-stand-in",
      baseUrl: server.baseUrl,
      apiKey: "sk-right",
    });
    equal(report.ok, true);
    equal(report.nHonoured, false);
    equal(report.temperatureAccepted, false);
    equal(status(report, "n"), "warn");
    equal(status(report, "temperature"), "warn");
  });
});

Deno.test("checkEndpoint() answers whether each server profile can run the paper's budgets", async (t) => {
  const cases: {
    profile: ServerProfileName;
    profileOptions?: ServerProfileOptions;
    maxTokens?: number;
    verdict: boolean;
    warn: string[];
    says?: RegExp;
  }[] = [
    { profile: "openai", verdict: true, warn: [] },
    { profile: "vllm", verdict: true, warn: ["max_tokens"], says: /context window is 4096/ },
    { profile: "ollama", verdict: true, warn: ["n"] },
    { profile: "llamacpp", verdict: true, warn: ["n"], says: /one choice per request/ },
    { profile: "reasoning", verdict: true, warn: ["temperature"], says: /max_completion_tokens/ },
    { profile: "reasoning", maxTokens: 2048, verdict: false, warn: ["temperature"] },
    { profile: "azure", verdict: true, warn: ["replies"], says: /content filter/ },
    { profile: "r1", verdict: true, warn: ["price"], says: /reasoning/ },
    { profile: "openrouter", verdict: true, warn: ["max_tokens"], says: /affords 3000/ },
    {
      profile: "openrouter",
      profileOptions: { affordableTokens: 100 },
      verdict: false,
      warn: [],
      says: /can only afford 100/,
    },
    { profile: "vllm", profileOptions: { contextTokens: 1024 }, verdict: false, warn: [] },
  ];
  for (const c of cases) {
    const label = `${c.profile} ${JSON.stringify(c.profileOptions ?? {})} max_tokens ${
      c.maxTokens ?? 4096
    }`;
    await t.step(label, async () => {
      await using server = await serveOfflineModel({
        profile: c.profile,
        ...(c.profileOptions === undefined ? {} : { profileOptions: c.profileOptions }),
      });
      const report = await checkEndpoint({
        model: server.profile.model,
        baseUrl: server.baseUrl,
        apiKey: "k",
        sleep: noWait,
        ...(server.profile.azure ? { apiVersion: "2024-10-21" } : {}),
        ...(c.maxTokens === undefined ? {} : { maxTokens: c.maxTokens }),
      });
      equal(report.ok, c.verdict, JSON.stringify(report.checks, null, 1));
      match(report.verdict, c.verdict ? /^yes/ : /^no/);
      for (const name of c.warn) equal(status(report, name), "warn", name);
      if (c.says !== undefined) {
        match(report.checks.map((x) => x.message).join("\n"), c.says);
      }
      // The adaptation is never called a retried failure.
      ok(!report.checks.some((x) => /retried failures/.test(x.message)));
    });
  }
});
