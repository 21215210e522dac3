/**
 * One running instance of the sandbox plugin: a WebAssembly instance in its own worker,
 * created through the Extism SDK. This is the only file that imports `@extism/extism`.
 *
 * @module
 */
import createPlugin from "@extism/extism";
import { pluginPath, type PluginVariant } from "./plugin/build_config.ts";
import { withMemoryMaximum } from "./wasm_memory.ts";
import { PluginUnavailableError } from "./errors.ts";

/**
 * Answers one host call from the guest. Receives the request text (function name, a
 * newline, then the JSON payload) and resolves to the reply text. Must never reject.
 */
export type HostCallHandler = (request: string) => Promise<string>;

const modules = new Map<string, Promise<WebAssembly.Module>>();
const pluginBytes = new Map<PluginVariant, Promise<Uint8Array>>();

async function readPlugin(variant: PluginVariant): Promise<Uint8Array> {
  const path = await pluginPath(variant);
  try {
    return await Deno.readFile(path);
  } catch (error) {
    const build = variant === "metered" ? "deno task setup" : "deno task setup --unmetered";
    throw new PluginUnavailableError(
      `Cannot start a sandbox as the ${
        variant === "metered" ? "" : `${variant} `
      }plugin is not built at ${path}: run '${build}'`,
      { cause: error },
    );
  }
}

/**
 * Compiles the plugin with a declared maximum memory, once per distinct maximum.
 *
 * @param memoryBytes The cap on the guest's linear memory.
 * @param variant The build: the unmetered one is for the overhead benchmark only.
 * @returns The compiled module.
 */
export function compiledPlugin(
  memoryBytes: number,
  variant: PluginVariant = "metered",
): Promise<WebAssembly.Module> {
  const pages = Math.max(1, Math.floor(memoryBytes / 65536));
  const key = `${variant} ${pages}`;
  let module = modules.get(key);
  if (module === undefined) {
    let bytes = pluginBytes.get(variant);
    if (bytes === undefined) {
      bytes = readPlugin(variant);
      pluginBytes.set(variant, bytes);
    }
    module = bytes.then((b) => WebAssembly.compile(withMemoryMaximum(b, pages) as BufferSource));
    module.catch(() => modules.delete(key));
    modules.set(key, module);
  }
  return module;
}

/** A live plugin instance. */
export interface PluginInstance {
  /** Calls an export of the plugin with raw input; resolves to its raw output. */
  call(name: string, input: Uint8Array): Promise<Uint8Array>;
  /** Terminates the worker. Safe to call twice and during a call. */
  close(): Promise<void>;
}

/**
 * Starts a fresh plugin instance in its own worker.
 *
 * @param memoryBytes Cap on the guest's linear memory.
 * @param onHostCall Handler of the guest's host calls.
 * @param variant The build: the unmetered one is for the overhead benchmark only (no
 *   deterministic time limit).
 * @returns The instance, ready for its `load` export.
 */
export async function startPluginInstance(
  memoryBytes: number,
  onHostCall: HostCallHandler,
  variant: PluginVariant = "metered",
): Promise<PluginInstance> {
  const module = await compiledPlugin(memoryBytes, variant);
  const plugin = await createPlugin({ wasm: [{ module }] }, {
    // The plugin defines the few WASI calls libc needs itself (a virtual clock, a sink for
    // stdio): it imports nothing from WASI, so the host creates no WASI object.
    useWasi: false,
    runInWorker: true,
    enableWasiOutput: false,
    logLevel: "silent",
    nodeWorkerArgs: { execArgv: [], env: {} },
    functions: {
      "extism:host/user": {
        // A host function that throws kills the plugin: this one never throws.
        stop_host_call: async (context, requestPtr: bigint) => {
          let reply: string;
          try {
            const request = context.read(requestPtr)?.text() ?? "";
            reply = await onHostCall(request);
          } catch (error) {
            reply = JSON.stringify({ ok: false, error: String((error as Error)?.message) });
          }
          return context.store(reply);
        },
      },
    },
  });
  let closed = false;
  return {
    async call(name, input) {
      if (closed) throw new Error("the plugin instance is closed");
      const out = await plugin.call(name, input);
      return out === null ? new Uint8Array() : out.bytes().slice();
    },
    async close() {
      if (closed) return;
      closed = true;
      // close() can hang when the worker is stuck: never wait on it for long.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        plugin.close().catch(() => {}),
        new Promise<void>((resolve) => timer = setTimeout(resolve, 2000)),
      ]);
      clearTimeout(timer);
    },
  };
}
