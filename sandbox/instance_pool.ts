/**
 * A pool of started, never-used sandbox instances, so that a program evaluation does not
 * wait for a worker to start. Each instance serves exactly one program and is then closed;
 * nothing of one program can reach the next.
 *
 * @module
 */
import {
  type HostCallHandler,
  type PluginInstance,
  startPluginInstance,
} from "./plugin_instance.ts";

/** Options of {@linkcode InstancePool}. */
export interface InstancePoolOptions {
  /** Number of idle instances kept ready. @default {2} */
  size?: number;
  /** Memory cap of the pooled instances (programs with another cap start their own). @default {128 MiB} */
  memoryBytes?: number;
}

const REFILL_DELAY_MS = 100;

interface Pooled {
  instance: PluginInstance;
  setHandler(handler: HostCallHandler): void;
}

/**
 * Keeps `size` fresh instances started. Close it when done (or `await using`).
 *
 * @example
 * ```ts ignore
 * import { InstancePool } from "./instance_pool.ts";
 * import { loadProgram } from "./program.ts";
 * await using pool = new InstancePool({ size: 2 });
 * await using program = await loadProgram("export const f = () => 1;", { pool });
 * ```
 */
export class InstancePool implements AsyncDisposable {
  readonly size: number;
  readonly memoryBytes: number;
  #idle: Promise<Pooled>[] = [];
  #closed = false;
  #refill: ReturnType<typeof setTimeout> | undefined;

  /** @param options Pool size and memory cap. */
  constructor(options: InstancePoolOptions = {}) {
    this.size = options.size ?? 2;
    this.memoryBytes = options.memoryBytes ?? 128 * 1024 * 1024;
    if (!Number.isInteger(this.size) || this.size < 0) {
      throw new RangeError(
        `Cannot create a pool as 'size' must be a non-negative integer: current value is ${this.size}`,
      );
    }
    this.#fill();
  }

  #start(): Promise<Pooled> {
    let target: HostCallHandler = () =>
      Promise.resolve(JSON.stringify({ ok: false, error: "no program owns this instance" }));
    const started = startPluginInstance(this.memoryBytes, (request) => target(request)).then(
      async (instance) => {
        await instance.call("warm", new Uint8Array());
        return { instance, setHandler: (h: HostCallHandler) => target = h };
      },
    );
    started.catch(() => {}); // surfaced to whoever acquires it
    return started;
  }

  #fill(): void {
    while (!this.#closed && this.#idle.length < this.size) this.#idle.push(this.#start());
  }

  /**
   * Takes a fresh instance (started in advance when one is idle) and binds it to a
   * program's host-call handler. The caller owns it and must close it.
   *
   * @param memoryBytes The memory cap the caller needs.
   * @param handler The program's host-call handler.
   * @returns A never-used instance.
   */
  async acquire(memoryBytes: number, handler: HostCallHandler): Promise<PluginInstance> {
    if (this.#closed || memoryBytes !== this.memoryBytes) {
      return await startPluginInstance(memoryBytes, handler);
    }
    const next = this.#idle.shift() ?? this.#start();
    // Refill a little later: starting a worker competes with the load that follows.
    if (this.#refill === undefined) {
      this.#refill = setTimeout(() => {
        this.#refill = undefined;
        this.#fill();
      }, REFILL_DELAY_MS);
    }
    const pooled = await next;
    pooled.setHandler(handler);
    return pooled.instance;
  }

  /** Closes every idle instance; later acquisitions start instances on demand. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refill);
    this.#refill = undefined;
    const idle = this.#idle;
    this.#idle = [];
    await Promise.all(idle.map((p) => p.then((x) => x.instance.close(), () => {})));
  }

  /** Same as {@linkcode InstancePool.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
