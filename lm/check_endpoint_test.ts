import { equal, ok } from "node:assert/strict";
import { checkEndpoint } from "./check_endpoint.ts";
import { serveOfflineModel } from "./serve_offline_model.ts";
import { OfflineBackend } from "./offline/offline_backend.ts";

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
