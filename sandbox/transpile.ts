/**
 * Turning a TypeScript program into JavaScript for the guest: types stripped, syntax
 * checked, nothing else changed (imports are kept even when unused, so a refused import
 * is still seen and recorded by the sandbox).
 *
 * @module
 */
import { transform } from "sucrase";

/** The outcome of {@linkcode transpile}. */
export type TranspileResult =
  | { ok: true; code: string }
  | { ok: false; message: string };

/**
 * Strips TypeScript types from a module and reports syntax errors.
 *
 * @example
 * ```ts
 * import { transpile } from "./transpile.ts";
 * import { ok } from "node:assert/strict";
 * const result = transpile("export const x: number = 1;");
 * ok(result.ok && result.code.includes("export const x = 1"));
 * ```
 *
 * @param source TypeScript module source.
 * @returns The JavaScript, or the syntax error as a message.
 */
export function transpile(source: string): TranspileResult {
  if (typeof source !== "string") {
    return { ok: false, message: `the program must be a string, got ${typeof source}` };
  }
  try {
    const out = transform(source, {
      transforms: ["typescript"],
      disableESTransforms: true,
      keepUnusedImports: true,
      filePath: "program.ts",
    });
    return { ok: true, code: out.code };
  } catch (error) {
    const e = error as Error;
    return { ok: false, message: `${e.name ?? "SyntaxError"}: ${e.message ?? String(error)}` };
  }
}
