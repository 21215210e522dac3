/**
 * A CPU load that a test starts and stops itself: busy-loop processes beside the test, so
 * that anything that still read the wall clock would change its result.
 *
 * @module
 */

/**
 * Runs `fn` while two busy-loop processes load the CPU; they are killed when `fn` ends and
 * end on their own after 60 s in any case.
 *
 * @param fn The work to run under load.
 * @returns What `fn` returns.
 */
export async function underLoad<T>(fn: () => Promise<T>): Promise<T> {
  // Each process says when it starts spinning; the 60 s end is only a fuse for a test that
  // dies before it can kill them, never a condition a test waits on.
  const busy = Array.from({ length: 2 }, () =>
    new Deno.Command("deno", {
      args: [
        "eval",
        "console.log('spinning'); const end = Date.now() + 60000; while (Date.now() < end) {}",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn());
  try {
    // The load is on when every process has started its loop (not after a guessed sleep).
    await Promise.all(busy.map(async (child) => {
      const reader = child.stdout.getReader();
      const { value } = await reader.read();
      await reader.cancel();
      if (value === undefined) throw new Error("Cannot load the CPU: a busy process exited");
    }));
    return await fn();
  } finally {
    for (const child of busy) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    await Promise.all(busy.map((child) => child.status));
  }
}
