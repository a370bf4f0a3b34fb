// Matrix products with fused multiply-adds (gemm.wat), for the wasm backend. XNNPACK, as tfjs 4.22 builds it, uses
// plain 128-bit SIMD, a multiply and an add per lane; relaxed SIMD's f32x4.relaxed_madd is one FMA instruction where
// the CPU has FMA (every x86-64 since 2013, every ARMv8). Measured side by side on 2 cores (AMD EPYC), one thread:
// 45–53 GFLOP/s against XNNPACK's 26–36 for ViT's and AlexNet2D's products. Relaxed SIMD is on by default from
// Node 22 (V8 11.4); on Node 20 it sits behind --experimental-wasm-relaxed-simd, which we set at run time when the
// engine does not validate our probe without it. Where it cannot be had, `fmaGemm` is undefined and the products
// stay with XNNPACK.
//
// Numerics: a fused multiply-add rounds once where mul + add rounds twice, so results differ from XNNPACK's in the
// last bits; relaxed_madd may be either on a CPU without FMA, so they can also differ between machines. On one
// machine the same product gives the same bits every time, on every thread (data-parallel pieces stay bit-identical).
import { setFlagsFromString } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { Backend } from './kernel-scope.js';
import { assembleWat, assembleWatText, heapOffset, onHeap, wasmApi, type WasmHeapBackend } from './wat.js';

/** Packed block of B (256×256 floats) and the edge tile (4×8 floats), as gemm.wat lays them out. */
const GEMM_SCRATCH_BYTES = 256 * 256 * 4 + 4 * 8 * 4;

type GemmFn = (a: number, b: number, c: number, m: number, k: number, n: number, scratch: number) => void;

/** A module whose one function is a relaxed fused multiply-add: valid only where the engine has relaxed SIMD. */
const PROBE = assembleWatText('relaxed-simd-probe.wat', `(module (func (param v128 v128 v128) (result v128)
  (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))`, { relaxedSimd: true });

function relaxedSimd(): boolean {
  if (wasmApi.validate(PROBE)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return wasmApi.validate(PROBE);
}

const gemmModule = relaxedSimd() ? new wasmApi.Module(assembleWat(new URL('./gemm.wat', import.meta.url), { relaxedSimd: true })) : undefined;

/** Whether the FMA product can run in this process (relaxed SIMD available). */
export const fmaGemmAvailable = gemmModule !== undefined;

/** One scratch area per backend, from its own allocator, kept for the backend's life (256 KiB). */
const scratchOf = new WeakMap<object, number>();
function scratch(b: WasmHeapBackend): number {
  let at = scratchOf.get(b);
  if (at === undefined) {
    at = (b.wasm._malloc(GEMM_SCRATCH_BYTES + 16) + 15) & ~15;
    scratchOf.set(b, at);
  }
  return at;
}

/**
 * a·b for a [...batch, M, K] and b [...batch, K, N] (float32, untransposed; each batch either the other's or 1, as
 * one leading shape), into a new buffer of the backend, shaped as its own BatchMatMul's result. Undefined when this
 * product is not one we compute (no relaxed SIMD, another dtype, batch shapes that broadcast otherwise, or an empty
 * operand): the caller then uses wasm's own.
 */
export function fmaProduct(backend: Backend, a: TensorInfo, b: TensorInfo): TensorInfo | undefined {
  if (gemmModule === undefined || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [kb, n] = b.shape.slice(-2) as [number, number];
  if (k !== kb || m === 0 || k === 0 || n === 0) return undefined;
  // Leading (batch) dims: the same on both sides, or all 1 on one side, at the same rank; tfjs's other broadcasts
  // (ranks that differ, [3,1]×[1,3]) go to wasm's own product.
  const leadA = a.shape.slice(0, -2);
  const leadB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(leadA);
  const batchB = tf.util.sizeFromShape(leadB);
  if (leadA.length !== leadB.length) return undefined;
  if (!(leadA.every((d, i) => d === leadB[i]) || batchA === 1 || batchB === 1)) return undefined;
  const leading = batchA >= batchB ? leadA : leadB;
  const batch = Math.max(batchA, batchB);
  const internals = backend as unknown as WasmHeapBackend;
  const out = internals.makeOutput([...leading, m, n], 'float32');
  const gemm = onHeap<{ gemm: GemmFn }>(gemmModule, internals).gemm;
  const pa = heapOffset(internals, a);
  const pb = heapOffset(internals, b);
  const pc = heapOffset(internals, out);
  const work = scratch(internals);
  const strideA = batchA === 1 ? 0 : m * k * 4;
  const strideB = batchB === 1 ? 0 : k * n * 4;
  for (let i = 0; i < batch; i++) gemm(pa + i * strideA, pb + i * strideB, pc + i * m * n * 4, m, k, n, work);
  return out;
}
