/**
 * Run directories: `runs/<id>/` holds a command's config, audit logs and outputs.
 *
 * @module
 */

/** A created run directory. */
export interface RunDir {
  /** The run id (the directory's name). */
  id: string;
  /** Absolute path of the directory. */
  path: string;
}

/** The project's `runs/` folder. */
export const RUNS_ROOT: string = new URL("../runs/", import.meta.url).pathname;

/** Where `deno task` asks Deno to write its permission audit for the current process. */
export const DENO_AUDIT_STAGING: string = `${RUNS_ROOT}.deno-permission-audit.jsonl`;

/** Where run directories go: `STOP_RUNS_DIR` when set (tests, other disks), else `runs/`. */
export function runsRoot(): string {
  const dir = Deno.env.get("STOP_RUNS_DIR");
  return dir === undefined || dir === "" ? RUNS_ROOT : `${dir.replace(/\/$/, "")}/`;
}

/**
 * Creates a fresh run directory with its resolved config.
 *
 * @param command The command that owns the run (part of the id).
 * @param config The resolved configuration, stored as `config.json`.
 * @returns The directory.
 */
export async function createRunDir(
  command: string,
  config: Record<string, unknown>,
): Promise<RunDir> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  const suffix = crypto.getRandomValues(new Uint8Array(3));
  const id = `${stamp}-${command}-${
    Array.from(suffix, (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
  const path = `${runsRoot()}${id}`;
  await Deno.mkdir(path, { recursive: true });
  await Deno.writeTextFile(
    `${path}/config.json`,
    JSON.stringify({ command, ...config }, null, 2) + "\n",
    {
      createNew: true,
    },
  );
  return { id, path };
}

/**
 * Copies the permission audit Deno has written for this process (if `deno task` enabled it)
 * into the run directory, beside the project's own audit log.
 *
 * @param dir The run directory.
 * @returns The number of permission checks recorded, or undefined when none was enabled.
 */
export async function keepDenoPermissionAudit(dir: RunDir): Promise<number | undefined> {
  // Only when this process was started with the audit on: otherwise the staging file, if
  // any, belongs to another process.
  const granted =
    (await Deno.permissions.query({ name: "env", variable: "DENO_AUDIT_PERMISSIONS" }))
      .state === "granted";
  if (!granted || Deno.env.get("DENO_AUDIT_PERMISSIONS") === undefined) return undefined;
  let text: string;
  try {
    text = await Deno.readTextFile(DENO_AUDIT_STAGING);
  } catch {
    return undefined;
  }
  await Deno.writeTextFile(`${dir.path}/deno-permission-audit.jsonl`, text);
  return text.split("\n").filter((l) => l.trim() !== "").length;
}
