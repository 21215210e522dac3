import { deepEqual, equal, ok } from "node:assert/strict";
import { recognizeRequest } from "./recognize_request.ts";

const ask = (content: string) => recognizeRequest([{ role: "user", content }]);

Deno.test("recognizeRequest() prefers improveAlgorithm, then the Task line, then keywords", async (t) => {
  await t.step("improver", () => {
    deepEqual(ask("export function improveAlgorithm() {} // Task: Max-cut (maxcut)"), {
      kind: "program",
      target: "improver",
      how: "improver",
    });
  });
  await t.step("task line, each id", () => {
    for (const id of ["lpn", "parity", "string-grid", "quadratic-assignment", "3sat", "maxcut"]) {
      deepEqual(ask(`// Task: Something (${id})\nparity`), {
        kind: "program",
        target: id,
        how: "task-line",
      });
    }
  });
  await t.step("an unknown id in a Task line falls through to keywords", () => {
    deepEqual(ask("// Task: Foo (foo)\nsolve 3-SAT"), {
      kind: "program",
      target: "3sat",
      how: "keywords",
    });
  });
  await t.step("keywords", () => {
    deepEqual(
      ask("learning parity with noise")?.kind === "program" && ask("learning parity with noise"),
      {
        kind: "program",
        target: "lpn",
        how: "keywords",
      },
    );
    deepEqual(ask("noiseless parity"), { kind: "program", target: "parity", how: "keywords" });
    deepEqual(ask("gridDist(s, t)"), { kind: "program", target: "string-grid", how: "keywords" });
    deepEqual(ask("modified quadratic assignment"), {
      kind: "program",
      target: "quadratic-assignment",
      how: "keywords",
    });
    deepEqual(ask("the max-cut of a graph"), {
      kind: "program",
      target: "maxcut",
      how: "keywords",
    });
  });
  await t.step("nothing", () => {
    deepEqual(ask("hello there"), { kind: "unknown" });
  });
});

Deno.test("recognizeRequest() stays fast on a guest's hostile prompt (no quadratic scan)", () => {
  const started = performance.now();
  const asked = recognizeRequest([{ role: "user", content: "Task:".repeat(40_000) }]);
  const ms = performance.now() - started;
  equal(asked.kind, "unknown");
  // The old pattern took ~6 s on 100k characters (~1.5 s on 50k) on this machine.
  ok(ms < 500, `${ms.toFixed(0)} ms for 200k characters`);
});
