/**
 * Reading a run's audit log and summarising it by signal: how many events, how many distinct
 * programs, what share of the run's programs, and which programs (by hash, and by the file in
 * the run directory whose content has that hash).
 *
 * @module
 */
import {
  AUDIT_KINDS,
  type AuditEvent,
  type AuditKind,
  countByKind,
  eventsIn,
} from "../sandbox/audit_log.ts";
import {
  AUDIT_SIGNALS,
  type AuditSignal,
  SIGNAL_KINDS,
  signalOf,
} from "../utilities/audit_signals.ts";
import { extractCode } from "../improvers/programs/helpers.ts";
import { readJsonl } from "../common/jsonl_file.ts";
import { UsageError } from "./usage_error.ts";

/** What {@linkcode readAuditLog} found. */
export interface AuditFile {
  events: AuditEvent[];
  /**
   * Lines that were not valid audit records: damaged lines and a torn last line (see
   * `common/jsonl_file.ts`).
   */
  skipped: number;
}

/**
 * Reads an audit log, skipping lines that are not valid records.
 *
 * @param path A run directory or an `audit.jsonl` file.
 * @returns The events and the number of skipped lines; none when the run has no audit log.
 * @throws {UsageError} When the path does not exist or cannot be read.
 */
export async function readAuditLog(path: string): Promise<AuditFile> {
  let file = path;
  try {
    if ((await Deno.stat(path)).isDirectory) file = `${path.replace(/\/$/, "")}/audit.jsonl`;
  } catch (error) {
    throw new UsageError(`Cannot read the audit of '${path}': ${(error as Error).message}`);
  }
  let read;
  try {
    read = await readJsonl(file, { accept: isAuditEvent });
  } catch (error) {
    throw new UsageError(`Cannot read '${file}': ${(error as Error).message}`);
  }
  return { events: read.records, skipped: read.corrupt.length + (read.torn === undefined ? 0 : 1) };
}

const KINDS: ReadonlySet<string> = new Set(AUDIT_KINDS);

function isAuditEvent(value: unknown): value is AuditEvent {
  if (typeof value !== "object" || value === null) return false;
  const e = value as { kind?: unknown; detail?: unknown };
  return typeof e.kind === "string" && KINDS.has(e.kind) && typeof e.detail === "string";
}

/** One program a signal came from. */
export interface SignalSource {
  /** The program's hash as recorded (first 16 hex digits of its SHA-256). */
  program: string;
  /** Files of the run directory with that content, relative to it. */
  files: string[];
  /**
   * Model replies whose code block is that program, as `cache.jsonl:<line>#<choice>` (at most
   * three), when no file holds it.
   */
  replies: string[];
  /** Events of this signal from this program. */
  events: number;
  /** One event's detail: the smallest (by code unit), whatever order the log was written in. */
  example: string;
}

/** One signal's figures. */
export interface SignalFigures {
  /** The audit kind it is recorded under. */
  kind: AuditKind;
  /** Events. */
  events: number;
  /** Distinct programs that triggered it. */
  programs: number;
  /** `programs / programs known` (see {@linkcode AuditSummary.programs}); 0 when none is known. */
  rate: number;
  /** Events with no program recorded (host-side refusals, older logs). */
  unattributed: number;
  /** The programs, most events first, ties by program hash (at most 50). */
  sources: SignalSource[];
}

/** What {@linkcode summarizeAudit} found. */
export interface AuditSummary {
  /** The audit log read. */
  file: string;
  /** Events read. */
  total: number;
  /** Unreadable lines. */
  skipped: number;
  /** Events by kind (kinds with none omitted). */
  byKind: Partial<Record<AuditKind, number>>;
  /** Signals that occurred, in the order of `AUDIT_SIGNALS`. */
  signals: Partial<Record<AuditSignal, SignalFigures>>;
  /** Resource limits hit (timeouts, memory, crashes…), by kind. */
  limits: Partial<Record<AuditKind, number>>;
  /** The rates' denominator and what it is made of. */
  programs: {
    /** Distinct program hashes in the audit log. */
    inLog: number;
    /** Distinct contents of the `.ts` files saved in the run directory. */
    saved: number;
    /** Distinct programs proposed by the model (code blocks of the replies in `cache.jsonl`). */
    proposed: number;
    /** The union of the three: the denominator of every rate. */
    known: number;
  };
  /** The denominator, in words. */
  denominator: string;
}

/** What the rates divide by, in words. */
export const RATE_DENOMINATOR =
  "distinct programs known in the run: hashes in the audit log, .ts files saved in the run directory, and code blocks of the model replies in its cache.jsonl";

const HASH = /^[0-9a-f]{16,64}$/;

async function sha16(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * The programs saved in a run directory by content hash (as the sandbox stamps it: the first
 * 16 hex digits of the SHA-256 of the source), with their paths relative to the directory.
 * Looks at `.ts` files up to four folders deep, at most 20,000 of them.
 *
 * @param dir The run directory.
 * @returns Paths by hash.
 */
export async function savedPrograms(dir: string): Promise<Map<string, string[]>> {
  const byHash = new Map<string, string[]>();
  let seen = 0;
  const walk = async (folder: string, relative: string, depth: number): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (seen >= 20_000) return;
      const path = `${folder}/${entry.name}`;
      const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory && depth < 4) await walk(path, rel, depth + 1);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        seen++;
        try {
          const hash = await sha16(await Deno.readTextFile(path));
          byHash.set(hash, [...(byHash.get(hash) ?? []), rel]);
        } catch {
          // unreadable: not a known program
        }
      }
    }
  };
  await walk(dir.replace(/\/$/, ""), "", 0);
  return byHash;
}

/**
 * The programs the model proposed in a run: the largest code block of every reply stored in
 * the run's `cache.jsonl`, by content hash (as {@linkcode savedPrograms}), with where each
 * first appeared (`cache.jsonl:<line>#<choice>`, at most three places).
 *
 * @param dir The run directory.
 * @returns Places by hash; empty when the run has no cache.
 */
export async function proposedPrograms(dir: string): Promise<Map<string, string[]>> {
  const byHash = new Map<string, string[]>();
  let read;
  try {
    read = await readJsonl(`${dir.replace(/\/$/, "")}/cache.jsonl`, {
      accept: (v): v is { choices: unknown[] } =>
        typeof v === "object" && v !== null && Array.isArray((v as { choices?: unknown }).choices),
    });
  } catch {
    return byHash;
  }
  for (const [k, record] of read.records.entries()) {
    const n = read.lines[k]! - 1;
    const choices = record.choices.map((c) => typeof c === "string" ? c : "");
    const codes = extractCode(choices);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code === undefined) continue;
      const hash = await sha16(code);
      const places = byHash.get(hash) ?? [];
      if (places.length < 3) places.push(`cache.jsonl:${n + 1}#${i}`);
      byHash.set(hash, places);
    }
  }
  return byHash;
}

/**
 * Summarises a run's audit log by signal, with counts, rates and the programs each came
 * from. Events recorded without a signal field get one from their kind and detail
 * (`signalOf`); resource limits are counted apart.
 *
 * @param path A run directory, or an `audit.jsonl` file (then no saved programs are known
 * unless the file sits in a run directory).
 * @returns The summary.
 * @throws {UsageError} When the path does not exist or cannot be read.
 */
export async function summarizeAudit(path: string): Promise<AuditSummary> {
  const { events, skipped } = await readAuditLog(path);
  let dir = path.replace(/\/$/, "");
  let file = `${dir}/audit.jsonl`;
  if (!(await Deno.stat(path)).isDirectory) {
    file = path;
    dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  }
  const saved = await savedPrograms(dir);
  const proposed = await proposedPrograms(dir);
  const inLog = new Set<string>();
  const perSignal = new Map<
    AuditSignal,
    { events: number; unattributed: number; programs: Map<string, SignalSource> }
  >();
  let total = 0;
  for (const e of events) {
    const n = eventsIn(e); // a record may stand for several identical events
    total += n;
    const program = typeof e.program === "string" && HASH.test(e.program)
      ? e.program.slice(0, 16)
      : undefined;
    if (program !== undefined) inLog.add(program);
    const signal = signalOf(e);
    if (signal === undefined) continue;
    const figures = perSignal.get(signal) ??
      { events: 0, unattributed: 0, programs: new Map<string, SignalSource>() };
    perSignal.set(signal, figures);
    figures.events += n;
    if (program === undefined) {
      figures.unattributed += n;
      continue;
    }
    const files = saved.get(program) ?? [];
    const source = figures.programs.get(program) ?? {
      program,
      files,
      replies: files.length > 0 ? [] : proposed.get(program) ?? [],
      events: 0,
      example: e.detail.slice(0, 200),
    };
    // The smallest detail, not the first written: the log's order is the order concurrent
    // evaluations finished in.
    if (e.detail.slice(0, 200) < source.example) source.example = e.detail.slice(0, 200);
    source.events += n;
    figures.programs.set(program, source);
  }
  const known = new Set([...inLog, ...saved.keys(), ...proposed.keys()]);
  const signals: Partial<Record<AuditSignal, SignalFigures>> = {};
  for (const signal of AUDIT_SIGNALS) {
    const f = perSignal.get(signal);
    if (f === undefined) continue;
    signals[signal] = {
      kind: SIGNAL_KINDS[signal],
      events: f.events,
      programs: f.programs.size,
      rate: known.size === 0 ? 0 : f.programs.size / known.size,
      unattributed: f.unattributed,
      sources: [...f.programs.values()]
        .sort((a, b) => b.events - a.events || (a.program < b.program ? -1 : 1))
        .slice(0, 50),
    };
  }
  return {
    file,
    total,
    skipped,
    // Kinds in AUDIT_KINDS order, not in the order the log first mentions them.
    byKind: countByKind(events),
    signals,
    limits: countByKind(events.filter((e) => signalOf(e) === undefined)),
    programs: {
      inLog: inLog.size,
      saved: saved.size,
      proposed: proposed.size,
      known: known.size,
    },
    denominator: RATE_DENOMINATOR,
  };
}
