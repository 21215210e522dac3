/**
 * Deno's permission log of a run (`deno-permission-audit.jsonl`, every permission check of
 * every process that worked on the run, granted or not) summarised against the permissions
 * the run declared (`permissions.json`, written by `deno task stop`): checks grouped by
 * permission and by place (project files, run directory, model host, environment variables,
 * other), and every check outside the declared permissions listed on its own.
 *
 * @module
 */
import { cliPermissions, type DeclaredPermissions, LOOPBACK_HOSTS } from "./run_permissions.ts";
import { DENO_PERMISSION_AUDIT_FILE, PERMISSIONS_FILE, RUNS_ROOT } from "./run_dir.ts";
import { parseJsonl } from "../common/jsonl_file.ts";

/** Where a check pointed. */
export type PermissionPlace =
  | "project files"
  | "run directory"
  | "model host"
  | "environment variables"
  | "other";

/** The places in the order they are shown. */
export const PERMISSION_PLACES: readonly PermissionPlace[] = [
  "project files",
  "run directory",
  "model host",
  "environment variables",
  "other",
];

/** One line of Deno's permission log. */
export interface PermissionCheck {
  /** `read`, `write`, `net`, `env`, `run`, `sys`, `ffi`, … */
  permission: string;
  /** What was asked for; null when the whole permission was asked for. */
  value: string | null;
}

/** Checks of one permission at one place. */
export interface PermissionRow {
  permission: string;
  place: PermissionPlace;
  /** Checks recorded. */
  checks: number;
  /** Distinct values asked for. */
  distinct: number;
  /** Checks outside the declared permissions. */
  outside: number;
}

/** One value asked for outside the declared permissions. */
export interface OutsideCheck {
  permission: string;
  /** The value, `(all)` when the whole permission was asked for. */
  value: string;
  place: PermissionPlace;
  /** How many times. */
  checks: number;
}

/** What {@linkcode summarizePermissionLog} found. */
export interface PermissionLogSummary {
  /** The log's path. */
  file: string;
  /** Checks read. */
  total: number;
  /** Lines that were not checks (e.g. a torn last line). */
  skipped: number;
  /** The permissions the checks are held against. */
  declared: DeclaredPermissions;
  /** Where they come from: the run's `permissions.json`, or the CLI's defaults without one. */
  declaredFrom: "permissions.json" | "defaults";
  /** Checks by permission and place, in a stable order. */
  rows: PermissionRow[];
  /** Values outside the declared permissions, most frequent first. */
  outside: OutsideCheck[];
}

function isUnder(path: string, dir: string): boolean {
  if (!path.startsWith("/") || path.split("/").includes("..")) return false;
  const d = dir.length > 1 ? dir.replace(/\/+$/, "") : dir;
  return path === d || path.startsWith(d === "/" ? "/" : `${d}/`);
}

/** `host:port` (or `host`) of a net check, split; IPv6 hosts keep their brackets. */
function splitHost(value: string): { host: string; port: string | undefined } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(value);
  if (m === null) return { host: value, port: undefined };
  return { host: m[1]!, port: m[2] };
}

function netAllowed(value: string, granted: readonly string[]): boolean {
  const asked = splitHost(value);
  return granted.some((g) => {
    const grant = splitHost(g);
    return grant.host === asked.host && (grant.port === undefined || grant.port === asked.port);
  });
}

/**
 * Whether one check is inside the declared permissions (a path must lie under a declared
 * folder, with no `..`; a host must match a declared host, and its port when one is declared;
 * asking for a whole permission is never inside).
 *
 * @param check The check.
 * @param declared The declared permissions.
 * @returns Whether it is inside.
 */
export function isDeclared(check: PermissionCheck, declared: DeclaredPermissions): boolean {
  const value = check.value;
  if (value === null) return false;
  switch (check.permission) {
    case "read":
      return declared.read.some((dir) => isUnder(value, dir));
    case "write":
      return declared.write.some((dir) => isUnder(value, dir));
    case "env":
      return declared.env.includes(value);
    case "net":
      return netAllowed(value, declared.net);
    case "run":
      return declared.run.includes(value);
    case "sys":
      return (declared.sys ?? []).includes(value);
    default:
      return false;
  }
}

/**
 * Where a check pointed.
 *
 * @param check The check.
 * @param context.runDir The run directory (absolute). @param context.projectRoot The project.
 * @param context.modelHosts Hosts of the model (declared net hosts, loopback included).
 * @returns The place.
 */
export function placeOf(
  check: PermissionCheck,
  context: { runDir: string; projectRoot: string; modelHosts: readonly string[] },
): PermissionPlace {
  const value = check.value;
  if (check.permission === "env") return "environment variables";
  if (value === null) return "other";
  if (check.permission === "net") {
    return netAllowed(value, context.modelHosts) ? "model host" : "other";
  }
  if (check.permission === "read" || check.permission === "write") {
    if (isUnder(value, context.runDir)) return "run directory";
    if (isUnder(value, context.projectRoot)) return "project files";
  }
  return "other";
}

function isCheck(e: unknown): e is PermissionCheck {
  if (typeof e !== "object" || e === null) return false;
  const { permission, value } = e as Record<string, unknown>;
  return typeof permission === "string" && (typeof value === "string" || value === null);
}

function parseChecks(
  text: string,
  cwd: string,
): { checks: PermissionCheck[]; skipped: number } {
  // A torn last line is Deno still writing (or killed while it wrote): skipped, as damage is.
  const read = parseJsonl(text, { accept: isCheck });
  const checks = read.records.map(({ permission, value }): PermissionCheck => {
    const relative = (permission === "read" || permission === "write") && value !== null &&
      !value.startsWith("/");
    return { permission, value: relative ? `${cwd}/${value.replace(/^(\.\/)+/, "")}` : value };
  });
  const skipped = read.corrupt.length + (read.torn === undefined ? 0 : 1);
  return { checks, skipped };
}

function parseDeclared(text: string): DeclaredPermissions | undefined {
  try {
    const p = JSON.parse(text);
    const list = (x: unknown) => Array.isArray(x) && x.every((v) => typeof v === "string");
    if (
      typeof p === "object" && p !== null &&
      ["read", "write", "env", "net", "run"].every((k) => list(p[k])) &&
      (p.sys === undefined || list(p.sys))
    ) return p as DeclaredPermissions;
  } catch {
    // not JSON: fall back to the defaults
  }
  return undefined;
}

/**
 * Summarises a run directory's permission log against its declared permissions.
 *
 * @param runDir The run directory.
 * @returns The summary, or undefined when the run has no permission log.
 */
export async function summarizePermissionLog(
  runDir: string,
): Promise<PermissionLogSummary | undefined> {
  const dir = await Deno.realPath(runDir);
  const file = `${dir}/${DENO_PERMISSION_AUDIT_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const projectRoot = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
  let declared: DeclaredPermissions | undefined;
  try {
    declared = parseDeclared(await Deno.readTextFile(`${dir}/${PERMISSIONS_FILE}`));
  } catch {
    declared = undefined;
  }
  const declaredFrom = declared === undefined ? "defaults" : "permissions.json";
  declared ??= cliPermissions({ projectRoot, runsRoot: RUNS_ROOT });
  const context = {
    runDir: dir,
    projectRoot: declared.read[0] ?? projectRoot,
    modelHosts: [...LOOPBACK_HOSTS, ...declared.net],
  };
  // Deno records a path as the program spelled it; `deno task stop` starts the CLI in the
  // project's folder, so a relative path is relative to it.
  const { checks, skipped } = parseChecks(text, context.projectRoot);
  const rows = new Map<string, PermissionRow & { values: Set<string> }>();
  const outside = new Map<string, OutsideCheck>();
  for (const check of checks) {
    const place = placeOf(check, context);
    const key = `${check.permission}\u0000${place}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        permission: check.permission,
        place,
        checks: 0,
        distinct: 0,
        outside: 0,
        values: new Set(),
      };
      rows.set(key, row);
    }
    row.checks++;
    row.values.add(check.value ?? "(all)");
    if (!isDeclared(check, declared)) {
      row.outside++;
      const value = check.value ?? "(all)";
      const k = `${check.permission}\u0000${value}`;
      const o = outside.get(k) ?? { permission: check.permission, value, place, checks: 0 };
      o.checks++;
      outside.set(k, o);
    }
  }
  const order = ["read", "write", "net", "env", "run"];
  const rank = (p: string) => order.includes(p) ? order.indexOf(p) : order.length;
  return {
    file,
    total: checks.length,
    skipped,
    declared,
    declaredFrom,
    rows: [...rows.values()]
      .map(({ values, ...row }) => ({ ...row, distinct: values.size }))
      .sort((a, b) =>
        rank(a.permission) - rank(b.permission) || a.permission.localeCompare(b.permission) ||
        PERMISSION_PLACES.indexOf(a.place) - PERMISSION_PLACES.indexOf(b.place)
      ),
    outside: [...outside.values()].sort((a, b) =>
      b.checks - a.checks || a.permission.localeCompare(b.permission) ||
      a.value.localeCompare(b.value)
    ),
  };
}
