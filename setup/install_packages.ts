// deno-lint-ignore-file no-console -- an entry point: it reports progress on the terminal
/**
 * Set-up step: installs the Debian packages a part of the project needs, when they are
 * missing and this runs as root (otherwise it stops with the command to run). Runs as a
 * process of its own, before the steps that use the tools: Deno resolves a program named in
 * `--allow-run` when a process starts, so the process that runs a tool must start after the
 * tool is installed.
 *
 * ```sh
 * deno run --no-prompt --allow-run=sh,id setup/install_packages.ts toolchain browser
 * ```
 *
 * @module
 */
import { DEBIAN_PACKAGES } from "../sandbox/plugin/build_config.ts";
import { commandExists, ensureDebianPackages, run } from "./setup_tools.ts";

/** A set of Debian packages, what it is for, and how to tell that it is usable. */
export interface PackageSet {
  /** Debian packages. */
  packages: readonly string[];
  /** What they are for, in a sentence's words. */
  purpose: string;
  /** Whether what they provide is usable already. */
  ready: () => Promise<boolean>;
}

async function wasiToolchainReady(): Promise<boolean> {
  try {
    await run("sh", [
      "-c",
      "test -f /usr/include/wasm32-wasi/stdlib.h && " +
      "test -f /usr/lib/llvm-16/lib/clang/16/lib/wasi/libclang_rt.builtins-wasm32.a",
    ]);
  } catch {
    return false;
  }
  return (await commandExists("clang-16")) && (await commandExists("wasm-ld-16"));
}

/** The package sets set-up knows, by name. */
export const PACKAGE_SETS: Readonly<Record<string, PackageSet>> = {
  toolchain: {
    packages: DEBIAN_PACKAGES,
    purpose: "the WebAssembly toolchain the sandbox plugin is built with",
    ready: wasiToolchainReady,
  },
  browser: {
    packages: ["chromium"],
    purpose: "the headless browser the report test opens",
    ready: () => commandExists("chromium"),
  },
  database: {
    packages: ["postgresql-15"],
    purpose: "the PostgreSQL server the job-queue tests start",
    ready: async () => {
      try {
        await run("sh", ["-c", "test -x /usr/lib/postgresql/15/bin/pg_ctl"]);
        return true;
      } catch {
        return false;
      }
    },
  },
};

const HELP = `Usage: deno run --no-prompt --allow-run=sh,id setup/install_packages.ts <set>...

Installs the Debian packages of each set that is not usable yet (as root; otherwise prints
the command to run). Prints nothing when everything is there.

Sets:
${
  Object.entries(PACKAGE_SETS).map(([n, s]) => `  ${n.padEnd(10)} ${s.packages.join(" ")}`).join(
    "\n",
  )
}`;

if (import.meta.main) {
  if (Deno.args.length === 0 || Deno.args.includes("--help")) {
    console.log(HELP);
    Deno.exit(Deno.args.length === 0 ? 2 : 0);
  }
  for (const name of Deno.args) {
    const set = PACKAGE_SETS[name];
    if (set === undefined) {
      console.error(`setup: Cannot install the unknown set '${name}'\n\n${HELP}`);
      Deno.exit(2);
    }
    try {
      await ensureDebianPackages({
        ...set,
        log: (line) => console.error(`setup: ${line} (apt-get, about a minute)`),
      });
    } catch (error) {
      console.error(`setup: ${(error as Error).message}`);
      Deno.exit(1);
    }
  }
}
