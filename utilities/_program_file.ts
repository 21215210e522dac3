/**
 * Reads a guest program shipped as a file under `utilities/programs/`.
 *
 * @module
 */

/**
 * The source text of `utilities/programs/<name>`.
 *
 * Guest programs live in files (excluded from the project's type check, since they run in
 * the sandbox, not in Deno) so that they read and diff as ordinary TypeScript.
 */
export function readProgramFile(name: string): Promise<string> {
  return Deno.readTextFile(new URL(`./programs/${name}`, import.meta.url));
}
