import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import type { ChatRequest } from "./chat_backend.ts";
import { ModelError } from "./errors.ts";
import type { CatalogEntry } from "../stand_in/catalog_types.ts";
import { OfflineBackend } from "../stand_in/offline_backend.ts";
import { OpenAiClient, type OpenAiClientOptions } from "./openai_client.ts";
import {
  serveOfflineModel,
  type ServeOfflineModelOptions,
} from "../stand_in/serve_offline_model.ts";

const CATALOG: CatalogEntry[] = ["a", "b", "c", "d"].map((name, i) => ({
  id: `lpn/${name}`,
  target: "lpn",
  file: `lpn/${name}.ts`,
  quality: (["broken", "weak", "fair", "strong"] as const)[i]!,
  idea: `Idea ${name}.`,
  tags: [],
}));
const readProgram = (entry: CatalogEntry) =>
  Promise.resolve(`export function algorithm() { return "${entry.id}"; }`);
const standIn = (seed = 0) => new OfflineBackend({ seed, catalog: CATALOG, readProgram });

const REQUEST: ChatRequest = {
  messages: [
    { role: "system", content: "You are an expert." },
    { role: "user", content: "Improve this. // Task: Learning parity with noise (lpn)" },
  ],
  n: 3,
  temperature: 0.7,
  maxTokens: 256,
  seed: 42,
};

async function withServer(
  options: ServeOfflineModelOptions,
  clientOptions: Partial<OpenAiClientOptions>,
  body: (
    client: OpenAiClient,
    stats: { sleeps: number[]; requests: () => number },
  ) => Promise<void>,
) {
  const server = await serveOfflineModel({ backend: standIn(), ...options });
  const sleeps: number[] = [];
  try {
    const client = new OpenAiClient({
      model: "offline-stand-in",
      baseUrl: server.baseUrl,
      apiKey: "sk-test",
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      ...clientOptions,
    });
    await body(client, { sleeps, requests: () => server.stats.requests });
  } finally {
    await server.shutdown();
  }
}

Deno.test("OpenAiClient.complete() sends n once when the server honours it", async () => {
  await withServer({}, {}, async (client, { requests }) => {
    const result = await client.complete(REQUEST);
    equal(result.choices.length, 3);
    equal(requests(), 1);
    equal(result.attempts, 1);
    equal(client.nHonoured, true);
    equal(result.standIn, true);
    equal(result.model, "offline-stand-in");
    equal(result.usage.estimated, false);
    ok(result.usage.promptTokens > 0 && result.usage.completionTokens > 0);
    ok(result.choices.every((c) => c.includes("```typescript")));
  });
});

Deno.test("OpenAiClient.complete() falls back to parallel requests when n is ignored, same replies", async () => {
  let honoured: string[] = [];
  await withServer({}, {}, async (client) => {
    honoured = (await client.complete(REQUEST)).choices;
  });
  await withServer({ honourN: false }, {}, async (client, { requests }) => {
    const result = await client.complete(REQUEST);
    deepEqual(result.choices, honoured);
    equal(requests(), 3);
    equal(client.nHonoured, false);
    const again = await client.complete(REQUEST);
    deepEqual(again.choices, honoured);
    equal(requests(), 6, "remembered: three n=1 requests straight away");
  });
});

Deno.test("OpenAiClient.complete() retries 429 honouring Retry-After, and 500, then succeeds", async () => {
  await withServer(
    { script: ["rate_limit_retry_after", "server_error", "rate_limit"], retryAfterSeconds: 2 },
    { retry: { baseMs: 100 } },
    async (client, { sleeps, requests }) => {
      const result = await client.complete({ ...REQUEST, n: 1 });
      equal(result.choices.length, 1);
      equal(result.attempts, 4);
      equal(requests(), 4);
      equal(sleeps[0], 2000);
      equal(sleeps[1], 150);
      equal(sleeps[2], 300);
    },
  );
});

Deno.test("OpenAiClient.complete() stops after maxRetries with an unavailable ModelError", async () => {
  await withServer(
    { script: Array(10).fill("server_error") },
    { maxRetries: 2 },
    async (client, { requests }) => {
      const error = await client.complete(REQUEST).catch((e: unknown) => e);
      ok(error instanceof ModelError);
      equal(error.kind, "unavailable");
      equal(error.fatal, false);
      equal(error.attempts, 3);
      equal(requests(), 3);
    },
  );
});

Deno.test("OpenAiClient.complete() never retries a 401 and raises a fatal auth error", async () => {
  await withServer(
    { apiKey: "sk-right" },
    { apiKey: "sk-wrong" },
    async (client, { requests, sleeps }) => {
      const error = await client.complete(REQUEST).catch((e: unknown) => e);
      ok(error instanceof ModelError);
      equal(error.kind, "auth");
      equal(error.status, 401);
      equal(error.fatal, true);
      ok(error.message.includes("OPENAI_API_KEY"));
      equal(requests(), 1);
      equal(sleeps.length, 0);
    },
  );
});

Deno.test("OpenAiClient.complete() retries truncated, malformed, HTML and empty replies", async () => {
  await withServer(
    { script: ["truncated_json", "malformed_json", "html", "empty_choices"] },
    {},
    async (client, { requests }) => {
      const result = await client.complete({ ...REQUEST, n: 2 });
      equal(result.choices.length, 2);
      equal(result.attempts, 5);
      equal(requests(), 5);
    },
  );
});

Deno.test("OpenAiClient.complete() times out a stalled request", async () => {
  // A request's timeout is wall time by nature (the endpoint is another machine). The check is
  // an ordering, not a speed: the request ended before the server's stall would have.
  const stallMs = 20_000;
  await withServer(
    { script: ["stall"], stallMs },
    { timeoutMs: 200, maxRetries: 0 },
    async (client) => {
      const started = Date.now();
      await rejects(client.complete(REQUEST), (error: unknown) => {
        ok(error instanceof ModelError);
        equal(error.kind, "unavailable");
        ok(/timed out after 200 ms/.test(error.message));
        return true;
      });
      ok(Date.now() - started < stallMs, "the stall ended the request, not the timeout");
    },
  );
});

Deno.test("OpenAiClient.complete() caps requests in flight", async () => {
  // The first two requests wait for each other at the server, so two are in flight at once
  // on any machine (a client that never sends two at once hangs here rather than passing).
  const server = await serveOfflineModel({ backend: standIn(), latencyMs: 50, gatherFirst: 2 });
  try {
    const client = new OpenAiClient({
      model: "offline-stand-in",
      baseUrl: server.baseUrl,
      concurrency: 2,
    });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.complete({ ...REQUEST, n: 1, seed: i })),
    );
    equal(server.stats.answered, 6);
    equal(server.stats.maxInFlight, 2);
  } finally {
    await server.shutdown();
  }
});

Deno.test("OpenAiClient.complete() omits temperature once the model rejects it", async () => {
  await withServer({ rejectTemperature: true }, {}, async (client, { requests }) => {
    const result = await client.complete(REQUEST);
    equal(result.choices.length, 3);
    equal(client.temperatureRejected, true);
    equal(requests(), 2);
    await client.complete(REQUEST);
    equal(requests(), 3);
  });
});

Deno.test("OpenAiClient.complete() reports an unknown model as a fatal not_found error", async () => {
  await withServer({}, { model: "gpt-9" }, async (client, { requests }) => {
    await rejects(client.complete(REQUEST), { name: "ModelError", kind: "not_found", status: 404 });
    equal(requests(), 1);
  });
});

Deno.test("OpenAiClient.complete() retries connection errors and explains the URL", async () => {
  // Port 9 (discard) has no listener here; a just-closed port could be reused by a parallel test.
  const baseUrl = "http://127.0.0.1:9/v1";
  const sleeps: number[] = [];
  const client = new OpenAiClient({
    model: "offline-stand-in",
    baseUrl,
    maxRetries: 1,
    sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
  });
  await rejects(client.complete(REQUEST), (error: unknown) => {
    ok(error instanceof ModelError);
    equal(error.kind, "unavailable");
    equal(error.attempts, 2);
    ok(/Cannot reach/.test(error.message));
    return true;
  });
  equal(sleeps.length, 1);
});

Deno.test("OpenAiClient.listModels() lists the served models", async () => {
  await withServer({ models: ["offline-stand-in", "other"] }, {}, async (client) => {
    deepEqual(await client.listModels(), ["offline-stand-in", "other"]);
  });
});
