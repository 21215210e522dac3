import { deepEqual, equal, ok } from "node:assert/strict";
import { AuditLog } from "./audit_log.ts";
import { withTempDir } from "../tests/fakes/temp_dir.ts";

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir("stop-audit-log-", fn);

const kinds = async (path: string) =>
  (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "").map((l) =>
    JSON.parse(l).kind
  );

Deno.test("AuditLog writes each event as one line, on disk when record() returns", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/audit.jsonl`;
    const log = new AuditLog({ path, run: "r" });
    try {
      log.record({ kind: "timeout", detail: "a" });
      deepEqual(await kinds(path), ["timeout"]);
      log.record({ kind: "crash", detail: "b\nc", count: 3 });
      deepEqual(await kinds(path), ["timeout", "crash"]);
      equal(log.count(), 4);
    } finally {
      log.close();
    }
  });
});

Deno.test("AuditLog keeps one handle open until close(), and opens the file again after it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/audit.jsonl`;
    const log = new AuditLog({ path });
    try {
      log.record({ kind: "timeout", detail: "first" });
      await Deno.remove(path);
      // Writes go to the handle opened for the first event: the path is not opened again.
      log.record({ kind: "timeout", detail: "second" });
      ok(!(await Deno.stat(path).then(() => true, () => false)), "the file was not reopened");
      log.close();
      log.close(); // twice does nothing
      log.record({ kind: "crash", detail: "after close" });
      deepEqual(await kinds(path), ["crash"]);
    } finally {
      log.close();
    }
  });
});

Deno.test("AuditLog cuts a torn last line off before its first event, never gluing onto it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/audit.jsonl`;
    await Deno.writeTextFile(path, '{"time":"t","kind":"timeout","detail":"x"}\n{"time":"t","ki');
    const log = new AuditLog({ path });
    try {
      log.record({ kind: "crash", detail: "new" });
    } finally {
      log.close();
    }
    deepEqual(await kinds(path), ["timeout", "crash"]);
  });
});

Deno.test("AuditLog keeps events in memory when the file cannot be opened, and tries again", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/later/audit.jsonl`;
    const log = new AuditLog({ path });
    try {
      log.record({ kind: "timeout", detail: "a" });
      log.record({ kind: "timeout", detail: "b" });
      equal(log.count("timeout"), 2);
      await Deno.mkdir(`${dir}/later`);
      log.record({ kind: "crash", detail: "c" });
      deepEqual(await kinds(path), ["crash"]);
    } finally {
      log.close();
    }
  });
});

Deno.test("AuditLog.summary() is the same JSON whatever order the events came in", () => {
  const events = [
    { kind: "reward_hack_signal", detail: "a" },
    { kind: "timeout", detail: "b", count: 3 },
    { kind: "capability_attempt", detail: "c" },
    { kind: "timeout", detail: "d" },
  ] as const;
  const summaryOf = (order: readonly (typeof events)[number][]) => {
    using log = new AuditLog();
    for (const e of order) log.record(e);
    return JSON.stringify(log.summary());
  };
  const forward = summaryOf(events);
  equal(forward, '{"timeout":4,"capability_attempt":1,"reward_hack_signal":1}');
  equal(summaryOf([...events].reverse()), forward);
});
