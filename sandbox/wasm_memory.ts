/**
 * Rewriting the declared maximum of a WebAssembly module's memory, so that the engine
 * itself refuses any `memory.grow` past the cap (the Extism SDK's `maxPages` does not
 * cap the guest's own memory).
 *
 * @module
 */

function readUleb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    const byte = bytes[pos++];
    if (byte === undefined) throw new RangeError("Cannot read LEB128 past the end of the module");
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
    if (shift > 35) throw new RangeError("Cannot read LEB128 longer than 5 bytes");
  }
}

function writeUleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/**
 * Returns a copy of a module whose (single, defined) memory declares `maxPages` as its
 * maximum; the initial size is lowered to the maximum if it was larger.
 *
 * @example
 * ```ts
 * import { withMemoryMaximum } from "./wasm_memory.ts";
 * import { equal } from "node:assert/strict";
 * // (module (memory 1 10))
 * const wasm = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 4, 1, 1, 1, 10]);
 * const capped = withMemoryMaximum(wasm, 2);
 * equal(capped.at(-1), 2);
 * ```
 *
 * @param wasm The module's bytes.
 * @param maxPages The new maximum, in 64 KiB pages.
 * @returns The rewritten module.
 * @throws {RangeError} When the module has no defined memory or is malformed.
 */
export function withMemoryMaximum(wasm: Uint8Array, maxPages: number): Uint8Array {
  if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > 65536) {
    throw new RangeError(
      `Cannot cap memory as 'maxPages' must be an integer in 1..65536: current value is ${maxPages}`,
    );
  }
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos]!;
    const [size, bodyStart] = readUleb(wasm, pos + 1);
    const bodyEnd = bodyStart + size;
    if (id === 5) {
      const [count, first] = readUleb(wasm, bodyStart);
      if (count !== 1) throw new RangeError(`Cannot cap memory of a module with ${count} memories`);
      const flags = wasm[first]!;
      if (flags > 1) throw new RangeError(`Cannot cap a memory with limit flags ${flags}`);
      const [initial, afterInitial] = readUleb(wasm, first + 1);
      const afterLimits = flags === 1 ? readUleb(wasm, afterInitial)[1] : afterInitial;
      const body = [
        ...writeUleb(1),
        1,
        ...writeUleb(Math.min(initial, maxPages)),
        ...writeUleb(maxPages),
        ...wasm.subarray(afterLimits, bodyEnd),
      ];
      const section = [5, ...writeUleb(body.length), ...body];
      const out = new Uint8Array(pos + section.length + (wasm.length - bodyEnd));
      out.set(wasm.subarray(0, pos), 0);
      out.set(section, pos);
      out.set(wasm.subarray(bodyEnd), pos + section.length);
      return out;
    }
    pos = bodyEnd;
  }
  throw new RangeError("Cannot cap memory of a module that defines none");
}
