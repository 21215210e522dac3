import { deepEqual, equal, match, notDeepEqual, ok } from "node:assert/strict";
import type { ChatMessage } from "../lm/chat_backend.ts";
import type { CatalogEntry, CatalogQuality } from "./catalog_types.ts";
import { OfflineBackend, qualityWeights, sampleEntry } from "./offline_backend.ts";
import { STAND_IN_METHOD } from "../lm/stand_in_name.ts";
import { seededRandom } from "../common/seeded_random.ts";

const QUALITIES: CatalogQuality[] = ["broken", "weak", "fair", "strong"];
const CATALOG: CatalogEntry[] = ["lpn", "maxcut", "improver"].flatMap((target) =>
  QUALITIES.flatMap((quality) =>
    [0, 1].map((k) => ({
      id: `${target}/${quality}_${k}`,
      target: target as CatalogEntry["target"],
      file: `${target}/${quality}_${k}.ts`,
      quality,
      idea: `Try the ${quality} idea number ${k}.`,
      tags: [],
    }))
  )
);
const readProgram = (entry: CatalogEntry) =>
  Promise.resolve(
    `// ${entry.id}\nexport function f(): string {\n  return "${entry.quality}";\n}\n`,
  );
const backend = (seed: number) => new OfflineBackend({ seed, catalog: CATALOG, readProgram });

const ASK_LPN: ChatMessage[] = [
  { role: "system", content: "You are an expert computer science researcher." },
  { role: "user", content: "Improve:\n```ts\n// Task: Learning parity with noise (lpn)\n```" },
];

Deno.test("OfflineBackend.complete() is deterministic for a seed and differs across seeds", async () => {
  const request = { messages: ASK_LPN, n: 6, temperature: 0.9, seed: 11 };
  const a = await backend(1).complete(request);
  const b = await backend(1).complete(request);
  const c = await backend(2).complete(request);
  deepEqual(a.choices, b.choices);
  notDeepEqual(a.choices, c.choices);
  equal(a.model, "offline-stand-in");
  equal(a.standIn, true);
  ok(a.usage.estimated);
});

Deno.test("OfflineBackend.complete() answers with one idea sentence and one fenced typescript block", async () => {
  const result = await backend(0).complete({ messages: ASK_LPN, n: 4, temperature: 0.7, seed: 3 });
  for (const reply of result.choices) {
    equal(reply.match(/```typescript\n/g)?.length, 1);
    equal(reply.match(/```/g)?.length, 2);
    match(reply, /^Try the \w+ idea number \d\.\n\n```typescript\n\/\/ lpn\//);
  }
});

Deno.test("OfflineBackend.complete() choice i of seed s equals choice 0 of seed s + i", async () => {
  const stand = backend(5);
  const many = await stand.complete({ messages: ASK_LPN, n: 3, seed: 100 });
  const one = await stand.complete({ messages: ASK_LPN, n: 1, seed: 102 });
  equal(many.choices[2], one.choices[0]);
});

Deno.test("OfflineBackend.complete() without a seed varies by occurrence, reproducibly", async () => {
  const run = async () => {
    const stand = backend(0);
    const replies: string[] = [];
    for (let k = 0; k < 4; k++) {
      replies.push((await stand.complete({ messages: ASK_LPN, n: 3 })).choices.join("|"));
    }
    return replies;
  };
  const a = await run();
  deepEqual(a, await run());
  ok(new Set(a).size > 1);
});

Deno.test("OfflineBackend.complete() answers improver requests from the improver library", async () => {
  const messages: ChatMessage[] = [{
    role: "user",
    content:
      "Improve this improver: export function improveAlgorithm(s, u, lm) {} // Task: LPN (lpn)",
  }];
  const result = await backend(0).complete({ messages, n: 5, seed: 1 });
  ok(result.choices.every((c) => c.includes("// improver/")));
});

Deno.test("OfflineBackend.complete() replies politely with no code when it cannot tell the task", async () => {
  const result = await backend(0).complete({
    messages: [{ role: "user", content: "What is the weather like?" }],
    n: 1,
  });
  ok(!result.choices[0]?.includes("```"));
  match(result.choices[0]!, /not a language model/);
});

Deno.test("sampleEntry() gives more broken programs at higher temperature", () => {
  const lpn = CATALOG.filter((e) => e.target === "lpn");
  const brokenShare = (temperature: number) => {
    const random = seededRandom("t", temperature);
    let broken = 0;
    for (let i = 0; i < 2000; i++) {
      if (sampleEntry(lpn, temperature, random).quality === "broken") broken++;
    }
    return broken / 2000;
  };
  const cold = brokenShare(0.1);
  const warm = brokenShare(0.7);
  const hot = brokenShare(1.5);
  ok(cold < warm && warm < hot, `${cold} < ${warm} < ${hot}`);
  ok(cold < 0.01);
  const w = qualityWeights(0.7);
  ok(Math.abs(w.broken + w.weak + w.fair + w.strong - 1) < 1e-12);
});

Deno.test("sampleEntry() with high temperature spreads over more distinct programs", () => {
  const lpn = CATALOG.filter((e) => e.target === "lpn");
  const distinct = (temperature: number) => {
    const random = seededRandom("d", temperature);
    return new Set(Array.from({ length: 30 }, () => sampleEntry(lpn, temperature, random).id)).size;
  };
  ok(distinct(1.5) > distinct(0.05));
});

Deno.test("STAND_IN_METHOD states qualityWeights(0.7) and that replies ignore the prompt", () => {
  const w = qualityWeights(0.7);
  const stated = `broken ${Math.round(100 * w.broken)}%, weak ${Math.round(100 * w.weak)}%, ` +
    `fair ${Math.round(100 * w.fair)}%, strong ${Math.round(100 * w.strong)}%`;
  ok(STAND_IN_METHOD.replace(/\s+/g, " ").includes(stated), stated);
  ok(STAND_IN_METHOD.includes("ignore the prompt's content"));
  ok(STAND_IN_METHOD.includes("sampling more, hotter, and selecting by utility"));
  ok(qualityWeights(1).strong > w.strong, "hotter is flatter: more strong programs");
});
