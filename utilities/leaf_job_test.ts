import { equal, match, notEqual, ok } from "node:assert/strict";
import {
  type LeafJob,
  leafJobKey,
  MAX_LEAF_SOURCE_BYTES,
  MAX_LEAF_TIME_SCALE,
  validateLeafJob,
} from "./leaf_job.ts";

const JOB: LeafJob = {
  version: 1,
  task: "lpn",
  split: "val",
  timeScale: 1,
  source: "export function algorithm(a: number[][], b: number[], c: number[][]) { return []; }",
  guestSeed: 0,
  watch: true,
  pluginHash: "0123456789abcdef0123",
  hostHash: "0123456789abcdef01234567",
};

/** A job as it comes out of a database: JSON text parsed back. */
const wire = (text: string): unknown => JSON.parse(text);
const withField = (key: string, valueJson: string) =>
  wire(JSON.stringify(JOB).replace(/}$/, `,${JSON.stringify(key)}:${valueJson}}`));
const replaced = (key: keyof LeafJob, value: unknown) => ({ ...JOB, [key]: value });
const without = (key: keyof LeafJob) => {
  const copy: Record<string, unknown> = { ...JOB };
  delete copy[key];
  return copy;
};

Deno.test("validateLeafJob accepts valid jobs, including innocent look-alikes of hostile ones", () => {
  const innocent: [string, unknown][] = [
    ["the job itself", JOB],
    ["the job after a JSON round trip", wire(JSON.stringify(JOB))],
    ["a null-prototype copy", Object.assign(Object.create(null), JOB)],
    ["every task", { ...JOB, task: "maxcut" }],
    ["the test split", { ...JOB, split: "test" }],
    ["a tiny time scale", { ...JOB, timeScale: 1e-6 }],
    ["the largest time scale", { ...JOB, timeScale: MAX_LEAF_TIME_SCALE }],
    ["a fractional time scale", { ...JOB, timeScale: 2.5 }],
    ["one instance", { ...JOB, instances: 1 }],
    ["a salt", { ...JOB, instanceSalt: "ab".repeat(32) }],
    ["a source at the size limit", { ...JOB, source: "x".repeat(MAX_LEAF_SOURCE_BYTES) }],
    ["a source that mentions __proto__", {
      ...JOB,
      source: "export function algorithm() { return ({}).__proto__ === Object.prototype; }",
    }],
    ["a source with multi-byte text", { ...JOB, source: "// héllo 🎉\nexport const x = 1;" }],
    ["a large guest seed", { ...JOB, guestSeed: Number.MAX_SAFE_INTEGER }],
    ["no watch", { ...JOB, watch: false }],
    ["a full sha256 plugin hash", { ...JOB, pluginHash: "a".repeat(64) }],
  ];
  for (const [name, payload] of innocent) equal(validateLeafJob(payload), undefined, name);
});

Deno.test("validateLeafJob rejects malformed and hostile payloads with their reason", () => {
  const hostile: [string, unknown, RegExp][] = [
    ["null", null, /must be a JSON object: got null/],
    ["an array", [JOB], /must be a JSON object: got an array/],
    ["a string", JSON.stringify(JOB), /must be a JSON object: got string/],
    ["a number", 42, /must be a JSON object: got number 42/],
    [
      "__proto__ as an own key",
      withField("__proto__", '{"watch":false}'),
      /unknown field '__proto__'/,
    ],
    [
      "constructor as a key",
      withField("constructor", '{"prototype":{}}'),
      /unknown field 'constructor'/,
    ],
    ["prototype as a key", withField("prototype", "{}"), /unknown field 'prototype'/],
    ["an extra field", withField("priority", "1"), /unknown field 'priority'/],
    [
      "an extra field named like a flag",
      withField("useSandbox", "false"),
      /unknown field 'useSandbox'/,
    ],
    [
      "an object with a foreign prototype",
      Object.assign(new (class Job {})(), JOB),
      /foreign prototype/,
    ],
    [
      "a getter",
      Object.defineProperty({ ...JOB }, "source", { get: () => "x", enumerable: true }),
      /plain value/,
    ],
    ["a symbol key", { ...JOB, [Symbol("x")]: 1 }, /symbol keys/],
    ["a missing source", without("source"), /lacks the field 'source'/],
    ["a missing plugin hash", without("pluginHash"), /lacks the field 'pluginHash'/],
    ["a missing host hash", without("hostHash"), /lacks the field 'hostHash'/],
    ["a missing version", without("version"), /lacks the field 'version'/],
    ["another version", replaced("version", 2), /'version' must be 1: got number 2/],
    ["the version as text", replaced("version", "1"), /'version' must be 1/],
    ["an unknown task", replaced("task", "chess"), /unknown task 'chess'/],
    [
      "a task that is an object method name",
      replaced("task", "toString"),
      /unknown task 'toString'/,
    ],
    ["the task as a number", replaced("task", 1), /'task' must be a string/],
    ["an unknown split", replaced("split", "train"), /'split' must be 'val' or 'test'/],
    [
      "a NaN time scale (not JSON, but an object)",
      replaced("timeScale", NaN),
      /'timeScale' must be a finite number .*got NaN/,
    ],
    ["an infinite time scale", replaced("timeScale", Infinity), /'timeScale'.*Infinity/],
    ["a zero time scale", replaced("timeScale", 0), /'timeScale'/],
    ["a negative time scale", replaced("timeScale", -1), /'timeScale'/],
    ["a huge time scale", replaced("timeScale", MAX_LEAF_TIME_SCALE * 10), /'timeScale'/],
    ["the time scale as text", replaced("timeScale", "1"), /'timeScale'.*string '1'/],
    [
      "the time scale as null (JSON's NaN)",
      wire(JSON.stringify(replaced("timeScale", NaN))),
      /'timeScale'.*null/,
    ],
    ["zero instances", replaced("instances", 0), /'instances' must be an integer from 1 to/],
    ["more instances than the split has", replaced("instances", 10_000), /'instances'/],
    ["a fractional instance count", replaced("instances", 1.5), /'instances'/],
    ["an empty salt", replaced("instanceSalt", ""), /'instanceSalt'/],
    [
      "a huge salt",
      replaced("instanceSalt", "a".repeat(10_000)),
      /'instanceSalt'.*10000 characters/,
    ],
    ["the salt as a number", replaced("instanceSalt", 7), /'instanceSalt'/],
    ["a blank source", replaced("source", "  \n "), /'source' must not be blank/],
    [
      "the source as an array",
      replaced("source", ["export const x = 1;"]),
      /'source' must be a string: got an array/,
    ],
    [
      "a source one byte too big",
      replaced("source", "x".repeat(MAX_LEAF_SOURCE_BYTES + 1)),
      /at most 1048576 UTF-8 bytes/,
    ],
    [
      "a source too big only in UTF-8",
      replaced("source", "é".repeat(MAX_LEAF_SOURCE_BYTES / 2 + 1)),
      /UTF-8 bytes/,
    ],
    ["a huge source", replaced("source", "x".repeat(64 * MAX_LEAF_SOURCE_BYTES)), /UTF-8 bytes/],
    ["a negative guest seed", replaced("guestSeed", -1), /'guestSeed'/],
    ["an unsafe guest seed", replaced("guestSeed", 2 ** 60), /'guestSeed'/],
    ["a fractional guest seed", replaced("guestSeed", 0.5), /'guestSeed'/],
    ["watch as text", replaced("watch", "false"), /'watch' must be a boolean/],
    ["watch as 0", replaced("watch", 0), /'watch' must be a boolean/],
    ["an upper-case plugin hash", replaced("pluginHash", "0123456789ABCDEF0123"), /'pluginHash'/],
    ["a plugin hash with a path", replaced("pluginHash", "../../etc/passwd"), /'pluginHash'/],
    ["a short plugin hash", replaced("pluginHash", "abc"), /'pluginHash'/],
    ["an upper-case host hash", replaced("hostHash", "0123456789ABCDEF01234567"), /'hostHash'/],
    ["a host hash with a path", replaced("hostHash", "../../etc/passwd"), /'hostHash'/],
    ["a host hash that is a number", replaced("hostHash", 12345678), /'hostHash'/],
  ];
  for (const [name, payload, reason] of hostile) {
    const problem = validateLeafJob(payload);
    ok(problem !== undefined, `${name}: accepted`);
    match(problem, reason, name);
    ok(problem.length < 400, `${name}: the reason is bounded (${problem.length} characters)`);
  }
});

Deno.test("leafJobKey changes with every field the result depends on, and only with them", () => {
  const key = leafJobKey(JOB);
  match(key, /^[0-9a-f]{64}$/);
  equal(leafJobKey(wire(JSON.stringify(JOB)) as LeafJob), key, "the same after JSON");
  const reordered = Object.fromEntries(Object.entries(JOB).reverse()) as unknown as LeafJob;
  equal(leafJobKey(reordered), key, "field order does not matter");
  const variants: Partial<LeafJob>[] = [
    { task: "parity" },
    { split: "test" },
    { timeScale: 2 },
    { instances: 3 },
    { instanceSalt: "salt" },
    { source: JOB.source + " " },
    { guestSeed: 1 },
    { watch: false },
    { pluginHash: "0123456789abcdef0124" },
    { hostHash: "0123456789abcdef01234568" },
  ];
  const keys = new Set([key]);
  for (const change of variants) {
    const other = leafJobKey({ ...JOB, ...change });
    notEqual(other, key, JSON.stringify(change));
    keys.add(other);
  }
  equal(keys.size, variants.length + 1, "every variant has its own key");
  // Fields cannot bleed into each other through the encoding.
  notEqual(
    leafJobKey({ ...JOB, instanceSalt: "a", source: "b" }),
    leafJobKey({ ...JOB, instanceSalt: 'a","b', source: "" + "b" }),
  );
});
