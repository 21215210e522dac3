import { equal, ok, throws } from "node:assert/strict";
import { checkQueueUrl, redactQueueUrl, scrubQueueSecret } from "./queue_url.ts";

Deno.test("redactQueueUrl removes the password wherever a URL can carry one", () => {
  equal(redactQueueUrl("postgres://stop:s3cret@db:5432/stop"), "postgres://stop:***@db:5432/stop");
  equal(
    redactQueueUrl("postgresql://stop:p%40ss%3Aword@db/stop?sslmode=require"),
    "postgresql://stop:***@db/stop?sslmode=require",
  );
  equal(
    redactQueueUrl("postgres://stop@db/stop?sslmode=require&password=s3cret"),
    "postgres://stop@db/stop?sslmode=require&password=***",
  );
  equal(redactQueueUrl("postgres://postgres:postgres@db/x"), "postgres://postgres:***@db/x");
  const unparsable = redactQueueUrl("postgres://stop:s3cret@db:notaport/stop");
  ok(!unparsable.includes("s3cret"), unparsable);
});

Deno.test("redactQueueUrl leaves a URL without a password as it is", () => {
  for (const url of ["postgres://stop@db:5432/stop", "postgres://db/stop?sslmode=require"]) {
    equal(redactQueueUrl(url), url);
  }
});

Deno.test("scrubQueueSecret removes the password raw, decoded and encoded", () => {
  const url = "postgres://stop:p%40ss%3Aw0rd@db:5432/stop";
  const text = `connect to ${url} failed; password p@ss:w0rd, p%40ss%3Aw0rd`;
  const scrubbed = scrubQueueSecret(text, url);
  ok(!scrubbed.includes("p@ss:w0rd") && !scrubbed.includes("p%40ss%3Aw0rd"), scrubbed);
  ok(scrubbed.includes("postgres://stop:***@db:5432/stop"), scrubbed);
  equal(scrubQueueSecret("nothing secret here", "postgres://stop@db/stop"), "nothing secret here");
});

Deno.test("checkQueueUrl refuses what is not a PostgreSQL URL, without its password", () => {
  for (const url of ["mysql://u:hunter22@db/x", "postgres://u:hunter22@/x", "hunter22", ""]) {
    throws(() => checkQueueUrl(url), (error: Error) => {
      ok(!error.message.includes("hunter22"), error.message);
      ok(error.message.includes("postgres://user:password@host:port/database"), error.message);
      return true;
    });
  }
  equal(checkQueueUrl("postgresql://u@db/x"), "postgresql://u@db/x");
});
