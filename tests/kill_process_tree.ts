// deno-lint-ignore-file no-console -- an entry point: it prints the ids it signalled
/**
 * Sends a signal to a process and to every process under it, found through `ps`.
 * A test SIGKILLing `deno task stop …` needs this: the task's shell, the launcher and the
 * command line are three processes, and a SIGKILL reaches only the one it is sent to.
 * Started by the tests as a process of its own (they hold no right to signal other
 * processes):
 *
 * ```sh
 * deno run --allow-run tests/kill_process_tree.ts SIGKILL 1234
 * ```
 *
 * Prints the ids it signalled, one a line.
 *
 * @module
 */

/** The parent of each process, as `ps` lists them. */
function parents(): Map<number, number> {
  const { code, stdout, stderr } = new Deno.Command("ps", {
    args: ["-A", "-o", "pid=,ppid="],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (code !== 0) {
    throw new Error(`Cannot list processes: ps failed: ${new TextDecoder().decode(stderr)}`);
  }
  const out = new Map<number, number>();
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid !== undefined && ppid !== undefined && !Number.isNaN(ppid)) out.set(pid, ppid);
  }
  return out;
}

/**
 * A process and all its descendants, the root first.
 *
 * @param root The process.
 * @returns Their ids.
 */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) {
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

if (import.meta.main) {
  const [signal, pidText] = Deno.args;
  const root = Number(pidText);
  if (signal === undefined || !Number.isInteger(root) || root <= 1) {
    throw new Error(
      `Cannot signal a process tree from arguments '${Deno.args.join(" ")}': give SIGNAL PID`,
    );
  }
  // Stop every process first so that none starts a new child before it is signalled.
  const tree = processTree(root);
  if (signal === "SIGKILL") { for (const pid of tree) tryKill(pid, "SIGSTOP"); }
  for (const pid of tree) {
    if (tryKill(pid, signal as Deno.Signal)) console.log(pid);
  }
}

/** Signals one process; false when it has exited already. */
function tryKill(pid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(pid, signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
