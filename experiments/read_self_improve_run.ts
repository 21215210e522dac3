/**
 * A self-improvement run directory read back from disk (to resume or replay it): its
 * configuration, checked, and the model flags that configuration implies.
 *
 * @module
 */
import { isInstanceMode } from "../utilities/instance_salt.ts";
import type { RunDir } from "./run_dir.ts";
import type { ModelFlags } from "./run_gateway.ts";
import { UsageError } from "./usage_error.ts";
import { DEFAULT_SELF_IMPROVE_CONFIG, type SelfImproveConfig } from "./self_improve_run.ts";

/**
 * Reads a run directory's configuration, refusing anything that is not a self-improvement
 * run this version can continue (to resume) or replay.
 *
 * @param path The run directory.
 * @param options `finished`: whether the run must have finished (a replay) or must not have
 * (a resume).
 * @returns The directory (its real path) and its configuration.
 * @throws {UsageError} When the directory is missing, foreign or corrupt, or finished when
 * it must not be (and the reverse).
 */
export async function readSelfImproveRun(
  path: string,
  options: { finished: boolean },
): Promise<{ dir: RunDir; config: SelfImproveConfig }> {
  const clean = path.replace(/\/+$/, "");
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(`${clean}/config.json`));
  } catch (error) {
    throw new UsageError(
      error instanceof Deno.errors.NotFound
        ? `Cannot use '${path}' as it is not a run directory: it has no config.json`
        : `Cannot use '${path}' as its config.json is unreadable: ${(error as Error).message}`,
    );
  }
  const c = raw as Record<string, unknown>;
  if (c?.command !== "self-improve") {
    throw new UsageError(
      `Cannot use '${path}' as it is a '${String(c?.command)}' run, not a self-improve run`,
    );
  }
  const config = { ...DEFAULT_SELF_IMPROVE_CONFIG };
  for (const key of Object.keys(DEFAULT_SELF_IMPROVE_CONFIG) as (keyof SelfImproveConfig)[]) {
    const value = c[key];
    const expected = typeof DEFAULT_SELF_IMPROVE_CONFIG[key];
    const optional = key === "model" || key === "baseUrl" || key === "maxCostUsd" ||
      key === "instanceSalt";
    if (value === undefined && optional) continue;
    if (
      value === undefined &&
      (key === "sandboxes" || key === "prefetch" || key === "maxRequests" || key === "instances")
    ) {
      continue; // runs written before these existed
    }
    const type: string = typeof value;
    if (optional ? type !== "string" && type !== "number" : type !== expected) {
      throw new UsageError(
        `Cannot use '${path}' as its config.json has a bad '${key}': current value is ${
          JSON.stringify(value)
        }`,
      );
    }
    (config as Record<string, unknown>)[key] = value;
  }
  if (
    !isInstanceMode(config.instances) ||
    (config.instances === "secret") !== (typeof config.instanceSalt === "string")
  ) {
    throw new UsageError(
      `Cannot use '${path}' as its config.json has bad instances: current value is ${
        JSON.stringify(config.instances)
      } ${config.instanceSalt === undefined ? "without" : "with"} a salt`,
    );
  }
  let finished = false;
  try {
    await Deno.stat(`${clean}/summary.json`);
    finished = true;
  } catch {
    // not finished
  }
  if (finished && !options.finished) {
    throw new UsageError(
      `Cannot resume '${path}' as the run has finished (it has a summary.json); ` +
        `see 'deno task stop report ${path}' or 'deno task stop replay ${path}'`,
    );
  }
  if (!finished && options.finished) {
    throw new UsageError(
      `Cannot replay '${path}' as the run has not finished (no summary.json); ` +
        `continue it with 'deno task stop self-improve --resume ${path}'`,
    );
  }
  const real = await Deno.realPath(clean);
  const id = real.slice(real.lastIndexOf("/") + 1);
  return { dir: { id, path: real }, config };
}

/**
 * The model flags a stored configuration implies, so that a resumed or replayed run talks to
 * the same model with the same caps and seed.
 *
 * @param config The run's configuration.
 * @param replay Whether every model call must be answered from the cache.
 * @returns The flags.
 */
export function configModelFlags(config: SelfImproveConfig, replay: boolean): ModelFlags {
  return {
    model: config.model,
    baseUrl: config.baseUrl,
    replay,
    maxCostUsd: config.maxCostUsd,
    maxRequests: config.maxRequests,
    seed: config.seed,
  };
}
