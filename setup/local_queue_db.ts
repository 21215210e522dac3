/**
 * `deno task queue:db`: a throwaway PostgreSQL on this machine for trying the job queue
 * (`setup/throwaway_postgres.ts`: Debian's `postgresql-15`, a fresh cluster in a temporary
 * directory on a free loopback port). Prints the `STOP_QUEUE_URL` to use, keeps the server up
 * until Ctrl-C, then stops it and removes everything it wrote.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a set-up entry point: it prints what to do next
import { startThrowawayPostgres } from "./throwaway_postgres.ts";

if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log(`Usage: deno task queue:db

Starts a throwaway PostgreSQL for the job queue on a free loopback port (installing Debian's
postgresql-15 first when this runs as root and it is missing), prints the STOP_QUEUE_URL to
export in the shells of the workers and of the run, and waits. Ctrl-C stops the server and
removes its directory: nothing is kept.`);
  Deno.exit(0);
}
if (Deno.args.length > 0) {
  console.error(
    `Cannot start the queue database: unexpected argument '${Deno.args[0]}' (see --help)`,
  );
  Deno.exit(2);
}
const db = await startThrowawayPostgres();
console.log(`queue database up; in each shell of a worker or a run:
  export STOP_QUEUE_URL='${db.url}'
Ctrl-C stops it and removes its data.`);
const { promise, resolve } = Promise.withResolvers<void>();
Deno.addSignalListener("SIGINT", () => resolve());
Deno.addSignalListener("SIGTERM", () => resolve());
await promise;
await db.stop();
console.log("queue database stopped and removed");
