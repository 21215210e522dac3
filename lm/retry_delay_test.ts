import { equal, ok } from "node:assert/strict";
import { parseRetryAfter, retryDelayMs } from "./retry_delay.ts";

Deno.test("parseRetryAfter() reads seconds, milliseconds and HTTP dates", () => {
  equal(parseRetryAfter(new Headers({ "retry-after": "3" }), 0), 3000);
  equal(parseRetryAfter(new Headers({ "retry-after-ms": "250" }), 0), 250);
  const now = Date.parse("2026-01-01T00:00:00Z");
  equal(
    parseRetryAfter(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:02 GMT" }), now),
    2000,
  );
  equal(parseRetryAfter(new Headers({ "retry-after": "soon" }), 0), undefined);
  equal(parseRetryAfter(undefined, 0), undefined);
});

Deno.test("retryDelayMs() grows exponentially with jitter and caps", () => {
  equal(retryDelayMs(0, undefined, () => 0, { baseMs: 100 }), 50);
  equal(retryDelayMs(3, undefined, () => 0.999999, { baseMs: 100 }) <= 800, true);
  ok(retryDelayMs(3, undefined, () => 0.5, { baseMs: 100 }) > 400);
  equal(retryDelayMs(20, undefined, () => 0, { baseMs: 100, maxMs: 1000 }), 500);
  equal(retryDelayMs(0, 500_000, () => 0, { maxRetryAfterMs: 10_000 }), 10_000);
});
