// deno-lint-ignore-file no-console -- an entry point: it reports progress on the terminal
/**
 * Builds the sandbox plugin (QuickJS + the project's C glue, for wasm32-wasi) from the pinned,
 * hash-checked `qjsc` npm tarball, and caches it under `.cache/plugin/` by a hash of
 * everything that decides its bytes. Does nothing when the cached plugin exists.
 *
 * Run through `deno task setup` (every task that needs the plugin runs it first).
 * Installs the Debian toolchain when run as root; otherwise stops with the command to run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  CACHE_DIR,
  CFLAGS,
  CLANG,
  DEBIAN_PACKAGES,
  LDFLAGS,
  pluginPath,
  PROJECT_ROOT,
  QUICKJS_FILES,
  QUICKJS_HEADERS,
  QUICKJS_PACKAGE,
  QUICKJS_PATCHES,
} from "./build_config.ts";
import { commandExists, ensureDebianPackages, packPinned, run } from "./setup_tools.ts";

const HELP = `Usage: deno task setup [--force] [--quiet]

Builds the WebAssembly sandbox plugin if it is not already cached.

Options:
  --force   rebuild even when the cached plugin exists
  --quiet   print nothing when the plugin is already built
  --help    show this help`;

async function wasiSysrootReady(): Promise<boolean> {
  try {
    await run("sh", [
      "-c",
      "test -f /usr/include/wasm32-wasi/stdlib.h && " +
      "test -f /usr/lib/llvm-16/lib/clang/16/lib/wasi/libclang_rt.builtins-wasm32.a",
    ]);
  } catch {
    return false;
  }
  return (await commandExists(CLANG)) && (await commandExists("wasm-ld-16"));
}

function ensureToolchain(log: (s: string) => void): Promise<void> {
  return ensureDebianPackages({
    packages: DEBIAN_PACKAGES,
    purpose: "the WebAssembly toolchain the sandbox plugin is built with",
    ready: wasiSysrootReady,
    log,
  });
}

async function fetchSources(workDir: string, log: (s: string) => void): Promise<string> {
  const spec = `${QUICKJS_PACKAGE.name}@${QUICKJS_PACKAGE.version}`;
  log(`fetching ${spec} from the npm registry`);
  const tarball = await packPinned(spec, QUICKJS_PACKAGE.integrity, workDir);
  const members = [...QUICKJS_FILES, ...QUICKJS_HEADERS].map((f) =>
    `${QUICKJS_PACKAGE.folder}/${f}`
  );
  await run("tar", ["-xzf", tarball, "-C", workDir, ...members]);
  return `${workDir}/${QUICKJS_PACKAGE.folder}`;
}

async function applyPatches(srcDir: string): Promise<void> {
  for (const patch of QUICKJS_PATCHES) {
    const path = `${srcDir}/${patch.file}`;
    const text = await Deno.readTextFile(path);
    const found = text.split(patch.find).length - 1;
    if (found !== patch.count) {
      throw new Error(
        `Cannot patch ${patch.file} (${patch.why}): expected ${patch.count} match(es) of ${
          JSON.stringify(patch.find)
        }, found ${found}`,
      );
    }
    await Deno.writeTextFile(path, text.split(patch.find).join(patch.replace));
  }
}

/**
 * Builds the plugin unless it is cached.
 *
 * @param options.force Rebuild even when cached.
 * @param options.log Progress output.
 * @returns The path of the built plugin.
 */
export async function buildPlugin(
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<string> {
  const log = options.log ?? (() => {});
  const target = await pluginPath();
  if (!options.force) {
    try {
      await Deno.stat(target);
      return target;
    } catch {
      // not built yet
    }
  }
  await ensureToolchain(log);
  const cacheDir = new URL(`${CACHE_DIR}/`, PROJECT_ROOT).pathname;
  await Deno.mkdir(cacheDir, { recursive: true });
  const workDir = await Deno.makeTempDir({ dir: cacheDir, prefix: "build-" });
  try {
    const srcDir = await fetchSources(workDir, log);
    await applyPatches(srcDir);
    await Deno.copyFile(new URL("./stop_sandbox.c", import.meta.url), `${srcDir}/stop_sandbox.c`);
    log(`compiling the sandbox plugin with ${CLANG} (about 15 s)`);
    const sources = ["stop_sandbox.c", ...QUICKJS_FILES];
    const objects = sources.map((f) => f.replace(/\.c$/, ".o"));
    await Promise.all(
      sources.map((f, i) => run(CLANG, [...CFLAGS, "-c", f, "-o", objects[i]!], { cwd: srcDir })),
    );
    // Linked apart from compiling and without an -O flag: with -O, clang runs any `wasm-opt`
    // it finds on PATH with that binaryen's default features, which can fail or differ.
    const out = `${workDir}/plugin.wasm`;
    await run(CLANG, [...LDFLAGS, "-o", out, ...objects], { cwd: srcDir });
    await Deno.rename(out, target); // atomic: a reader sees the whole file or none
    log(`built ${target}`);
    return target;
  } finally {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      force: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  try {
    const path = await buildPlugin({
      force: values.force,
      log: (s) => console.error(`setup: ${s}`),
    });
    if (!values.quiet) console.log(`sandbox plugin ready: ${path}`);
  } catch (error) {
    console.error(`setup: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
