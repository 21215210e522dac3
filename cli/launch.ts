// deno-lint-ignore-file no-console -- an entry point: it reports on the terminal
/**
 * `deno task stop <command> …`: runs set-up (`setup/setup.ts`, each step a child process),
 * then starts the command line (`cli/main.ts`) as a child with least privilege: read
 * the project, write the runs folder, the environment variables it reads, the network for
 * loopback and exactly the model host (from `--base-url`, `OPENAI_BASE_URL`, or a resumed
 * run's config) and the job queue's database (from `--queue` or `STOP_QUEUE_URL`), never a
 * prompt. Deno's permission audit of the child goes to a file of its
 * own; the child copies it into its run directory, and this launcher appends what the child
 * could not (a killed child's last checks). Standard streams, the exit code and signals pass
 * through.
 *
 * ```sh
 * deno run --no-prompt --allow-read=. --allow-write=runs --allow-run=deno \
 *   --allow-env=OPENAI_BASE_URL,STOP_MODEL,STOP_QUEUE_URL,STOP_RUNS_DIR cli/launch.ts \
 *   self-improve --task lpn
 * ```
 *
 * @module
 */
import { cliPermissions, modelHost, permissionFlags } from "../experiments/run_permissions.ts";
import { queueFlag } from "./_queue_flag.ts";
import {
  DENO_PERMISSION_AUDIT_FILE,
  type PermissionAuditMarker,
  permissionAuditRunMarker,
  RUNS_ROOT,
  runsRoot,
} from "../experiments/run_dir.ts";
import { runSetup } from "../setup/setup.ts";
import { denoCommand } from "../setup/setup_tools.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const CLI = `${ROOT}/cli/main.ts`;
/** Where each launch's permission audit is written while the child runs. */
const STAGING_DIR = `${RUNS_ROOT}.permission-audit`;

/** The value of `--name` in a command line (`--name value` or `--name=value`). */
function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return undefined;
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/**
 * The model a command line will call: flags first, then a resumed run's config, then the
 * environment.
 *
 * @param argv The CLI's arguments.
 * @returns The base URL and model name, each when known.
 */
export async function modelOf(
  argv: readonly string[],
): Promise<{ baseUrl?: string; model?: string }> {
  let baseUrl = flagValue(argv, "base-url");
  let model = flagValue(argv, "model");
  const resumed = flagValue(argv, "resume");
  if (resumed !== undefined) {
    try {
      const config = JSON.parse(await Deno.readTextFile(`${resumed}/config.json`));
      if (typeof config.baseUrl === "string") baseUrl ??= config.baseUrl;
      if (typeof config.model === "string") model ??= config.model;
    } catch {
      // the CLI says what is wrong with the directory
    }
  }
  baseUrl ??= Deno.env.get("OPENAI_BASE_URL");
  model ??= Deno.env.get("STOP_MODEL");
  return {
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(model === undefined ? {} : { model }),
  };
}

/** Appends the audit bytes the child did not copy into its run directory, then cleans up. */
async function keepRest(auditPath: string): Promise<void> {
  const markerPath = permissionAuditRunMarker(auditPath);
  try {
    const marker = JSON.parse(await Deno.readTextFile(markerPath)) as PermissionAuditMarker;
    const bytes = await Deno.readFile(auditPath);
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end > marker.copied) {
      await Deno.writeFile(
        `${marker.run}/${DENO_PERMISSION_AUDIT_FILE}`,
        bytes.subarray(marker.copied, end),
        { append: true },
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      console.error(
        `stop: Cannot append the rest of Deno's permission audit to the run: ${
          (error as Error).message
        } (it stays in ${auditPath})`,
      );
      return;
    }
  }
  await Deno.remove(markerPath).catch(() => {});
  await Deno.remove(auditPath).catch(() => {});
}

async function main(argv: string[]): Promise<number> {
  try {
    await runSetup();
  } catch (error) {
    console.error(`setup: ${(error as Error).message}`);
    return 1;
  }
  let host: string | undefined;
  try {
    host = modelHost(await modelOf(argv));
  } catch {
    host = undefined; // a bad URL: the CLI refuses it with the reason
  }
  let queueHost: string | undefined;
  try {
    // --queue URL or STOP_QUEUE_URL: the database of the job queue (`stop worker`, `--queue`).
    queueHost = queueFlag(flagValue(argv, "queue"), "start")?.host;
  } catch {
    queueHost = undefined; // a bad URL: the CLI refuses it with the reason
  }
  const permissions = cliPermissions({
    projectRoot: ROOT,
    runsRoot: runsRoot(),
    modelHost: host,
    queueHost,
  });
  // The child writes the marker beside its audit (in the project's runs/ folder).
  if (!STAGING_DIR.startsWith(runsRoot())) permissions.write.push(STAGING_DIR);
  await Deno.mkdir(STAGING_DIR, { recursive: true });
  const id = Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const auditPath = `${STAGING_DIR}/${Deno.pid}-${id}.jsonl`;
  const child = new Deno.Command(denoCommand(), {
    args: ["run", "--quiet", ...permissionFlags(permissions), CLI, ...argv],
    cwd: ROOT,
    env: { DENO_AUDIT_PERMISSIONS: auditPath, STOP_PERMISSIONS: JSON.stringify(permissions) },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches the child from the terminal (same process group); the launcher waits for
  // it to finish. A SIGTERM sent to the launcher alone is passed on.
  const ignore = () => {};
  const forward = () => child.kill("SIGTERM");
  Deno.addSignalListener("SIGINT", ignore);
  Deno.addSignalListener("SIGTERM", forward);
  const status = await child.status;
  Deno.removeSignalListener("SIGINT", ignore);
  Deno.removeSignalListener("SIGTERM", forward);
  await keepRest(auditPath);
  if (status.signal !== null) {
    const numbers: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
    return 128 + (numbers[status.signal] ?? 1);
  }
  return status.code;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
