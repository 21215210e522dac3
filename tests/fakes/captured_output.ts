// deno-lint-ignore-file no-console -- it captures what a command prints, to check it
/**
 * Runs a command's entry function with `console.log` captured.
 *
 * @module
 */

/**
 * Runs `fn` and returns its exit code and the lines it printed with `console.log`.
 *
 * @param fn The command, e.g. `() => auditCommand([dir])`.
 * @returns The exit code and the printed lines.
 */
export async function captured(
  fn: () => Promise<number>,
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const { log } = console;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    return { code: await fn(), lines };
  } finally {
    console.log = log;
  }
}
