/**
 * One running instance of the sandbox plugin: a WebAssembly instance in its own worker,
 * created through the Extism SDK. This is the only file that imports `@extism/extism`.
 *
 * @module
 */
import createPlugin from "@extism/extism";
import { pluginPath } from "./plugin/build_config.ts";
import { withMemoryMaximum } from "./wasm_memory.ts";
import { PluginUnavailableError } from "./errors.ts";

/**
 * Answers one host call from the guest. Receives the request text (function name, a
 * newline, then the JSON payload) and resolves to the reply text. Must never reject.
 */
export type HostCallHandler = (request: string) => Promise<string>;

const modules = new Map<number, Promise<WebAssembly.Module>>();
let pluginBytes: Promise<Uint8Array> | undefined;

async function readPlugin(): Promise<Uint8Array> {
  const path = await pluginPath();
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new PluginUnavailableError(
      `Cannot start a sandbox as the plugin is not built at ${path}: run 'deno task setup'`,
      { cause: error },
    );
  }
}

/**
 * Compiles the plugin with a declared maximum memory, once per distinct maximum.
 *
 * @param memoryBytes The cap on the guest's linear memory.
 * @returns The compiled module.
 */
export function compiledPlugin(memoryBytes: number): Promise<WebAssembly.Module> {
  const pages = Math.max(1, Math.floor(memoryBytes / 65536));
  let module = modules.get(pages);
  if (module === undefined) {
    pluginBytes ??= readPlugin();
    const bytes = pluginBytes;
    module = bytes.then((b) => WebAssembly.compile(withMemoryMaximum(b, pages) as BufferSource));
    module.catch(() => modules.delete(pages));
    modules.set(pages, module);
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
 * @returns The instance, ready for its `load` export.
 */
export async function startPluginInstance(
  memoryBytes: number,
  onHostCall: HostCallHandler,
): Promise<PluginInstance> {
  const module = await compiledPlugin(memoryBytes);
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
