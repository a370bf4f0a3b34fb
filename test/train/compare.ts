// Comparing our kernels' outputs with a reference (tfjs's cpu kernels, an independent implementation).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect } from 'vitest';
import { registerWasmKernels } from '../../src/train/wasm-kernels.js';

/** Largest |a − b| relative to the largest |b| (at least 1e-6). */
export function maxRelErr(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  let scale = 1e-6;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

/** `run` on the cpu backend, then on wasm. */
export async function onCpuThenWasm<T>(run: () => T): Promise<{ cpu: T; wasm: T }> {
  expect(await tf.setBackend('cpu')).toBe(true);
  const cpu = run();
  expect(await tf.setBackend('wasm')).toBe(true);
  return { cpu, wasm: run() };
}

/** a·b in float64 from the values (a [m,k], b [k,n], row-major): the reference products are compared with. */
export function referenceProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + a[i * k + p]! * b[p * n + j]!;
  return out;
}

/** Before the file's tests: our wasm kernels registered (the defaults) and wasm the current backend. */
export function onWasmWithOurKernels(): void {
  beforeAll(async () => {
    tf.env().set('PROD', true); // silences the 'install tfjs-node' banner
    registerWasmKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });
}
