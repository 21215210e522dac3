import { deepEqual, equal } from "node:assert/strict";
import { ResponseCache } from "./response_cache.ts";

const answer = (key: string, occurrence: number, text: string) => ({
  key,
  occurrence,
  model: "m",
  choices: [text],
  usage: { promptTokens: 1, completionTokens: 2, estimated: false },
  standIn: false,
});

Deno.test("ResponseCache.open() skips a torn last line and appends after it safely", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cache.jsonl`;
    const cache = await ResponseCache.open(path);
    await cache.put(answer("k", 0, "first"));
    await cache.close();
    // A crash in the middle of an append leaves half a line.
    const torn = JSON.stringify({ v: 1, ...answer("k", 1, "torn") }).slice(0, 30);
    await Deno.writeTextFile(path, torn, { append: true });

    const reopened = await ResponseCache.open(path);
    equal(reopened.skippedLines, 1);
    equal(reopened.get("k", 0)?.choices[0], "first");
    equal(reopened.get("k", 1), undefined);
    await reopened.put(answer("k", 1, "second"));
    await reopened.close();

    const third = await ResponseCache.open(path);
    equal(third.get("k", 1)?.choices[0], "second");
    equal(third.size, 2);
    equal(third.skippedLines, 1);
    await third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResponseCache.put() keeps the first answer for a key and occurrence", async () => {
  const cache = new ResponseCache();
  await cache.put(answer("k", 0, "a"));
  await cache.put(answer("k", 0, "b"));
  deepEqual(cache.get("k", 0)?.choices, ["a"]);
});
