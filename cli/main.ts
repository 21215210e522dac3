/**
 * The command line: `deno task stop <command> [options]`.
 *
 * @module
 */
import { AUDIT_USAGE, auditCommand } from "./audit_command.ts";
import { RUN_USAGE, runCommand } from "./run_command.ts";
import { EVALUATE_USAGE, evaluateCommand } from "./evaluate_command.ts";
import { IMPROVE_USAGE, improveCommand } from "./improve_command.ts";
import { SELF_IMPROVE_USAGE, selfImproveCommand } from "./self_improve_command.ts";
import { TRANSFER_USAGE, transferCommand } from "./transfer_command.ts";
import { SANDBOX_AUDIT_USAGE, sandboxAuditCommand } from "./sandbox_audit_command.ts";
import { REPORT_USAGE, reportCommand } from "./report_command.ts";
import { REPLAY_USAGE, replayCommand } from "./replay_command.ts";
import { LM_CHECK_USAGE, LM_SERVE_USAGE, lmCheckCommand, lmServeCommand } from "./lm_commands.ts";
import { WORKER_USAGE, workerCommand } from "./worker_command.ts";
import { QUEUE_USAGE, queueCommand } from "./queue_command.ts";
import { note, paint, say, UsageError } from "./_terminal.ts";

interface Command {
  summary: string;
  usage: string;
  main(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  run: {
    summary: "run one program in the sandbox and show its audit",
    usage: RUN_USAGE,
    main: runCommand,
  },
  evaluate: {
    summary: "score one program on a task (per-instance results)",
    usage: EVALUATE_USAGE,
    main: evaluateCommand,
  },
  improve: {
    summary: "run an improver once on a task's seed solution",
    usage: IMPROVE_USAGE,
    main: improveCommand,
  },
  "self-improve": {
    summary: "the STOP loop on LPN (deno task experiment:lpn)",
    usage: SELF_IMPROVE_USAGE,
    main: selfImproveCommand,
  },
  replay: {
    summary: "re-run a finished self-improve run from its cache, network refused, and compare",
    usage: REPLAY_USAGE,
    main: replayCommand,
  },
  transfer: {
    summary: "paper Table 1: an improved improver on five other tasks (experiment:transfer)",
    usage: TRANSFER_USAGE,
    main: transferCommand,
  },
  "sandbox-audit": {
    summary: "paper Table 2: how often improvers turn the sandbox off (experiment:sandbox)",
    usage: SANDBOX_AUDIT_USAGE,
    main: sandboxAuditCommand,
  },
  report: {
    summary: "write a run's Markdown and self-contained HTML report",
    usage: REPORT_USAGE,
    main: reportCommand,
  },
  audit: { summary: "summarise a run's audit log", usage: AUDIT_USAGE, main: auditCommand },
  "lm-serve": {
    summary: "serve the offline stand-in over the OpenAI protocol (loopback)",
    usage: LM_SERVE_USAGE,
    main: lmServeCommand,
  },
  "lm-check": {
    summary: "check a model endpoint before spending money on it",
    usage: LM_CHECK_USAGE,
    main: lmCheckCommand,
  },
  worker: {
    summary: "take program evaluations from a job queue (--queue) and run them here",
    usage: WORKER_USAGE,
    main: (argv) => workerCommand(argv),
  },
  queue: {
    summary: "show a job queue's jobs, workers and throughput (queue status --queue URL)",
    usage: QUEUE_USAGE,
    main: (argv) => queueCommand(argv),
  },
};

function usage(): string {
  const lines = [
    "Usage: deno task stop <command> [options]",
    "",
    "stop: the Self-Taught Optimizer (Zelikman et al., arXiv 2310.02304) in Deno,",
    "with every generated program run in a WebAssembly sandbox.",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`),
    "",
    "Run 'deno task stop <command> --help' for a command's options.",
  ];
  return lines.join("\n");
}

/**
 * Dispatches one command line.
 *
 * @param argv The arguments after `stop`.
 * @returns The process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    say(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    note(`stop: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.main(rest);
  } catch (error) {
    if (
      error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      note(`${paint("red", "error:")} ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    note(`${paint("red", "error:")} ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
