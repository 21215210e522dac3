import { equal, throws } from "node:assert/strict";
import { gridDistance } from "./grid_distance.ts";

Deno.test("gridDistance() adds mismatches and letter changes of both strings", () => {
  equal(gridDistance("AAAA", "AAAA"), 0);
  equal(gridDistance("ABAB", "ABAB"), 6);
  equal(gridDistance("AAAA", "BBBB"), 4);
  equal(gridDistance("AABB", "AAAA"), 3);
  equal(gridDistance("", ""), 0);
});

Deno.test("gridDistance() throws when the lengths differ", () => {
  throws(() => gridDistance("A", "AB"), RangeError);
});
