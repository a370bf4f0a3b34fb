// Convolutions and both their gradients as matrix products on our FMA kernel (gemm.ts), for the wasm backend:
//   forward      y[P, Cout]  = cols[P, K] · W[K, Cout]
//   filter grad  dW[K, Cout] = colsᵀ · dy[P, Cout]
//   input grad   dcols[P, K] = dy · Wᵀ, then col2im adds each tap back where it was read
// with P = N·Ho·Wo output pixels, K = kh·kw·Cin, and cols the im2col of x (conv-cols.wat). XNNPACK's convolutions
// ran far below its own product rate on SENet's small maps (3×3 input gradients on 8×8×128: 11.6 GFLOP/s; filter
// gradients, computed as convolutions with dy as the filter: ~17), and below our product's in any case. The cost is
// the column matrix, K/Cin times the input: convolutions whose columns would exceed MAX_COLS stay as they were.
import type { TensorInfo } from '@tensorflow/tfjs';
import { fmaGemmAvailable } from './gemm.js';
import type { ConvInfo, KernelScope, Backend } from './kernel-scope.js';
import { compileWat, heapOffset, onHeap, type WasmHeapBackend } from './wat.js';

/** Largest column matrix built (floats; 64 MiB). */
const MAX_COLS = 1 << 24;

type Walk = (from: number, to: number, n: number, h: number, w: number, c: number, ho: number, wo: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number) => void;
const colsModule = compileWat(new URL('./conv-cols.wat', import.meta.url));
const kernels = (b: WasmHeapBackend): { im2col: Walk; col2im: Walk } => onHeap(colsModule, b);

type Shape4 = [number, number, number, number];

/** Geometry of a conv as the column kernels take it, from tfjs's ConvInfo. */
function geometry(info: ConvInfo): [number, number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left];
}

/** P, the rows of the column matrix (output pixels), and K, its columns (taps × input channels). */
const pixelsOf = (info: ConvInfo): number => info.batchSize * info.outHeight * info.outWidth;
const tapsOf = (info: ConvInfo): number => info.filterHeight * info.filterWidth * info.inChannels;

const isPointwise = (info: ConvInfo): boolean =>
  info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
  info.padInfo.top === 0 && info.padInfo.left === 0 && info.padInfo.bottom === 0 && info.padInfo.right === 0;

/** Whether this conv goes through products here: relaxed SIMD available, float32, columns small enough. */
export function convAsProducts(info: ConvInfo, dtype: string): boolean {
  const pixels = pixelsOf(info);
  return fmaGemmAvailable && dtype === 'float32' && pixels > 0 && pixels * tapsOf(info) <= MAX_COLS;
}

/** cols [P, K] of x (x itself, reshaped, for a 1×1 stride-1 unpadded conv). */
function columns(s: KernelScope, backend: Backend, x: TensorInfo, info: ConvInfo): TensorInfo {
  const pixels = pixelsOf(info);
  const taps = tapsOf(info);
  if (isPointwise(info)) return s.reshape(x, [pixels, taps]);
  const b = backend as unknown as WasmHeapBackend;
  const cols = s.track(b.makeOutput([pixels, taps], 'float32'));
  kernels(b).im2col(heapOffset(b, x), heapOffset(b, cols), ...geometry(info));
  return cols;
}

/** y = conv(x, filter) as [N, Ho, Wo, Cout] (check convAsProducts first). */
export function convForward(s: KernelScope, backend: Backend, x: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const taps = tapsOf(info);
  const y = s.matMul(columns(s, backend, x, info), s.reshape(filter, [taps, info.outChannels]), false, false);
  return s.reshape(y, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
}

/** dW [kh, kw, Cin, Cout] = colsᵀ · dy. */
export function convFilterGrad(s: KernelScope, backend: Backend, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const pixels = pixelsOf(info);
  const dw = s.matMul(columns(s, backend, x, info), s.reshape(dy, [pixels, info.outChannels]), true, false);
  return s.reshape(dw, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
}

/** dx [N, H, W, Cin]: dcols = dy · Wᵀ, added back into place by col2im. */
export function convInputGrad(s: KernelScope, backend: Backend, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const pixels = pixelsOf(info);
  const taps = tapsOf(info);
  const dcols = s.matMul(s.reshape(dy, [pixels, info.outChannels]), s.reshape(filter, [taps, info.outChannels]), false, true);
  const shape: Shape4 = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  if (isPointwise(info)) return s.reshape(dcols, shape);
  const b = backend as unknown as WasmHeapBackend;
  const dx = s.track(b.makeOutput(shape, 'float32'));
  kernels(b).col2im(heapOffset(b, dcols), heapOffset(b, dx), ...geometry(info));
  return dx;
}
