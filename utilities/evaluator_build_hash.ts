/**
 * The evaluator's build hash: what a leaf evaluation's result depends on besides the job
 * itself. That is the sandbox plugin's bytes (`sandbox/plugin_build_hash.ts`) and the host code
 * that loads, runs and scores a program: every module of `sandbox/`, `utilities/` and
 * `common/` (tests excepted) and the pinned versions of the packages they run (`sucrase`
 * compiles the program, `@extism/extism` runs the plugin). Two processes with the same hash
 * score the same program the same; a job queue uses it so that no worker on another version of
 * the project takes a job (it would give other numbers without noticing).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { pluginBuildHash } from "../sandbox/plugin_build_hash.ts";

/** The folders whose modules score programs. */
const HOST_FOLDERS = ["sandbox", "utilities", "common"] as const;

/** The packages they run, read from `deno.json`'s imports. */
const HOST_PACKAGES = ["sucrase", "@extism/extism"] as const;

const ROOT = new URL("../", import.meta.url);

async function modulesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string) => {
    for await (const entry of Deno.readDir(new URL(relative, ROOT))) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && path.endsWith(".ts") && !path.endsWith("_test.ts")) {
        found.push(path);
      }
    }
  };
  await walk(folder);
  return found;
}

async function compute(): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`plugin ${await pluginBuildHash()}\n`);
  const imports = (JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    imports?: Record<string, string>;
  }).imports ?? {};
  for (const name of HOST_PACKAGES) hash.update(`package ${name} ${imports[name] ?? "-"}\n`);
  const paths = (await Promise.all(HOST_FOLDERS.map(modulesUnder))).flat().sort();
  for (const path of paths) {
    const text = await Deno.readTextFile(new URL(path, ROOT));
    hash.update(`module ${path} ${text.length}\n${text}\n`);
  }
  return hash.digest("hex").slice(0, 24);
}

let cached: Promise<string> | undefined;

/**
 * The build hash of the evaluator this checkout runs.
 *
 * @example
 * ```ts
 * import { evaluatorBuildHash } from "./evaluator_build_hash.ts";
 * import { match } from "node:assert/strict";
 * match(await evaluatorBuildHash(), /^[0-9a-f]{24}$/);
 * ```
 *
 * @returns 24 lowercase hex digits.
 */
export function evaluatorBuildHash(): Promise<string> {
  cached ??= compute().catch((error) => {
    cached = undefined; // asked again, it reads again
    throw error;
  });
  return cached;
}
