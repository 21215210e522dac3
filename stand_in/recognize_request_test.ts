import { deepEqual } from "node:assert/strict";
import { recognizeRequest } from "./recognize_request.ts";
import { RECOGNIZER_HOSTILE_TEXT } from "../tests/fakes/hostile_scan_texts.ts";

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

// Its speed on this text (the old pattern took ~6 s) is measured by `deno task bench`
// ("recognizeRequest, 200k hostile chars"), not asserted here: a test's verdict must not depend
// on the machine's speed (tests/WALL_CLOCK.md).
Deno.test("recognizeRequest() reads a guest's hostile prompt to the end", () => {
  const hostile = RECOGNIZER_HOSTILE_TEXT;
  deepEqual(recognizeRequest([{ role: "user", content: hostile }]), { kind: "unknown" });
  // The same prompt with a task line at its end is recognised: the scan reaches it.
  deepEqual(recognizeRequest([{ role: "user", content: hostile + " Max-cut (maxcut)" }]), {
    kind: "program",
    target: "maxcut",
    how: "task-line",
  });
});
