/**
 * `stop audit <run-dir>`: summarises a run's audit log by reward-hacking and rule-breaking
 * signal (counts, share of the run's programs, and the programs they came from), then the
 * resource limits hit.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AUDIT_KINDS } from "../sandbox/audit_log.ts";
import { AUDIT_SIGNALS, SIGNAL_DESCRIPTIONS } from "../utilities/audit_signals.ts";
import { paint, printJson, say, UsageError } from "./_terminal.ts";
import { RATE_DENOMINATOR, summarizeAudit } from "../experiments/audit_summary.ts";
import {
  type PermissionLogSummary,
  summarizePermissionLog,
} from "../experiments/permission_log.ts";

/** Usage text of the command. */
export const AUDIT_USAGE = `Usage: deno task stop audit <run-dir | audit.jsonl> [--json] [--all]

Summarises an audit log: every reward-hacking or rule-breaking signal with its event count,
the number of distinct programs that triggered it, their share of the run's programs, and
the programs themselves (hash, and the file of the run directory holding that program, or
the cached model reply that proposed it);
then the resource limits hit (timeouts, memory, crashes) by kind; then Deno's permission log
of the run (deno-permission-audit.jsonl: every permission check of every process that worked
on the run) by permission and place (project files, run directory, model host, environment
variables, other), against the permissions the run declared (permissions.json). Checks
outside the declared permissions are listed first, at the top of the output.

Rate = programs with the signal / ${RATE_DENOMINATOR}. A program that was evaluated
but neither saved nor audited is not counted, so a rate is an upper bound when a run does
not save every program it evaluates.

Signals (grep audit.jsonl for "signal":"<name>"):
${AUDIT_SIGNALS.map((s) => `  ${s.padEnd(20)} ${SIGNAL_DESCRIPTIONS[s]}`).join("\n")}

Options:
  --all    list every program of each signal (default: the first 5)
  --json   end with one JSON object on its own line: counts by kind at the top level, plus
           "signals" (each: kind, events, programs, rate, unattributed, sources), "limits",
           "programs" (inLog, saved, proposed, known), "denominator" and
           "permissionLog" (file, total, declaredFrom, rows, outside; null without a log)
  --help   show this help`;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `audit`.
 * @returns The process exit code.
 * @throws {UsageError} When the arguments are wrong or the run cannot be read.
 */
export async function auditCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      all: { type: "boolean", default: false },
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
  const summary = await summarizeAudit(positionals[0]!);
  const isDir = await Deno.stat(positionals[0]!).then((s) => s.isDirectory, () => false);
  const permissionLog = isDir ? await summarizePermissionLog(positionals[0]!) : undefined;
  if (values.json) {
    printJson({
      total: summary.total,
      skipped: summary.skipped,
      ...summary.byKind,
      signals: summary.signals,
      limits: summary.limits,
      programs: summary.programs,
      denominator: summary.denominator,
      file: summary.file,
      permissionLog: permissionLog ?? null,
    });
    return 0;
  }
  say(
    paint(
      "bold",
      `${summary.total} audit event(s) in ${summary.file}${
        summary.skipped ? `, ${summary.skipped} unreadable line(s) skipped` : ""
      }`,
    ),
  );
  if (permissionLog !== undefined) { for (const line of outsideLines(permissionLog)) say(line); }
  const { inLog, saved, proposed, known } = summary.programs;
  say(
    `programs known: ${known} (${inLog} in the audit log, ${saved} saved in the run directory, ${proposed} proposed in cached model replies)`,
  );
  const signals = AUDIT_SIGNALS.filter((s) => summary.signals[s] !== undefined);
  if (signals.length === 0) say("signals: none");
  else {
    say("");
    say(paint("bold", "signal               kind                     events  programs    rate"));
    for (const signal of signals) {
      const f = summary.signals[signal]!;
      say(
        `${signal.padEnd(20)} ${f.kind.padEnd(24)} ${String(f.events).padStart(6)} ${
          String(f.programs).padStart(9)
        } ${pct(f.rate).padStart(7)}`,
      );
      const shown = values.all ? f.sources : f.sources.slice(0, 5);
      for (const s of shown) {
        const where = s.files.length > 0
          ? s.files.join(", ")
          : s.replies.length > 0
          ? `reply ${s.replies.join(", ")}`
          : "(not saved in the run)";
        say(paint("dim", `    ${s.program}  ${where}  ×${s.events}  ${s.example.slice(0, 80)}`));
      }
      if (shown.length < f.sources.length) {
        say(paint("dim", `    … ${f.sources.length - shown.length} more program(s) (--all)`));
      }
      if (f.unattributed > 0) {
        say(paint("dim", `    ${f.unattributed} event(s) recorded by the host with no program`));
      }
    }
    say(paint("dim", `rate = programs with the signal / programs known (${known})`));
  }
  const limits = AUDIT_KINDS.filter((k) => summary.limits[k] !== undefined);
  if (limits.length > 0) {
    say("");
    say(`limits: ${limits.map((k) => `${k} ${summary.limits[k]}`).join(", ")}`);
  }
  if (permissionLog !== undefined) {
    say("");
    for (const line of permissionTableLines(permissionLog)) say(line);
  } else if (isDir) say("\nDeno permission log: none in this run directory");
  return 0;
}

/**
 * The lines that flag checks outside the declared permissions (one line when there are none).
 *
 * @param log The permission-log summary.
 * @returns Lines to print.
 */
export function outsideLines(log: PermissionLogSummary): string[] {
  if (log.outside.length === 0) {
    return [`Deno permission log: all ${log.total} check(s) inside the run's declared permissions`];
  }
  const n = log.outside.reduce((a, o) => a + o.checks, 0);
  return [
    paint(
      "red",
      `Deno permission log: ${n} check(s) OUTSIDE the run's declared permissions (${log.declaredFrom}):`,
    ),
    ...log.outside.map((o) =>
      paint("red", `  ${o.permission.padEnd(6)} ${o.value}  ×${o.checks}  (${o.place})`)
    ),
  ];
}

/**
 * The table of checks by permission and place.
 *
 * @param log The permission-log summary.
 * @returns Lines to print.
 */
export function permissionTableLines(log: PermissionLogSummary): string[] {
  return [
    paint(
      "bold",
      `Deno permission log: ${log.total} check(s) in ${log.file}${
        log.skipped ? `, ${log.skipped} unreadable line(s) skipped` : ""
      }`,
    ),
    paint("bold", "permission  place                   checks  distinct  outside"),
    ...log.rows.map((r) =>
      `${r.permission.padEnd(11)} ${r.place.padEnd(22)} ${String(r.checks).padStart(7)} ${
        String(r.distinct).padStart(9)
      } ${String(r.outside).padStart(8)}`
    ),
    paint(
      "dim",
      `declared permissions from ${log.declaredFrom}: net ${log.declared.net.join(", ")}`,
    ),
  ];
}
