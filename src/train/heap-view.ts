// Reading a float32 tensor's values without copying them out of the wasm heap. On wasm a tensor's data lies in one
// WebAssembly memory, and `dataSync` copies it into a fresh array: for a model's weights and gradients (AlexNet2D
// 57 M, ViT 85 M floats) that is hundreds of MB of new pages per step, where the caller only reads the values once.
import * as tf from '@tensorflow/tfjs';

interface WasmHeap {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The wasm backend's heap access when wasm is the current backend. */
export function wasmHeap(): WasmHeap | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as Partial<WasmHeap>;
  return typeof backend.typedArrayFromHeap === 'function' ? (backend as WasmHeap) : undefined;
}

/**
 * A float32 tensor's values: a view of the wasm heap on wasm (valid only until the next wasm allocation, which may
 * grow and detach the heap: read it at once, allocate nothing meanwhile, never keep it), else `dataSync`'s array.
 * Never write to it: it is the tensor's own storage.
 */
export function readValues(t: tf.Tensor): Float32Array {
  const heap = wasmHeap();
  return (heap ? heap.typedArrayFromHeap(t) : t.dataSync()) as Float32Array;
}
