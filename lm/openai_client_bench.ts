/**
 * Throughput of the client against the local server with 50 ms of server latency, at
 * concurrency 1, 8 and 32 (64 requests each). The overhead per call above the latency is
 * `time / 64 - 50 ms` at concurrency 1.
 *
 * Run: `deno bench --allow-net=127.0.0.1 --allow-read=. lm/openai_client_bench.ts`
 *
 * @module
 */

import type { CatalogEntry } from "../stand_in/catalog_types.ts";
import { OfflineBackend } from "../stand_in/offline_backend.ts";
import { OpenAiClient } from "./openai_client.ts";
import { serveOfflineModel } from "../stand_in/serve_offline_model.ts";

const REQUESTS = 64;
const LATENCY_MS = 50;
const entry: CatalogEntry = {
  id: "lpn/x",
  target: "lpn",
  file: "lpn/x.ts",
  quality: "fair",
  idea: "An idea.",
  tags: [],
};
const program = "export function algorithm() {\n  return [];\n}\n".repeat(20);

for (const concurrency of [1, 8, 32]) {
  Deno.bench(
    `${REQUESTS} requests at concurrency ${concurrency}, ${LATENCY_MS} ms server latency`,
    {
      group: "throughput",
      n: 3,
      warmup: 1,
    },
    async (b) => {
      const server = await serveOfflineModel({
        latencyMs: LATENCY_MS,
        backend: new OfflineBackend({
          catalog: [entry],
          readProgram: () => Promise.resolve(program),
        }),
      });
      const client = new OpenAiClient({
        model: "offline-stand-in",
        baseUrl: server.baseUrl,
        concurrency,
      });
      const messages = [{ role: "user" as const, content: "Task: LPN (lpn)" }];
      b.start();
      await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) => client.complete({ messages, n: 1, seed: i })),
      );
      b.end();
      await server.shutdown();
    },
  );
}
