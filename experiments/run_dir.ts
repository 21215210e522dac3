/**
 * Run directories: `runs/<id>/` holds a command's config, audit logs and outputs.
 *
 * @module
 */
import { splitJsonl } from "../common/jsonl_file.ts";

/** A created run directory. */
export interface RunDir {
  /** The run id (the directory's name). */
  id: string;
  /** Absolute path of the directory. */
  path: string;
}

/** The project's `runs/` folder. */
export const RUNS_ROOT: string = new URL("../runs/", import.meta.url).pathname;

/**
 * The file beside Deno's permission audit (`DENO_AUDIT_PERMISSIONS`) where this process names
 * the run directory it works in and how many bytes of the audit it has copied there, so that
 * `deno task stop` (`cli/launch.ts`) appends the rest when the process exits, however it
 * exits. JSON: {@linkcode PermissionAuditMarker}.
 *
 * @param auditPath The path in `DENO_AUDIT_PERMISSIONS`.
 * @returns The path of the marker file.
 */
export function permissionAuditRunMarker(auditPath: string): string {
  return `${auditPath}.run`;
}

/** What {@linkcode permissionAuditRunMarker} holds. */
export interface PermissionAuditMarker {
  /** The run directory. */
  run: string;
  /** Bytes of the audit already appended to the run's `deno-permission-audit.jsonl`. */
  copied: number;
}

/** Name of Deno's permission log inside a run directory. */
export const DENO_PERMISSION_AUDIT_FILE = "deno-permission-audit.jsonl";

/** Name of the run's declared permissions inside a run directory. */
export const PERMISSIONS_FILE = "permissions.json";

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
  // The launcher's declaration of this process's permissions, when it started it.
  const declared =
    (await Deno.permissions.query({ name: "env", variable: "STOP_PERMISSIONS" })).state ===
        "granted"
      ? Deno.env.get("STOP_PERMISSIONS")
      : undefined;
  if (declared !== undefined && declared !== "") {
    await Deno.writeTextFile(`${path}/${PERMISSIONS_FILE}`, declared + "\n", { createNew: true });
  }
  const dir = { id, path };
  await keepDenoPermissionAudit(dir);
  return dir;
}

/**
 * Appends the permission checks Deno has recorded for this process since the last call (when
 * `deno task stop` turned the audit on) to the run's `deno-permission-audit.jsonl`, and names
 * the run in the marker beside the audit so that `deno task stop` appends the checks made
 * after this call when the process exits. A resumed run thus keeps the checks of every process
 * that worked on it, a killed one's too. `createRunDir` calls it; a command calls it again
 * when it resumes a run and before it writes its report.
 *
 * @param dir The run directory.
 * @returns The number of checks in the run's permission log, or undefined when Deno's audit
 * is not on for this process.
 */
export async function keepDenoPermissionAudit(dir: RunDir): Promise<number | undefined> {
  // Only when this process was started with the audit on (by the launcher, which reads the
  // marker); a file named by a variable this process may not read is not its own.
  const granted =
    (await Deno.permissions.query({ name: "env", variable: "DENO_AUDIT_PERMISSIONS" }))
      .state === "granted";
  const auditPath = granted ? Deno.env.get("DENO_AUDIT_PERMISSIONS") : undefined;
  if (auditPath === undefined || auditPath === "") return undefined;
  const markerPath = permissionAuditRunMarker(auditPath);
  const target = `${dir.path}/${DENO_PERMISSION_AUDIT_FILE}`;
  try {
    const bytes = await Deno.readFile(auditPath);
    let copied = 0;
    try {
      const marker = JSON.parse(await Deno.readTextFile(markerPath)) as PermissionAuditMarker;
      if (marker.run === dir.path && marker.copied <= bytes.length) copied = marker.copied;
    } catch {
      // no marker yet: nothing of this process is in the run's log
    }
    // Whole lines only: Deno may be writing the next one.
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end > copied) await Deno.writeFile(target, bytes.subarray(copied, end), { append: true });
    const marker: PermissionAuditMarker = { run: dir.path, copied: Math.max(end, copied) };
    await Deno.writeTextFile(markerPath, JSON.stringify(marker));
    const text = await Deno.readTextFile(target).catch(() => "");
    return splitJsonl(text).lines.length;
  } catch {
    return undefined;
  }
}
