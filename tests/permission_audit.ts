// deno-lint-ignore-file no-console -- an entry point: it reports on the terminal
/**
 * Runs the adversarial sandbox suite under the narrowest Deno permissions it needs, with
 * Deno's own permission audit on (`DENO_AUDIT_PERMISSIONS`), then fails on any permission
 * check outside the expected set: reads under the project and the two environment variables
 * the Extism SDK reads (the plugin needs no WASI, so no file descriptor is opened). Deno records every
 * check, granted or not, so an attempt that was refused is still an offender.
 *
 * Run (from the project root):
 *
 * ```sh
 * deno run --no-prompt --allow-read=. --allow-write=.cache --allow-run=deno tests/permission_audit.ts
 * ```
 *
 * Options: `--out <file>` where the JSONL audit is kept (default
 * `.cache/permission-audit.jsonl`); any other arguments are the test files to run (default:
 * every `tests/sandbox_*_test.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { denoCommand } from "../setup/setup_tools.ts";
import { parseJsonl } from "../common/jsonl_file.ts";

/** Environment variables the Extism SDK reads in the worker. */
const SDK_ENV = ["EXTISM_ENABLE_WASI_OUTPUT", "__MINIMATCH_TESTING_PLATFORM__"] as const;

/** One line of Deno's permission audit. */
interface AuditEntry {
  v?: number;
  datetime?: string;
  permission: string;
  value: string | null;
}

const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

function isUnder(path: string, dir: string): boolean {
  if (path.split("/").includes("..")) return false;
  return path === dir || path.startsWith(dir + "/");
}

/** Why an entry is allowed, or undefined when it is an offender. */
function allowed(entry: AuditEntry): string | undefined {
  const value = entry.value ?? "";
  switch (entry.permission) {
    case "read":
      if (isUnder(value, root)) return "read project";
      return undefined;
    case "env":
      return (SDK_ENV as readonly string[]).includes(value) ? `env ${value}` : undefined;
    default:
      return undefined;
  }
}

async function sandboxTestFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${root}/tests`)) {
    if (entry.isFile && /^sandbox_.*_test\.ts$/.test(entry.name)) files.push(`tests/${entry.name}`);
  }
  return files.sort();
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string", default: ".cache/permission-audit.jsonl" } },
    allowPositionals: true,
  });
  const out = values.out.startsWith("/") ? values.out : `${root}/${values.out}`;
  const files = positionals.length > 0 ? positionals : await sandboxTestFiles();
  await Deno.remove(out).catch(() => {});

  const args = [
    "test",
    "--no-prompt",
    "--allow-read=.",
    `--allow-env=${SDK_ENV.join(",")}`,
    ...files,
  ];
  console.log(`permission audit: deno ${args.join(" ")}`);
  const child = await new Deno.Command(denoCommand(), {
    args,
    cwd: root,
    env: { DENO_AUDIT_PERMISSIONS: out, NO_COLOR: "1" },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();

  let text: string;
  try {
    text = await Deno.readTextFile(out);
  } catch (error) {
    console.error(`permission audit: no audit written to ${out}: ${(error as Error).message}`);
    return 1;
  }
  const counts = new Map<string, number>();
  const offenders = new Map<string, number>();
  const read = parseJsonl<AuditEntry>(text);
  const malformed = read.corrupt.length + (read.torn === undefined ? 0 : 1);
  for (const entry of read.records) {
    const reason = allowed(entry);
    const key = reason ?? `${entry.permission} ${entry.value ?? "(all)"}`;
    const into = reason === undefined ? offenders : counts;
    into.set(key, (into.get(key) ?? 0) + 1);
  }

  const total = [...counts.values(), ...offenders.values()].reduce((a, b) => a + b, 0);
  console.log(`permission audit: ${total} checks recorded in ${out}`);
  for (const [key, n] of [...counts].sort()) console.log(`  allowed   ${key}: ${n}`);
  for (const [key, n] of [...offenders].sort()) console.log(`  OFFENDER  ${key}: ${n}`);
  if (malformed > 0) console.log(`  OFFENDER  ${malformed} malformed line(s)`);

  if (!child.success) {
    console.error(`permission audit: the test run failed (exit ${child.code})`);
    return 1;
  }
  if (offenders.size > 0 || malformed > 0) {
    console.error(
      `permission audit: FAILED, ${offenders.size} kind(s) of check outside the allow-list`,
    );
    return 1;
  }
  console.log("permission audit: ok, every check is on the allow-list");
  return 0;
}

if (import.meta.main) Deno.exit(await main());
