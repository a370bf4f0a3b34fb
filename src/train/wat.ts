// Our own wasm kernels are written as WebAssembly text (.wat files beside the modules that load them) and assembled
// by wabt when first imported: the text is the source, no binary is committed, and the engine's code fingerprint
// hashes the .wat a module names with `new URL('./x.wat', import.meta.url)`.
import { readFileSync } from 'node:fs';
import initWabt from 'wabt';

/** WebAssembly's constructors, typed here: this project's lib (ES2023, node) declares only its types. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const wabt = await initWabt();

/** Assembles and compiles a .wat file (SIMD enabled). */
export function compileWat(file: URL): object {
  const parsed = wabt.parseWat(file.pathname.split('/').pop() ?? 'kernel.wat', readFileSync(file, 'utf8'), { simd: true });
  try {
    return new wasmApi.Module(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}
