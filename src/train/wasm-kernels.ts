// The wasm backend of tfjs 4.22 lacks three gradient kernels (Conv2DBackpropFilter and both depthwise backprops), so
// training any conv net on it throws. We register them from outside, composed of wasm's own kernels (Conv2D,
// DepthwiseConv2dNative, Transpose, PadV2, Slice, Reshape, Reverse, Sum), so they run at wasm speed, not in JS; stride-1
// depthwise convolutions go to our SIMD kernel instead (depthwise-kernels.ts). We also wrap BatchMatMul and
// _FusedMatMul: wasm is fast only for one untransposed product, and every matmul gradient is transposed, so transposes
// are made explicit (batched products stay batched), and large weights go on the left (weight-lhs-product.ts). The
// untransposed products themselves run on our FMA kernel where the engine has relaxed SIMD (gemm.ts), and so do
// convolutions and their gradients, as im2col products (conv-gemm.ts).
import * as tf from '@tensorflow/tfjs';
// Importing the wasm backend registers its kernels, which we compose and wrap below.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { pointwiseFilterGrad, pointwiseInputGrad, scatterInputGrad } from './conv-gradient-gemm.js';
import { convInfoOf, KernelScope, type ConvInfo } from './kernel-scope.js';
import { registerBatchNormGradient } from './batch-norm-gradient.js';
import { registerChannelReductions } from './channel-reductions.js';
import { simdDepthwiseFilterGrad, simdDepthwiseForward, simdDepthwiseInputGrad } from './depthwise-kernels.js';
import { convAsProducts, convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import { fmaGemmAvailable, fmaProduct } from './gemm.js';
import { transposeOnHeap, weightOnLeftPays, weightOnLeftProduct } from './weight-lhs-product.js';

/**
 * dW[kh,kw,ci,co] = Σ_{n,i,j} x[n, i·s + kh − padTop, j·s + kw − padLeft, ci] · dy[n,i,j,co]: a convolution of x seen
 * as [Cin, H, W, N] (batch ↔ channels swapped) with dy seen as a [Ho, Wo, N, Cout] filter, whose dilation is the
 * forward stride. The result is [Cin, kh, kw, Cout] → transposed back to [kh, kw, Cin, Cout].
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = (attrs as unknown as { filterShape: number[] }).filterShape;
  const info = convInfoOf(attrs, x.shape, filterShape, false);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('Conv2DBackpropFilter: dilated convs unsupported');
  const s = new KernelScope(backend);
  const product = pointwiseFilterGrad(s, x, dy, info) ?? (useFma && convAsProducts(info, x.dtype) ? convFilterGrad(s, backend, x, dy, info) : undefined);
  if (product) return s.finish(product);
  const [, h, w] = x.shape as [number, number, number, number];
  const [, ho, wo] = dy.shape as [number, number, number, number];
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Pad so that the output of the dilated 'valid' conv is exactly kh×kw (negative = rows the forward conv skipped).
  const padded = s.padOrCrop(s.transpose(x, [3, 1, 2, 0]), {
    top,
    left,
    bottom: kh - h - top + (ho - 1) * sh,
    right: kw - w - left + (wo - 1) * sw,
  });
  const filter = s.transpose(dy, [1, 2, 0, 3]);
  const conv = s.run('Conv2D', { x: padded, filter }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw], dimRoundingMode: undefined as unknown as string,
  });
  return s.finish(s.transpose(conv, [1, 2, 0, 3]));
};

/**
 * dW[kh,kw,c,m] = Σ_{n,i,j} x[n, i·s+kh−pt, j·s+kw−pl, c] · dy[n,i,j,c·M+m]. Channels must not mix, so x becomes one
 * image with C·N channels ([1,H,W,C·N]) and dy a depthwise filter [Ho,Wo,C·N,M]; the depthwise conv (dilation = stride)
 * gives [1,kh,kw,C·N·M], and summing over n leaves [kh,kw,C,M].
 */
const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = (attrs as unknown as { filterShape: number[] }).filterShape;
  const info = convInfoOf(attrs, x.shape, filterShape, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('DepthwiseConv2dNativeBackpropFilter: dilated convs unsupported');
  const s = new KernelScope(backend);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [, ho, wo] = dy.shape as [number, number, number, number];
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const m = filterShape[3] ?? 1;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xi = s.reshape(s.transpose(x, [1, 2, 3, 0]), [1, h, w, c * n]);
  const padded = s.padOrCrop(xi, {
    top, left, bottom: kh - h - top + (ho - 1) * sh, right: kw - w - left + (wo - 1) * sw,
  });
  // dy [N,Ho,Wo,C·M] → [Ho,Wo,C,N,M] → [Ho,Wo,C·N,M]
  const f = s.reshape(s.transpose(s.reshape(dy, [n, ho, wo, c, m]), [1, 2, 3, 0, 4]), [ho, wo, c * n, m]);
  const conv = s.run('DepthwiseConv2dNative', { x: padded, filter: f }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw], dimRoundingMode: undefined as unknown as string,
  });
  const summed = s.run('Sum', { x: s.reshape(conv, [kh, kw, c, n, m]) }, { axis: [3], keepDims: false });
  return s.finish(summed);
};

/**
 * Input gradients are full correlations of the zero-inserted dy (stride − 1 zeros between rows and columns) with the
 * spatially reversed filter. This spreads and pads dy so that a stride-1 'valid' conv yields exactly H×W.
 */
function spreadForInputGrad(s: KernelScope, dy: TensorInfo, info: ConvInfo, h: number, w: number): TensorInfo {
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const up = s.spread(dy, info.strideHeight, info.strideWidth);
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  // Output rows = up rows + top + bottom − kh + 1 must equal h (negative bottom crops the trailing zeros).
  return s.padOrCrop(up, { top, left, bottom: h - up.shape[1]! - top + kh - 1, right: w - up.shape[2]! - left + kw - 1 });
}

/** dx = Σ over the M outputs of each channel: depthwise conv of spread dy with the reversed filter (multiplier 1). */
const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = (attrs as unknown as { inputShape: number[] }).inputShape;
  const info = convInfoOf(attrs, inputShape, filter.shape, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('DepthwiseConv2dNativeBackpropInput: dilated convs unsupported');
  const s = new KernelScope(backend);
  const [n, h, w, c] = inputShape as [number, number, number, number];
  const [kh, kw, , m] = filter.shape as [number, number, number, number];
  const padded = spreadForInputGrad(s, dy, info, h, w);
  const rev = s.reshape(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, c * m, 1]);
  const conv = s.run('DepthwiseConv2dNative', { x: padded, filter: rev }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined as unknown as string,
  });
  const summed = s.run('Sum', { x: s.reshape(conv, [n, h, w, c, m]) }, { axis: [4], keepDims: false });
  return s.finish(summed);
};

/**
 * Replaces wasm's own Conv2DBackpropInput (a plain loop: 1.5 s per AlexNet step at 64×64 batch 16) with an XNNPACK
 * Conv2D of the spread dy and the filter reversed in space with in/out channels swapped ([kh,kw,Cout,Cin]).
 */
const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = (attrs as unknown as { inputShape: number[] }).inputShape;
  const info = convInfoOf(attrs, inputShape, filter.shape, false);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('Conv2DBackpropInput: dilated convs unsupported');
  const s = new KernelScope(backend);
  const shape = inputShape as [number, number, number, number];
  const product = pointwiseInputGrad(s, dy, filter, info, shape) ??
    (useFma && convAsProducts(info, dy.dtype) ? convInputGrad(s, backend, dy, filter, info) : scatterInputGrad(s, dy, filter, info, shape));
  if (product) return s.finish(product);
  const [, h, w] = shape;
  const padded = spreadForInputGrad(s, dy, info, h, w);
  const f = s.transpose(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
  const conv = s.run('Conv2D', { x: padded, filter: f }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined as unknown as string,
  });
  return s.finish(conv);
};

let originalBatchMatMul: KernelFunc | undefined;

const sizeOf = tf.util.sizeFromShape;

/**
 * What packing one element of a product's right-hand matrix costs (XNNPACK's transposing packer, ~17 ns measured)
 * against transposing one (heap-transpose.wat, ~3.7 ns), on 2-core machines.
 */
const PACK_COST = 4.5;

/** Whether plain products go to our FMA product (gemm.ts) where it runs; registerWasmKernels' `fmaGemm`. */
let useFma = false;

/** What computes wasm's matrix products in this process (recorded with a run: the two round differently). */
export function wasmProductKernel(): 'relaxed-simd-fma' | 'xnnpack' {
  return useFma && fmaGemmAvailable ? 'relaxed-simd-fma' : 'xnnpack';
}

/** One untransposed product: ours with fused multiply-adds where it can, else wasm's own (XNNPACK). */
function untransposed(backend: Parameters<KernelFunc>[0]['backend'], x: TensorInfo, y: TensorInfo): TensorInfo {
  return (useFma ? fmaProduct(backend, x, y) : undefined) ?? (originalBatchMatMul!({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo);
}

/** An untransposed product whose result is freed with the scope. */
function plainProduct(s: KernelScope, backend: Parameters<KernelFunc>[0]['backend']): (x: TensorInfo, y: TensorInfo) => TensorInfo {
  return (x, y) => s.track(untransposed(backend, x, y));
}

/**
 * wasm's BatchMatMul is fast only for plain products (measured on 2 cores: Aᵀ·B for [16,9216]ᵀ×[16,4096] took 5.1 s
 * against 0.3 s with an explicit transpose). Each transposed product is rewritten into a plain one, choosing whichever
 * identity costs less (elements transposed, and for single products elements packed): A·Bᵀ = transpose B, or
 * (B·Aᵀ)ᵀ = transpose A and the result; Aᵀ·B likewise; Aᵀ·Bᵀ = (B·A)ᵀ. Batched products are left batched (splitting
 * them was 30× slower for attention-sized ones). A plain product with a large weight on the right runs with the
 * weight on the left (weight-lhs-product.ts).
 */
const batchMatMulFast: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB && !weightOnLeftPays(a, b)) return untransposed(backend, a, b);
  const s = new KernelScope(backend);
  const swapLast = (t: TensorInfo): TensorInfo => {
    const r = t.shape.length;
    // one matrix: the SIMD transpose (wasm's Transpose is a generic loop, ~4× slower on [136,3072])
    if (t.dtype === 'float32' && sizeOf(t.shape.slice(0, -2)) === 1) return s.reshape(s.track(transposeOnHeap(backend, t)), [...t.shape.slice(0, -2), t.shape[r - 1]!, t.shape[r - 2]!]);
    const perm = [...Array(r).keys()];
    perm[r - 2] = r - 1;
    perm[r - 1] = r - 2;
    return s.transpose(t, perm);
  };
  const plain = plainProduct(s, backend);
  if (!transposeA && !transposeB) return s.finish(weightOnLeftProduct(s, backend, a, b, plain));
  const m = transposeA ? a.shape[a.shape.length - 1]! : a.shape[a.shape.length - 2]!;
  const n = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
  const batch = Math.max(sizeOf(a.shape.slice(0, -2)), sizeOf(b.shape.slice(0, -2)));
  const outSize = batch * m * n;
  const sa = sizeOf(a.shape);
  const sb = sizeOf(b.shape);
  // Each transposed product has two plain forms; the first keeps A on the left. Batched products (a plain loop in
  // wasm, nothing packed) take the form that transposes fewer elements; single ones also count what XNNPACK packs:
  // the right-hand operand of `plain`, at PACK_COST the price of a transposed element.
  const both = transposeA && transposeB;
  const [moved1, packed1, moved2, packed2] = both ? [sa + sb, sb, outSize, sa] : transposeB ? [sb, sb, sa + outSize, sa] : [sa, sb, sb + outSize, sa];
  // our FMA product packs by copying, cheaper than a transpose: counted as free
  const pack = batch === 1 && wasmProductKernel() === 'xnnpack' ? PACK_COST : 0;
  const first = moved1 + pack * packed1 <= moved2 + pack * packed2;
  let out: TensorInfo;
  if (both) out = first ? plain(swapLast(a), swapLast(b)) : swapLast(plain(b, a));
  else if (transposeB) out = first ? plain(a, swapLast(b)) : swapLast(plain(b, swapLast(a)));
  else out = first ? plain(swapLast(a), b) : swapLast(plain(swapLast(b), a));
  return s.finish(out);
};

let originalFusedMatMul: KernelFunc | undefined;

/** The epilogues of _FusedMatMul and FusedConv2D that we compute after our own products: none, or linear or relu. */
const biasAndActivationApply = (activation: string | undefined): boolean => activation === undefined || activation === 'linear' || activation === 'relu';

/** out + bias, then relu if asked: the epilogue of a fused kernel (check biasAndActivationApply first). */
function biasAndActivation(s: KernelScope, out: TensorInfo, bias: TensorInfo | undefined, activation: string | undefined): TensorInfo {
  const biased = bias != null ? s.run('Add', { a: out, b: bias }) : out;
  return activation === 'relu' ? s.run('Relu', { x: biased }) : biased;
}

/**
 * tf.layers.dense runs _FusedMatMul (product, bias, activation in one XNNPACK call), which packs its weight like
 * BatchMatMul does. Where the weight is large we compute the product with the weight on the left
 * (weight-lhs-product.ts), elsewhere with our FMA product (gemm.ts) where it runs, then add the bias and apply the
 * activation; anything else goes to the original kernel.
 */
const fusedMatMulFast: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation } = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: string };
  if (transposeA || transposeB || preluActivationWeights != null || !biasAndActivationApply(activation)) return originalFusedMatMul!(args);
  const s = new KernelScope(backend);
  let out: TensorInfo;
  if (weightOnLeftPays(a, b)) out = weightOnLeftProduct(s, backend, a, b, plainProduct(s, backend));
  else {
    const fma = useFma ? fmaProduct(backend, a, b) : undefined;
    if (fma === undefined) return originalFusedMatMul!(args);
    out = s.track(fma);
  }
  return s.finish(biasAndActivation(s, out, bias, activation));
};

/**
 * Conv2D and FusedConv2D (NHWC, bias, linear or relu) as im2col and our FMA product (conv-gemm.ts); anything else to
 * wasm's own (XNNPACK). Registered only where the FMA product runs.
 */
function convForwardFast(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const { dataFormat, activation } = attrs as unknown as { dataFormat?: string; activation?: string };
    if ((dataFormat !== undefined && dataFormat !== 'NHWC') || preluActivationWeights != null || !biasAndActivationApply(activation)) return original(args);
    const info = convInfoOf(attrs, x.shape, filter.shape, false);
    if (!convAsProducts(info, x.dtype)) return original(args);
    const s = new KernelScope(backend);
    return s.finish(biasAndActivation(s, convForward(s, backend, x, filter, info), bias, activation));
  };
}

/**
 * Identity (tf.clone, and the clones the tape and customGrad keep of saved tensors) shares the buffer, as tfjs's cpu
 * backend does, instead of copying it as wasm's does: tensors are immutable, and nothing of ours writes into a buffer
 * once made (the optimizer writes only into a fresh tensor). ConvNeXtV2_2D spent ~0.15 of a 2 s step on these copies.
 */
const sharedIdentity: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Replaces wasm's kernel `name` with `wrap(original)`, if wasm has it; returns the original. */
function wrapKernel(name: string, wrap: (original: KernelFunc) => KernelFunc): KernelFunc | undefined {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) return undefined;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...config, kernelFunc: wrap(config.kernelFunc) });
  return config.kernelFunc;
}

let registered = false;

/**
 * Registers the missing wasm gradient kernels, the faster Conv2DBackpropInput, BatchMatMul and _FusedMatMul, stride-1
 * depthwise convolutions, a buffer-sharing Identity, a batch-norm gradient without Tile, and pooled Sum/Mean over
 * leading axes (channel-reductions.ts). Idempotent; call before training on wasm.
 */
export function registerWasmKernels(options: { fastBatchMatMul?: boolean; fastConvInput?: boolean; fastReductions?: boolean; fastDepthwise?: boolean; sharedIdentity?: boolean; fmaGemm?: boolean } = {}): void {
  if (registered) return;
  registered = true;
  useFma = options.fmaGemm !== false;
  registerBatchNormGradient(); // tfjs's tiles a factor to the input's shape, and wasm's Tile is slow
  if (options.sharedIdentity !== false) wrapKernel('Identity', () => sharedIdentity);
  if (options.fastReductions !== false) registerChannelReductions(); // wasm transposes before reducing leading axes
  // stride-1 depthwise convolutions (ConvNeXt's 7×7) through our SIMD kernels, the rest as composed above
  const simd = options.fastDepthwise !== false;
  const configs: KernelConfig[] = [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: simd ? simdDepthwiseFilterGrad(depthwiseBackpropFilter) : depthwiseBackpropFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: simd ? simdDepthwiseInputGrad(depthwiseBackpropInput) : depthwiseBackpropInput },
  ];
  for (const c of configs) if (tf.getKernel(c.kernelName, 'wasm') === undefined) tf.registerKernel(c);
  if (simd) wrapKernel('DepthwiseConv2dNative', simdDepthwiseForward);
  if (options.fastConvInput !== false) wrapKernel('Conv2DBackpropInput', () => conv2DBackpropInput);
  if (useFma && fmaGemmAvailable) {
    wrapKernel('Conv2D', convForwardFast);
    wrapKernel('FusedConv2D', convForwardFast);
  }
  if (options.fastBatchMatMul !== false) {
    originalBatchMatMul = wrapKernel('BatchMatMul', () => batchMatMulFast);
    if (originalBatchMatMul !== undefined) originalFusedMatMul = wrapKernel('_FusedMatMul', () => fusedMatMulFast);
  }
}
