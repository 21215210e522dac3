/**
 * Runs a command with its run directories in a fresh temporary folder (`STOP_RUNS_DIR`).
 *
 * @module
 */

/**
 * Runs `fn` with run directories going to a fresh temporary folder, then puts
 * `STOP_RUNS_DIR` back.
 *
 * @param fn The work, e.g. `() => evaluateCommand(["lpn", "seed"])`.
 * @returns What `fn` returned and the run directories it made.
 */
export async function inTempRuns<T>(fn: () => Promise<T>): Promise<{ value: T; dirs: string[] }> {
  const root = await Deno.makeTempDir({ prefix: "stop-runs-test-" });
  const before = Deno.env.get("STOP_RUNS_DIR");
  Deno.env.set("STOP_RUNS_DIR", root);
  try {
    const value = await fn();
    const dirs: string[] = [];
    for await (const entry of Deno.readDir(root)) {
      if (entry.isDirectory) dirs.push(`${root}/${entry.name}`);
    }
    return { value, dirs };
  } finally {
    if (before === undefined) Deno.env.delete("STOP_RUNS_DIR");
    else Deno.env.set("STOP_RUNS_DIR", before);
  }
}
