import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { createLanguageModel } from "../lm/language_model.ts";
import { Ledger } from "../lm/ledger.ts";
import { ModelGateway } from "../lm/model_gateway.ts";
import type { CatalogEntry } from "./catalog_types.ts";
import { OfflineBackend } from "./offline_backend.ts";
import { OpenAiClient } from "../lm/openai_client.ts";
import { ResponseCache } from "../lm/response_cache.ts";
import { serveOfflineModel } from "./serve_offline_model.ts";

const CATALOG: CatalogEntry[] = (["broken", "weak", "fair", "strong"] as const).flatMap((quality) =>
  [0, 1, 2].map((k) => ({
    id: `improver/${quality}_${k}`,
    target: "improver" as const,
    file: `improver/${quality}_${k}.ts`,
    quality,
    idea: `Use the ${quality} strategy ${k}.`,
    tags: [],
  }))
);
const readProgram = (entry: CatalogEntry) =>
  Promise.resolve(`export function improveAlgorithm(s: string) {\n  return s; // ${entry.id}\n}\n`);
const standIn = () => new OfflineBackend({ seed: 9, catalog: CATALOG, readProgram });

const EXPERTISE = "You are an expert computer science researcher and programmer.";
const MESSAGE =
  "Improve the following improver.\n```ts\nexport function improveAlgorithm() {}\n```";

/** What an improver run does with the model: a batch of 4 and a prompt for 3, twice. */
async function improverLikeCalls(gateway: ModelGateway): Promise<string[]> {
  const model = createLanguageModel(gateway, { budget: 4, maxResponsesPerCall: 6 });
  const replies: string[] = [];
  replies.push(...await model.batchPrompt(EXPERTISE, Array(4).fill(MESSAGE), 0.7));
  replies.push(...await model.prompt(EXPERTISE, MESSAGE, 3, 1.0));
  replies.push(...await model.batchPrompt(EXPERTISE, Array(4).fill(MESSAGE), 0.7));
  replies.push(...await model.prompt(EXPERTISE, MESSAGE + "\nagain", 3, 1.0));
  return replies;
}

Deno.test("serveOfflineModel() with 30% faults gives the same replies as the stand-in in process", async () => {
  const direct = await improverLikeCalls(new ModelGateway(standIn(), { seed: 3 }));
  ok(new Set(direct).size > 3, "replies vary");

  await using server = await serveOfflineModel({
    backend: standIn(),
    faultRate: 0.3,
    faultSeed: 4,
    stallMs: 10,
  });
  const ledger = new Ledger();
  const client = new OpenAiClient({
    model: "offline-stand-in",
    baseUrl: server.baseUrl,
    maxRetries: 12,
    sleep: () => Promise.resolve(),
  });
  const overHttp = await improverLikeCalls(new ModelGateway(client, { seed: 3, ledger }));
  deepEqual(overHttp, direct);

  const faults = Object.values(server.stats.faults).reduce((a, b) => a + (b ?? 0), 0);
  ok(faults > 0, "faults were injected");
  const summary = ledger.summary();
  equal(summary.answered, 10, "one completion per request: 4 + 1 + 4 + 1");
  equal(summary.errors, 0);
  equal(summary.pendingIntents, 0);
  equal(summary.standIn, true, "the ledger says the stand-in answered");
  const completions = ledger.records.filter((r) => r.kind === "completion");
  const attempts = completions.reduce((s, r) => s + (r.attempts ?? 0), 0);
  equal(attempts, server.stats.requests, "every HTTP request is accounted for");
  equal(summary.costUsd, 0);
});

Deno.test("serveOfflineModel() run replayed from its cache reproduces it with the network off", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cache.jsonl`;
    let live: string[];
    {
      await using server = await serveOfflineModel({ backend: standIn() });
      await using cache = await ResponseCache.open(path);
      const client = new OpenAiClient({ model: "offline-stand-in", baseUrl: server.baseUrl });
      live = await improverLikeCalls(new ModelGateway(client, { cache, seed: 1 }));
    }
    await using cache = await ResponseCache.open(path);
    const offline = new OpenAiClient({
      model: "offline-stand-in",
      baseUrl: "http://127.0.0.1:9/v1",
      fetch: () => Promise.reject(new Error("the network was touched")),
    });
    const gateway = new ModelGateway(offline, { cache, replay: true, seed: 1 });
    deepEqual(await improverLikeCalls(gateway), live);
    equal(gateway.ledger.summary().cacheHits, 10);
    await rejects(
      createLanguageModel(gateway).prompt(EXPERTISE, "something new"),
      { name: "ReplayMissError" },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serveOfflineModel() rejects a fault rate outside [0, 1]", async () => {
  await rejects(serveOfflineModel({ faultRate: 2 }), RangeError);
});

Deno.test("serveOfflineModel() answers unknown routes with a 404 that explains the API", async () => {
  await using server = await serveOfflineModel({ backend: standIn() });
  const response = await fetch(`http://127.0.0.1:${server.port}/chat/completions`, {
    method: "POST",
    body: "{}",
  });
  equal(response.status, 404);
  ok((await response.json()).error.message.includes("/v1/chat/completions"));
});
