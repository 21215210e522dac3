import { deepEqual, equal, notDeepEqual, ok, throws } from "node:assert/strict";
import { SeededRandom } from "./seeded_random.ts";

Deno.test("SeededRandom yields the same sequence for the same seed", () => {
  const a = new SeededRandom(4321);
  const b = new SeededRandom(4321);
  deepEqual(
    Array.from({ length: 50 }, () => a.nextUint32()),
    Array.from({ length: 50 }, () => b.nextUint32()),
  );
});

Deno.test("SeededRandom yields different sequences for neighbouring seeds", () => {
  const a = new SeededRandom(4321);
  const b = new SeededRandom(4322);
  notDeepEqual(
    Array.from({ length: 5 }, () => a.next()),
    Array.from({ length: 5 }, () => b.next()),
  );
});

Deno.test("SeededRandom.next() stays in [0, 1) with a mean near 0.5", () => {
  const rng = new SeededRandom(1);
  let total = 0;
  for (let i = 0; i < 20_000; i++) {
    const x = rng.next();
    ok(x >= 0 && x < 1);
    total += x;
  }
  ok(Math.abs(total / 20_000 - 0.5) < 0.01);
});

Deno.test("SeededRandom.int() covers both bounds and nothing outside", () => {
  const rng = new SeededRandom(7);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) seen.add(rng.int(1, 6));
  deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6]);
  throws(() => rng.int(3, 2), RangeError);
});

Deno.test("SeededRandom.shuffle() permutes in place", () => {
  const items = [1, 2, 3, 4, 5, 6, 7, 8];
  const shuffled = new SeededRandom(3).shuffle(items);
  equal(shuffled, items);
  deepEqual([...items].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("SeededRandom rejects a seed that is not a safe integer", () => {
  throws(() => new SeededRandom(1.5), RangeError);
  throws(() => new SeededRandom(NaN), RangeError);
});
