/**
 * A temporary folder for a test, removed afterwards whatever the test did.
 *
 * @module
 */

/**
 * Runs `fn` with a fresh temporary folder and removes the folder afterwards.
 *
 * @param prefix The folder name's prefix.
 * @param fn The test body.
 */
export async function withTempDir(
  prefix: string,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
