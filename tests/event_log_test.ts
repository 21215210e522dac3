import { deepEqual, equal, rejects } from "node:assert/strict";
import { EventLog } from "../experiments/event_log.ts";
import { withTempDir } from "./fakes/temp_dir.ts";

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir("stop-event-log-", fn);

const event = (type: string, t: number) =>
  JSON.stringify({ time: "2026-01-01T00:00:00.000Z", type, run: 0, t });

Deno.test("EventLog.open() reads a missing file and an empty file as no events", async () => {
  await withDir(async (dir) => {
    for (const path of [`${dir}/missing.jsonl`, `${dir}/empty.jsonl`]) {
      if (path.endsWith("empty.jsonl")) await Deno.writeTextFile(path, "");
      const log = await EventLog.open(path);
      equal(log.events.length, 0);
      log.close();
    }
  });
});

Deno.test("EventLog.open() cuts a torn last line off, even one that parses, and appends after it", async (t) => {
  for (const torn of ['{"type":"iteration-e', event("iteration-end", 1)]) {
    await t.step(torn.slice(0, 20), async () => {
      await withDir(async (dir) => {
        const path = `${dir}/events.jsonl`;
        await Deno.writeTextFile(path, event("baseline", 0) + "\n" + torn);
        const log = await EventLog.open(path);
        deepEqual(log.events.map((e) => e.type), ["baseline"]);
        equal(log.has({ type: "iteration-end", run: 0, t: 1 }), false);
        equal(await log.append({ type: "iteration-end", run: 0, t: 1 }), true);
        log.close();
        const again = await EventLog.open(path);
        deepEqual(again.events.map((e) => e.type), ["baseline", "iteration-end"]);
        again.close();
      });
    });
  }
});

Deno.test("EventLog.open() refuses a damaged line in the middle, saying which", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/events.jsonl`;
    await Deno.writeTextFile(
      path,
      event("baseline", 0) + "\n" + "%%\n" + event("run-end", 1) + "\n",
    );
    await rejects(EventLog.open(path), { name: "SyntaxError", message: /line 2 .* is not JSON/ });
    await Deno.writeTextFile(path, event("baseline", 0) + "\n" + '{"no":"type"}\n');
    await rejects(EventLog.open(path), { name: "SyntaxError", message: /line 2 .* is no event/ });
  });
});
