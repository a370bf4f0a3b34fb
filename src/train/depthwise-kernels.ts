// Depthwise convolutions of stride 1 (ConvNeXt's 7×7), forward and both gradients, through depthwise.wat on tfjs's
// wasm heap. tfjs's wasm backend runs them through XNNPACK, whose depthwise micro-kernels cover a few filter sizes
// only: the 7×7 on [16,16,16,96] took ~56 ms a call (0.35 GMAC/s), forward, input gradient and filter gradient alike
// (profiled ConvNeXtV2_2D step at 64×64, pieces of 16: 2.0 of 5.2 s). Anything else (strides, dilations, channel
// multipliers, channels not a multiple of 4) is left to the kernels these wrap.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { convInfoOf } from './kernel-scope.js';
import { compileWat, heapOffset, onHeap, type WasmHeapBackend } from './wat.js';

interface DepthwiseExports {
  forward(x: number, w: number, y: number, n: number, h: number, wd: number, c: number, kh: number, kw: number, padT: number, padL: number, oh: number, ow: number, flip: number): void;
  filterGrad(x: number, dy: number, dw: number, n: number, h: number, wd: number, c: number, kh: number, kw: number, padT: number, padL: number, oh: number, ow: number): void;
}

const compiled = compileWat(new URL('./depthwise.wat', import.meta.url));
type Geometry = ReturnType<typeof convInfoOf>;

/** The geometry when these kernels apply: stride 1, no dilation, multiplier 1, float32, channels a multiple of 4. */
function supported(attrs: unknown, xShape: number[], filterShape: number[], dtypes: string[]): Geometry | undefined {
  if (dtypes.some((d) => d !== 'float32')) return undefined;
  if (filterShape[3] !== 1 || xShape[3]! % 4 !== 0) return undefined;
  const info = convInfoOf(attrs as Parameters<typeof convInfoOf>[0], xShape, filterShape, true);
  const unit = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
  return unit ? info : undefined;
}

/** Wraps DepthwiseConv2dNative: y = x ⊛ w. */
export function simdDepthwiseForward(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const info = supported(args.attrs, x.shape, filter.shape, [x.dtype, filter.dtype]);
    if (!info) return fallback(args);
    const b = args.backend as unknown as WasmHeapBackend;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const y = b.makeOutput([n, info.outHeight, info.outWidth, c], 'float32');
    onHeap<DepthwiseExports>(compiled, b).forward(heapOffset(b, x), heapOffset(b, filter), heapOffset(b, y), n, h, w, c, info.filterHeight, info.filterWidth, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth, 0);
    return y;
  };
}

/** Wraps DepthwiseConv2dNativeBackpropInput: dx = dy correlated with the flipped filter (stride 1). */
export function simdDepthwiseInputGrad(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const inputShape = (args.attrs as unknown as { inputShape: number[] }).inputShape;
    const info = supported(args.attrs, inputShape, filter.shape, [dy.dtype, filter.dtype]);
    if (!info) return fallback(args);
    const b = args.backend as unknown as WasmHeapBackend;
    const [n, h, w, c] = inputShape as [number, number, number, number];
    const kh = info.filterHeight;
    const kw = info.filterWidth;
    const dx = b.makeOutput([n, h, w, c], 'float32');
    onHeap<DepthwiseExports>(compiled, b).forward(heapOffset(b, dy), heapOffset(b, filter), heapOffset(b, dx), n, info.outHeight, info.outWidth, c, kh, kw, kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left, h, w, 1);
    return dx;
  };
}

/** Wraps DepthwiseConv2dNativeBackpropFilter: dw[p,q,c] = Σ x·dy over the batch and the map. */
export function simdDepthwiseFilterGrad(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const filterShape = (args.attrs as unknown as { filterShape: number[] }).filterShape;
    const info = supported(args.attrs, x.shape, filterShape, [x.dtype, dy.dtype]);
    if (!info) return fallback(args);
    const b = args.backend as unknown as WasmHeapBackend;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const dw = b.makeOutput(filterShape, 'float32');
    onHeap<DepthwiseExports>(compiled, b).filterGrad(heapOffset(b, x), heapOffset(b, dy), heapOffset(b, dw), n, h, w, c, info.filterHeight, info.filterWidth, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth);
    return dw;
  };
}

