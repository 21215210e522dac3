/**
 * Importing the queue needs no permission: the engine (which reads the environment and
 * searches the working directory for a config file when imported) is loaded only when a queue
 * is opened, so a command that never uses `--queue` runs with its usual permissions.
 */
import { equal } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("queue: importing queue/mod.ts needs no permission", async () => {
  const child = new Deno.Command("deno", {
    args: ["run", "--quiet", "--no-prompt", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(
      `import * as queue from "${ROOT}/queue/mod.ts";\n` +
        `console.log(Object.keys(queue).sort().join(","));\n`,
    ),
  );
  await writer.close();
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  equal(out.code, 0, stderr);
  equal(
    new TextDecoder().decode(out.stdout).trim(),
    "QUEUE_ENV_VARS,QueueJobDeadError,formatQueueStatus,openJobQueue,queueStatus,redactQueueUrl,runQueueWorker,scrubQueueSecret",
  );
});
