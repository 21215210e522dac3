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
    // The torn line was cut off when the second open appended (one torn-line policy for every
    // log, common/jsonl_file.ts): it no longer stays in the file as a damaged line.
    equal(third.skippedLines, 0);
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

Deno.test("ResponseCache never takes a torn last line for an answer, even one that parses", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cache.jsonl`;
    // The whole record reached the disk, but not its newline: its append never returned.
    await Deno.writeTextFile(
      path,
      JSON.stringify({ v: 1, ...answer("k", 0, "first") }) + "\n" +
        JSON.stringify({ v: 1, ...answer("k", 1, "unfinished") }),
    );
    const cache = await ResponseCache.open(path);
    equal(cache.get("k", 0)?.choices[0], "first");
    equal(cache.get("k", 1), undefined);
    equal(cache.skippedLines, 1);
    await cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResponseCache.open() cuts a torn last line off, so no later open meets it as damage", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cache.jsonl`;
    const good = JSON.stringify({ v: 1, ...answer("k", 0, "first") }) + "\n";
    await Deno.writeTextFile(path, good + good.slice(0, 30));
    const reopened = await ResponseCache.open(path);
    await reopened.put(answer("k", 1, "second"));
    await reopened.close();
    equal(
      await Deno.readTextFile(path),
      good + JSON.stringify({ v: 1, ...answer("k", 1, "second") }) + "\n",
    );
    const third = await ResponseCache.open(path);
    equal(third.skippedLines, 0);
    equal(third.size, 2);
    await third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResponseCache.open() counts a damaged line in the middle as skipped and reads on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cache.jsonl`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({ v: 1, ...answer("k", 0, "a") }) + "\n" + "%%damage%%\n" +
        JSON.stringify({ v: 1, ...answer("k", 1, "b") }) + "\n",
    );
    const cache = await ResponseCache.open(path);
    equal(cache.skippedLines, 1);
    equal(cache.size, 2);
    await cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
