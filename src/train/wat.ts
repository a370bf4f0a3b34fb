// Our own wasm kernels are written as WebAssembly text (.wat files beside the modules that load them) and assembled
// by wabt when first imported: the text is the source, no binary is committed, and the engine's code fingerprint
// hashes the .wat a module names with `new URL('./x.wat', import.meta.url)`.
import { readFileSync } from 'node:fs';
import type { TensorInfo } from '@tensorflow/tfjs';
import initWabt from 'wabt';

/** WebAssembly's constructors, typed here: this project's lib (ES2023, node) declares only its types. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const wabt = await initWabt();

/** Assembles a .wat file (SIMD enabled; relaxed SIMD too when asked) into a wasm binary. */
export function assembleWat(file: URL, features: { relaxedSimd?: boolean } = {}): Uint8Array {
  return assembleWatText(file.pathname.split('/').pop() ?? 'kernel.wat', readFileSync(file, 'utf8'), features);
}

/** Assembles WebAssembly text into a wasm binary; `name` is for wabt's messages. */
export function assembleWatText(name: string, text: string, features: { relaxedSimd?: boolean } = {}): Uint8Array {
  const parsed = wabt.parseWat(name, text, { simd: true, relaxed_simd: features.relaxedSimd === true });
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** Assembles and compiles a .wat file (SIMD enabled). */
export function compileWat(file: URL): object {
  return new wasmApi.Module(assembleWat(file));
}

/** What our heap kernels use of tfjs's wasm backend (4.22 internals, pinned in package.json). */
export interface WasmHeapBackend {
  dataIdMap: { has(dataId: object): boolean; get(dataId: object): { memoryOffset: number } | undefined };
  /** the Emscripten module: its exports include the heap's WebAssembly.Memory, and its allocator */
  wasm: { asm: { memory?: unknown }; _malloc(bytes: number): number };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

const onHeapInstances = new WeakMap<object, WeakMap<object, unknown>>();

/**
 * A compiled kernel module instantiated on a wasm backend's heap (it imports that memory as env.memory, so it reads
 * and writes tensors where they lie), once per module and backend.
 */
export function onHeap<T>(module: object, backend: unknown): T {
  const b = backend as WasmHeapBackend;
  let perBackend = onHeapInstances.get(module);
  if (!perBackend) onHeapInstances.set(module, (perBackend = new WeakMap()));
  const known = perBackend.get(b);
  if (known !== undefined) return known as T;
  const memory = b.wasm.asm.memory;
  if (memory === undefined) throw new Error('tfjs wasm backend: its heap memory is not exported (asm.memory); glioflow needs @tensorflow/tfjs-backend-wasm 4.22');
  const made = new wasmApi.Instance(module, { env: { memory } }).exports as T;
  perBackend.set(b, made);
  return made;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: unknown, t: TensorInfo): number {
  const data = (backend as WasmHeapBackend).dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('tensor data not on this wasm backend');
  return data.memoryOffset;
}
