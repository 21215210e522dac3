import { deepEqual, equal } from "node:assert/strict";
import { serveOfflineModel } from "../stand_in/mod.ts";
import { type ModelFlags, openGateway } from "../cli/model_flags.ts";

Deno.test("openGateway() keeps the learned request shape in endpoint.json and a resumed run sends it first", async () => {
  await using server = await serveOfflineModel({ profile: "reasoning" });
  const dir = await Deno.makeTempDir();
  const flags: ModelFlags = {
    model: "o4-mini",
    baseUrl: server.baseUrl,
    replay: false,
    maxCostUsd: undefined,
    maxRequests: 4,
    seed: 0,
  };
  try {
    const first = await openGateway(flags, dir);
    await first.gateway.call({
      expertise: "e",
      messages: ["// Task: Learning parity with noise (lpn)"],
      n: 2,
      temperature: 0.7,
    });
    await first.gateway.ledger.close();
    // Two rejections (max_tokens, then temperature) before the answer.
    equal(server.stats.requests, 3);
    const stored = JSON.parse(await Deno.readTextFile(`${dir}/endpoint.json`));
    deepEqual(stored.shape, {
      maxTokensParameter: "max_completion_tokens",
      temperature: false,
      n: true,
      seed: true,
    });
    const resumed = await openGateway(flags, dir);
    await resumed.gateway.call({
      expertise: "e",
      messages: ["another message"],
      n: 1,
      temperature: 0.7,
    });
    await resumed.gateway.ledger.close();
    equal(server.stats.requests, 4, "the resumed run's first request is accepted as sent");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
