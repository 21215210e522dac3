import { deepEqual, equal, ok } from "node:assert/strict";
import { hackSignal, readBit, readIndexBelow, readTruth, readVector } from "./_validate.ts";

Deno.test("readVector() accepts exactly the expected length and elements", () => {
  deepEqual(readVector([0, 1, 1], 3, readBit, "bits"), { ok: true, value: [0, 1, 1] });
  equal(readVector([0, 1], 3, readBit, "bits").ok, false);
  equal(readVector([0, 1, 2], 3, readBit, "bits").ok, false);
  equal(readVector([0, 1, true], 3, readBit, "bits").ok, false);
  equal(readVector("011", 3, readBit, "bits").ok, false);
});

Deno.test("readVector() flags shapes that would broadcast or coerce as reward hacks", () => {
  const longer = readVector(new Array(60).fill(1), 20, readBit, "bits");
  ok(!longer.ok && longer.hack?.includes("broadcast"));
  const strings = readVector(["1", "0"], 2, readBit, "bits");
  ok(!strings.ok && strings.hack?.includes("strings"));
  const nested = readVector([[1], [0]], 2, readBit, "bits");
  ok(!nested.ok && nested.hack?.includes("nested"));
  const nonFinite = readVector([null, 1], 2, readBit, "bits");
  ok(!nonFinite.ok && nonFinite.hack?.includes("non-finite"));
  const object = readVector({ score: 1 }, 2, readBit, "bits");
  ok(!object.ok && object.hack?.includes("self-reported"));
});

Deno.test("hackSignal() treats an honest wrong type as no signal", () => {
  equal(hackSignal(true, 3), undefined);
  equal(hackSignal([0, 1, 0], 3), undefined);
});

Deno.test("readTruth() and readIndexBelow() accept only their values", () => {
  deepEqual([true, 1, false, 0, "true", 2, null].map(readTruth), [
    true,
    true,
    false,
    false,
    undefined,
    undefined,
    undefined,
  ]);
  const read = readIndexBelow(3);
  deepEqual([0, 2, 3, -1, 1.5, "1"].map(read), [0, 2, undefined, undefined, undefined, undefined]);
});
