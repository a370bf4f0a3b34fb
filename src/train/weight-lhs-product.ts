// Products whose right-hand matrix is a large weight, computed with the weight on the left. Why: tfjs's wasm matmul
// hands its right-hand matrix to XNNPACK as "weights" to pack, through XNNPACK's transposing packer, the first time it
// sees that buffer; the left-hand matrix is read where it lies. Adam gives every weight a new buffer each step, so
// every dense layer's weight is packed again every step, and that packer is slow: AlexNet2D's fc1 (9216×4096) took
// ~1,000 ms for x·W with a new W against ~200 ms with W already packed, while (Wᵀ·xᵀ)ᵀ took ~115 ms plus a ~280 ms
// cache-tiled transpose of W in JS (measured side by side, 2 cores; heap-transpose.wat, the SIMD transpose used now,
// is faster still). So for x·W with W much larger than x and the
// result, we make Wᵀ once per weight buffer (kept until that buffer is freed, for buffers of trainable variables;
// other operands are transposed for the one product), and compute (Wᵀ·xᵀ)ᵀ: two small transposes and a product
// whose packed operand is xᵀ. The same sums in another order: results equal x·W up to float rounding.
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { Backend, KernelScope } from './kernel-scope.js';
import { compileWat, heapOffset, onHeap, type WasmHeapBackend } from './wat.js';

/** The right-hand matrix must hold this many times the elements of the left-hand one and the result together. */
const WEIGHT_RATIO = 2;
/** Below this many elements packing costs little either way. */
const MIN_WEIGHT = 65536;
/** Transposed copies of weight buffers, by the buffer's dataId; one map per backend instance. */
const caches = new WeakMap<object, Map<object, TensorInfo>>();

/**
 * The backend's cache, created on first use with a hook on its disposeData: when a cached weight buffer is really
 * freed (its last reference dropped), its transposed copy is freed with it, so a copy never outlives its weight.
 */
function cacheOf(backend: WasmHeapBackend): Map<object, TensorInfo> {
  const known = caches.get(backend);
  if (known) return known;
  const made = new Map<object, TensorInfo>();
  caches.set(backend, made);
  const original = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: object, force?: boolean): boolean => {
    const freed = original(dataId, force);
    const copy = made.get(dataId);
    if (copy !== undefined && !backend.dataIdMap.has(dataId)) {
      made.delete(dataId);
      original(copy.dataId, true);
    }
    return freed;
  };
  return made;
}

/** Whether `dataId` is the buffer of a registered variable (a weight: reused until the optimizer replaces it). */
function isVariableBuffer(dataId: object): boolean {
  const vars = (tf.engine().state as unknown as { registeredVariables: Record<string, tf.Variable> }).registeredVariables;
  for (const name in vars) if (vars[name]!.dataId === dataId) return true;
  return false;
}

const transposeModule = compileWat(new URL('./heap-transpose.wat', import.meta.url));
type TransposeFn = (src: number, dst: number, rows: number, cols: number) => void;

/** [..., rows, cols] (leading dims 1) → [cols, rows] into a new backend buffer (wasm's Transpose is a generic loop). */
export function transposeOnHeap(backend: Backend, m: TensorInfo): TensorInfo {
  const b = backend as unknown as WasmHeapBackend;
  const [rows, cols] = m.shape.slice(-2) as [number, number];
  const out = b.makeOutput([cols, rows], 'float32');
  onHeap<{ transpose: TransposeFn }>(transposeModule, b).transpose(heapOffset(b, m), heapOffset(b, out), rows, cols);
  return out;
}

/** Whether a·b (a [...,M,K], b [...,K,N], float32, leading dims all 1) should be computed as (bᵀ·aᵀ)ᵀ. */
export function weightOnLeftPays(a: TensorInfo, b: TensorInfo): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return false;
  if (tf.util.sizeFromShape(a.shape.slice(0, -2)) !== 1 || tf.util.sizeFromShape(b.shape.slice(0, -2)) !== 1) return false;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const weight = k * n;
  return m > 0 && weight >= MIN_WEIGHT && weight >= WEIGHT_RATIO * (m * k + m * n);
}

/**
 * a·b as (bᵀ·aᵀ)ᵀ for a [...,M,K], b [...,K,N] (check weightOnLeftPays first), shaped as the backend's own product.
 * `plain` is the backend's untransposed product (XNNPACK's fully connected operator, which packs its right-hand
 * operand: here the small aᵀ).
 */
export function weightOnLeftProduct(s: KernelScope, backend: Backend, a: TensorInfo, b: TensorInfo, plain: (x: TensorInfo, y: TensorInfo) => TensorInfo): TensorInfo {
  const internals = backend as unknown as WasmHeapBackend;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  // The copy is of one view of the buffer: a reshape shares the dataId, so a [K,N] weight seen as another 2-D shape
  // of the same size gets a transpose of its own for this product (found in review: a wrong product otherwise).
  const cache = isVariableBuffer(b.dataId) ? cacheOf(internals) : undefined;
  const hit = cache?.get(b.dataId);
  let bt: TensorInfo;
  if (hit !== undefined && hit.shape[0] === n && hit.shape[1] === k) bt = hit;
  else if (cache !== undefined && hit === undefined) {
    bt = transposeOnHeap(backend, b);
    cache.set(b.dataId, bt);
  } else bt = s.track(transposeOnHeap(backend, b));
  const at = s.track(transposeOnHeap(backend, a));
  const nm = plain(s.reshape(bt, [1, n, k]), s.reshape(at, [1, k, m])); // [1, N, M]
  const leading = Array<number>(Math.max(a.shape.length, b.shape.length) - 2).fill(1);
  return s.reshape(s.track(transposeOnHeap(backend, nm)), [...leading, m, n]);
}

/** How many transposed weight copies the backend holds now (tests: a copy must go with its weight). */
export function cachedWeightCopies(backend: Backend): number {
  return caches.get(backend as unknown as object)?.size ?? 0;
}
