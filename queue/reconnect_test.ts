import { deepEqual, equal, rejects } from "node:assert/strict";
import { isConnectionError, withReconnect } from "./reconnect.ts";

const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code });

Deno.test("isConnectionError: a lost or refused connection, not a wrong statement", () => {
  for (
    const error of [
      pgError("57P01", "terminating connection due to administrator command"),
      pgError("57P03", "the database system is starting up"),
      pgError("08006"),
      pgError("ECONNREFUSED"),
      pgError("ECONNRESET"),
      new Error("Connection terminated unexpectedly"),
      new Error("Client has encountered a connection error and is not queryable"),
    ]
  ) equal(isConnectionError(error), true, error.message);
  for (
    const error of [
      pgError("42601", "syntax error at or near"),
      pgError("23505", "duplicate key value violates unique constraint"),
      pgError("28P01", "password authentication failed for user"),
      pgError("42P01", 'relation "connection_log" does not exist'),
      new Error("Cannot use the job key"),
      "Connection terminated",
    ]
  ) equal(isConnectionError(error), false, String(error));
});

Deno.test("withReconnect retries connection errors only, and gives up after its timeout", async () => {
  let tries = 0;
  equal(
    await withReconnect(() => {
      tries++;
      return tries < 3 ? Promise.reject(pgError("ECONNREFUSED")) : Promise.resolve("ok");
    }, { timeoutMs: 5_000, describe: "test" }),
    "ok",
  );
  equal(tries, 3);
  tries = 0;
  await rejects(
    withReconnect(() => {
      tries++;
      return Promise.reject(pgError("42601", "syntax error"));
    }, { timeoutMs: 5_000, describe: "test" }),
    /syntax error/,
  );
  equal(tries, 1);
  await rejects(
    withReconnect(() => Promise.reject(pgError("ECONNREFUSED", "refused by s3cret")), {
      timeoutMs: 200,
      describe: "reach the queue at postgres://u:***@db/x",
      scrub: (text) => text.replaceAll("s3cret", "***"),
    }),
    (error: Error) => {
      deepEqual(
        error.message,
        "Cannot reach the queue at postgres://u:***@db/x as the database stayed unreachable for 0.2 s (last error: refused by ***)",
      );
      return true;
    },
  );
});
