/**
 * A throwaway PostgreSQL cluster for tests and benchmarks of the job queue: Debian's
 * `postgresql-15` (installed by the `database` set-up step when it is missing and this runs as
 * root; otherwise an error with the command to run), a fresh cluster made by `initdb` in a
 * temporary directory (as the `postgres` user when this runs as root, since PostgreSQL refuses
 * to run as root), listening on a free loopback port with password authentication, and removed
 * with everything it wrote by `stop()`.
 *
 * Permissions it needs: `--allow-sys=uid`, `--allow-net=127.0.0.1`, `--allow-read` and
 * `--allow-write` of the system temporary directory, and `--allow-run` of `runuser` (as root)
 * or of `PG_BIN`'s `initdb` and `pg_ctl` (not root), plus `deno` when PostgreSQL is missing.
 *
 * @module
 */

import { denoCommand, run } from "./setup_tools.ts";

/** Where Debian's PostgreSQL 15 puts its server programs. */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A running throwaway cluster. */
export interface ThrowawayPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`; the password is random. */
  url: string;
  /** The loopback port it listens on. */
  port: number;
  /** Stops the server (fast shutdown) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
  /**
   * Stops the server and starts it again on the same port and data, as a database restart
   * does: every open connection is cut.
   *
   * @param options.downMs How long it stays down between stop and start (default 0).
   */
  restart(options?: { downMs?: number }): Promise<void>;
}

/**
 * Whether PostgreSQL's server programs run (as the server user when root).
 *
 * @param root Whether this process is root.
 * @returns Whether `pg_ctl --version` succeeds.
 * @throws {Error} When the process lacks the permission to try.
 */
async function installed(root: boolean): Promise<boolean> {
  try {
    await (root
      ? run("runuser", ["-u", "postgres", "--", `${PG_BIN}/pg_ctl`, "--version"], { cwd: "/" })
      : run(`${PG_BIN}/pg_ctl`, ["--version"], { cwd: "/" }));
    return true;
  } catch (error) {
    if ((error as Error).cause instanceof Deno.errors.NotCapable) throw error;
    return false;
  }
}

/**
 * Installs PostgreSQL through the project's set-up step (a process of its own, which installs
 * as root and otherwise stops with the `apt-get` command to run).
 */
async function installPostgres(): Promise<void> {
  const script = new URL("./install_packages.ts", import.meta.url).pathname;
  const result = await new Deno.Command(denoCommand(), {
    args: ["run", "--quiet", "--no-prompt", "--allow-run=sh,id", script, "database"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(
      `Cannot start a test database as PostgreSQL is missing and could not be installed:\n${
        new TextDecoder().decode(result.stderr).trim()
      }`,
    );
  }
}

function freeLoopbackPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * Starts a throwaway PostgreSQL cluster: installs PostgreSQL when it is missing (as root),
 * runs `initdb` in a new temporary directory, and starts the server on a free loopback port.
 *
 * @example
 * ```ts ignore
 * const db = await startThrowawayPostgres();
 * try {
 *   // use db.url
 * } finally {
 *   await db.stop();
 * }
 * ```
 *
 * @returns The cluster's URL and its `stop`/`restart`.
 * @throws {Error} When PostgreSQL is missing and this is not root (with the command to run),
 *   or when `initdb` or the server fails (with their output).
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const root = Deno.uid() === 0;
  if (!(await installed(root))) await installPostgres();
  const dir = await Deno.makeTempDir({ prefix: "stop_pg_" });
  // As root the server runs as `postgres`, which must be able to create its data directory
  // and socket here; the directory holds nothing secret once the password file is gone.
  if (root) await Deno.chmod(dir, 0o777);
  const data = `${dir}/data`;
  const password = randomHex(16);
  const port = freeLoopbackPort();
  const asServerUser = (program: string, args: string[]): Promise<string> =>
    root
      ? run("runuser", ["-u", "postgres", "--", `${PG_BIN}/${program}`, ...args], { cwd: dir })
      : run(`${PG_BIN}/${program}`, args, { cwd: dir });
  const serverOptions = [
    "-c listen_addresses=127.0.0.1",
    `-p ${port}`,
    `-k ${dir}`,
    "-c fsync=off",
    "-c max_connections=200",
  ].join(" ");
  const start = () =>
    asServerUser("pg_ctl", [
      "start",
      "-D",
      data,
      "-w",
      "-t",
      "60",
      "-l",
      `${dir}/server.log`,
      "-o",
      serverOptions,
    ]);
  const stopServer = (mode: "fast" | "immediate") =>
    asServerUser("pg_ctl", ["stop", "-D", data, "-m", mode, "-w"]);
  let stopped = false;
  try {
    const pwfile = `${dir}/pwfile`;
    await Deno.writeTextFile(pwfile, `${password}\n`, { mode: 0o644 });
    await asServerUser("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--no-locale",
      "--encoding=UTF8",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      `--pwfile=${pwfile}`,
    ]);
    await Deno.remove(pwfile);
    await start();
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await stopServer("immediate");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
    async restart(options = {}) {
      await stopServer("fast");
      if ((options.downMs ?? 0) > 0) {
        await new Promise((resolve) => setTimeout(resolve, options.downMs));
      }
      await start();
    },
  };
}
