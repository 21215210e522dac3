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
  const busy = Array.from({ length: 2 }, () =>
    new Deno.Command("deno", {
      args: ["eval", "const end = Date.now() + 60000; while (Date.now() < end) {}"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn());
  try {
    await new Promise((resolve) => setTimeout(resolve, 500)); // let them start spinning
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
