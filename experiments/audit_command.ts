/**
 * `stop audit <run-dir>`: summarises a run's audit log by kind and by program.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AUDIT_KINDS, type AuditEvent, type AuditKind } from "../sandbox/audit_log.ts";
import { paint, printJson, say, UsageError } from "./_terminal.ts";

/** Usage text of the command. */
export const AUDIT_USAGE = `Usage: deno task stop audit <run-dir | audit.jsonl> [--json]

Summarises an audit log: events by kind, by program, and the first few of each kind.

Options:
  --json   end with one JSON object on its own line (counts by kind)
  --help   show this help`;

/** What {@linkcode readAuditLog} found. */
export interface AuditFile {
  events: AuditEvent[];
  /** Lines that were not valid audit records (e.g. a torn last line). */
  skipped: number;
}

/**
 * Reads an audit log, skipping lines that are not valid records.
 *
 * @param path A run directory or an `audit.jsonl` file.
 * @returns The events and the number of skipped lines.
 */
export async function readAuditLog(path: string): Promise<AuditFile> {
  let file = path;
  try {
    if ((await Deno.stat(path)).isDirectory) file = `${path.replace(/\/$/, "")}/audit.jsonl`;
  } catch (error) {
    throw new UsageError(`Cannot read the audit of '${path}': ${(error as Error).message}`);
  }
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { events: [], skipped: 0 };
    throw new UsageError(`Cannot read '${file}': ${(error as Error).message}`);
  }
  const kinds = new Set<string>(AUDIT_KINDS);
  const events: AuditEvent[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const e = JSON.parse(line) as AuditEvent;
      if (
        typeof e === "object" && e !== null && kinds.has(e.kind) && typeof e.detail === "string"
      ) {
        events.push(e);
      } else skipped++;
    } catch {
      skipped++;
    }
  }
  return { events, skipped };
}

/**
 * Runs the command.
 *
 * @param argv The arguments after `audit`.
 * @returns The process exit code.
 */
export async function auditCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(AUDIT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `Cannot summarise as exactly one run directory is needed: got ${positionals.length}`,
    );
  }
  const { events, skipped } = await readAuditLog(positionals[0]!);
  const byKind: Partial<Record<AuditKind, number>> = {};
  const byProgram = new Map<string, number>();
  for (const e of events) {
    byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    const p = e.program ?? "(host)";
    byProgram.set(p, (byProgram.get(p) ?? 0) + 1);
  }
  if (values.json) {
    printJson({ total: events.length, skipped, ...byKind });
    return 0;
  }
  say(
    paint(
      "bold",
      `${events.length} audit event(s)${skipped ? `, ${skipped} unreadable line(s) skipped` : ""}`,
    ),
  );
  for (const kind of AUDIT_KINDS) {
    const n = byKind[kind];
    if (!n) continue;
    say(`  ${kind.padEnd(24)} ${String(n).padStart(6)}`);
    for (const e of events.filter((x) => x.kind === kind).slice(0, 3)) {
      say(paint("dim", `      ${e.program ?? "(host)"}  ${e.detail.slice(0, 100)}`));
    }
  }
  if (byProgram.size > 0) {
    say(paint("bold", `programs: ${byProgram.size}`));
    for (const [p, n] of [...byProgram].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
      say(`  ${p.padEnd(18)} ${String(n).padStart(6)}`);
    }
  }
  return 0;
}
