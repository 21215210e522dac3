/**
 * `stop run <file.ts>`: runs one program in the sandbox and shows what it returned and
 * everything it tried that it was not allowed to.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AuditLog } from "../sandbox/audit_log.ts";
import { loadProgram } from "../sandbox/program.ts";
import { createRunDir, keepDenoPermissionAudit } from "../experiments/run_dir.ts";
import { paint, printJson, say, UsageError } from "./_terminal.ts";
import { numberFlag } from "./_flags.ts";

/** Usage text of the command. */
export const RUN_USAGE = `Usage: deno task stop run <file.ts> [options]

Runs one TypeScript program inside the WebAssembly sandbox, calls one of its exports,
and prints the result, the program's console output, and the audit of everything it
tried and was not allowed (capabilities, modules, limits).

Options:
  --export NAME      export to call                               (default: main)
  --args JSON        JSON array of arguments                      (default: [])
  --timeout-ms N     deadline of the call, in virtual ms          (default: 1000)
  --memory-mb N      cap on the guest's memory, in MiB            (default: 128)
  --seed N           seed of the guest's Math.random              (default: 0)
  --json             end with one JSON object on its own line
  --help             show this help

The audit goes to runs/<id>/audit.jsonl, Deno's permission audit beside it.
Example:
  deno task stop run examples/hostile.ts --export main`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `run`.
 * @returns The process exit code.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      export: { type: "string", default: "main" },
      args: { type: "string", default: "[]" },
      "timeout-ms": { type: "string", default: "1000" },
      "memory-mb": { type: "string", default: "128" },
      seed: { type: "string", default: "0" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(RUN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `Cannot run as exactly one program file is needed: got ${positionals.length}`,
    );
  }
  const file = positionals[0]!;
  let args: unknown;
  try {
    args = JSON.parse(values.args);
  } catch {
    throw new UsageError(
      `Cannot run as '--args' must be a JSON array: current value is '${values.args}'`,
    );
  }
  if (!Array.isArray(args)) {
    throw new UsageError(
      `Cannot run as '--args' must be a JSON array: current value is '${values.args}'`,
    );
  }
  const timeoutMs = numberFlag(values["timeout-ms"], {
    action: "run",
    name: "timeout-ms",
    min: 0,
    exclusiveMin: true,
  });
  const memoryMb = numberFlag(values["memory-mb"], {
    action: "run",
    name: "memory-mb",
    min: 0,
    exclusiveMin: true,
  });
  const seed = numberFlag(values.seed, { action: "run", name: "seed", integer: true, min: 0 });
  let source: string;
  try {
    source = await Deno.readTextFile(file);
  } catch (error) {
    throw new UsageError(`Cannot run '${file}': ${(error as Error).message}`);
  }

  const dir = await createRunDir("run", {
    file,
    export: values.export,
    args,
    timeoutMs,
    memoryMb,
    seed,
  });
  using audit = new AuditLog({ path: `${dir.path}/audit.jsonl`, run: dir.id });
  await Deno.writeTextFile(`${dir.path}/program.ts`, source);
  const started = performance.now();
  let result;
  let hash;
  {
    await using program = await loadProgram(source, {
      audit,
      seed,
      limits: { timeoutMs, memoryBytes: memoryMb * 1024 * 1024 },
    });
    hash = program.hash;
    result = await program.call(values.export, args);
  }
  const wallMs = performance.now() - started;
  await Deno.writeTextFile(`${dir.path}/result.json`, JSON.stringify(result, null, 2) + "\n");
  const permissionChecks = await keepDenoPermissionAudit(dir);
  const counts = audit.summary();

  if (!values.json) {
    say(paint("bold", `program ${file} (sha256 ${hash.slice(0, 12)})`));
    if (result.ok) {
      const text = JSON.stringify(result.value);
      say(
        `${paint("green", "returned")} ${text.length > 2000 ? text.slice(0, 2000) + " …" : text}`,
      );
    } else {
      say(`${paint("red", result.failure.kind)} ${result.failure.message}`);
    }
    say(`guest time ${result.guestMs.toFixed(1)} virtual ms, wall time ${wallMs.toFixed(0)} ms`);
    if (result.logs.length > 0) {
      say(paint("bold", "console output"));
      for (const line of result.logs.slice(0, 50)) say(`  ${line}`);
      if (result.logs.length > 50) say(`  … ${result.logs.length - 50} more lines`);
    }
    say(paint("bold", `audit: ${audit.count()} event(s)`));
    for (const event of audit.events.slice(0, 30)) {
      say(`  ${event.kind.padEnd(22)} ${event.detail}`);
    }
    if (audit.count() > 30) say(`  … ${audit.count() - 30} more in the audit log`);
    say(`run directory ${dir.path}`);
    if (permissionChecks !== undefined) {
      say(
        `Deno permission audit: ${permissionChecks} check(s) in ${dir.path}/deno-permission-audit.jsonl`,
      );
    }
  } else {
    printJson({
      file,
      export: values.export,
      ok: result.ok,
      ...(result.ok ? { value: result.value } : { failure: result.failure }),
      guestMs: result.guestMs,
      wallMs,
      logs: result.logs,
      audit: counts,
      runDir: dir.path,
    });
  }
  return result.ok ? 0 : 1;
}
