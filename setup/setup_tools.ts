/**
 * What the project's set-up steps share (installing Debian packages, the plugin build, the
 * report's charting library): running a command, fetching a pinned npm tarball and checking
 * its hash, installing Debian packages when run as root, and finding the Deno executable that
 * starts each step as a process of its own.
 *
 * @module
 */

/**
 * Runs a command and returns its standard output.
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @param options.cwd Working directory.
 * @returns Standard output.
 * @throws {Error} When the program cannot start or exits with a failure (with its stderr).
 */
export async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string } = {},
): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    }).output();
  } catch (error) {
    throw new Error(`Cannot run '${cmd}': ${(error as Error).message}`, { cause: error });
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(
      `'${cmd} ${args.join(" ")}' failed (exit ${output.code}):\n${
        decoder.decode(output.stderr).slice(-4000)
      }`,
    );
  }
  return decoder.decode(output.stdout);
}

/**
 * The npm registry's integrity string of some bytes.
 *
 * @example
 * ```ts
 * import { sha512Integrity } from "./setup_tools.ts";
 * import { match } from "node:assert/strict";
 * match(await sha512Integrity(new Uint8Array()), /^sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/);
 * ```
 *
 * @param bytes The bytes.
 * @returns `sha512-<base64 digest>`.
 */
export async function sha512Integrity(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-512", bytes as Uint8Array<ArrayBuffer>),
  );
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return `sha512-${btoa(binary)}`;
}

/**
 * Fetches a pinned package's tarball with `npm pack` and checks it against the registry
 * integrity the project pinned.
 *
 * @param spec `name@version`.
 * @param integrity The pinned `sha512-…` integrity.
 * @param workDir Where the tarball goes.
 * @returns The tarball's path.
 * @throws {Error} When npm fails or the tarball's hash differs.
 */
export async function packPinned(
  spec: string,
  integrity: string,
  workDir: string,
): Promise<string> {
  const packed = (await run("npm", ["pack", spec, "--silent", "--pack-destination", workDir]))
    .trim().split("\n").pop()!.trim();
  const tarball = `${workDir}/${packed}`;
  const actual = await sha512Integrity(await Deno.readFile(tarball));
  if (actual !== integrity) {
    throw new Error(
      `Cannot use ${spec} as its tarball failed the hash check: expected ${integrity}, current value is ${actual}`,
    );
  }
  return tarball;
}

/**
 * Whether a command is on the PATH.
 *
 * @param cmd The command.
 * @returns Whether `sh` finds it.
 */
export async function commandExists(cmd: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure Debian packages are there: nothing when `ready()` holds, an `apt-get install`
 * when run as root, otherwise an error with the command to run.
 *
 * @param options.packages The Debian packages.
 * @param options.purpose What they are for (e.g. "the WebAssembly toolchain").
 * @param options.ready Whether what they provide is already usable.
 * @param options.log Progress output.
 * @throws {Error} When not root and something is missing, or the install did not help.
 */
export async function ensureDebianPackages(options: {
  packages: readonly string[];
  purpose: string;
  ready: () => Promise<boolean>;
  log: (line: string) => void;
}): Promise<void> {
  if (await options.ready()) return;
  const list = options.packages.join(" ");
  const install = `apt-get update && apt-get install -y ${list}`;
  const uid = (await run("id", ["-u"])).trim();
  if (uid !== "0") {
    throw new Error(
      `Cannot go on as ${options.purpose} is missing. Run as root:\n  sudo sh -c '${install}'`,
    );
  }
  options.log(`installing ${options.purpose}: ${options.packages.join(", ")}`);
  await run("sh", ["-c", `DEBIAN_FRONTEND=noninteractive ${install}`]);
  if (!(await options.ready())) {
    throw new Error(`Installed ${list} but ${options.purpose} is still not usable`);
  }
}

/**
 * The Deno executable to start child processes with: this one when the process may run it,
 * else `deno` from the PATH (`--allow-run=deno` grants the PATH's, which may be a link to
 * this one under another name).
 *
 * @returns A command for `Deno.Command`.
 */
export function denoCommand(): string {
  const exec = Deno.execPath();
  return Deno.permissions.querySync({ name: "run", command: exec }).state === "granted"
    ? exec
    : "deno";
}

/**
 * Whether a path exists.
 *
 * @param path The path.
 * @returns Whether `stat` finds it.
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
