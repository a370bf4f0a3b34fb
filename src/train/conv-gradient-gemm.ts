// Conv gradients as matrix products, for the layers where the composed convolutions of wasm-kernels.ts waste work.
// Those compute an input gradient as a convolution over dy spread with stride − 1 zeros and padded by kernel − 1
// zeros on each side, so most multiplications hit zeros when the feature map is small or the stride large
// (SENet at 64×64: a 3×3 conv on 4×4 maps, 1×1 convs with stride 2), and a 1×1 filter gradient as a convolution
// with a Ho×Wo "filter" over 32 channels, which XNNPACK runs far below its matmul speed. Each function returns
// undefined when its layer is not one it helps; the caller then uses the convolution.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { ConvInfo, KernelScope } from './kernel-scope.js';

type Shape4 = [number, number, number, number];

const unpadded = (info: ConvInfo): boolean =>
  info.padInfo.top === 0 && info.padInfo.bottom === 0 && info.padInfo.left === 0 && info.padInfo.right === 0;
const undilated = (info: ConvInfo): boolean => info.dilationHeight === 1 && info.dilationWidth === 1;

/** 1×1 filter, no padding: dx at the pixels the conv read is dy·Wᵀ; a strided conv's skipped pixels get 0. */
export function pointwiseInputGrad(s: KernelScope, dy: TensorInfo, filter: TensorInfo, info: ConvInfo, inputShape: Shape4): TensorInfo | undefined {
  if (info.filterHeight !== 1 || info.filterWidth !== 1 || !unpadded(info) || !undilated(info)) return undefined;
  const [n, h, w, cin] = inputShape;
  const [, ho, wo, cout] = dy.shape as Shape4;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const sampled = s.reshape(s.matMul(s.reshape(dy, [n * ho * wo, cout]), s.reshape(filter, [cin, cout]), false, true), [n, ho, wo, cin]);
  const dx = s.spread(sampled, sh, sw); // each sampled pixel followed by the skipped ones
  return s.padOrCrop(dx, { top: 0, left: 0, bottom: h - ho * sh, right: w - wo * sw });
}

/** 1×1 filter, stride 1, no padding: dW = xᵀ·dy over all N·H·W pixels. */
export function pointwiseFilterGrad(s: KernelScope, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo | undefined {
  if (info.filterHeight !== 1 || info.filterWidth !== 1 || info.strideHeight !== 1 || info.strideWidth !== 1 || !unpadded(info) || !undilated(info)) return undefined;
  const [n, h, w, cin] = x.shape as Shape4;
  const cout = (dy.shape as Shape4)[3];
  const dw = s.matMul(s.reshape(x, [n * h * w, cin]), s.reshape(dy, [n * h * w, cout]), true, false);
  return s.reshape(dw, [1, 1, cin, cout]);
}

/** The composed convolution must cost at least this many times the scatter path's multiply-adds to be replaced. */
const MIN_WASTE = 3;
/**
 * On maps of at most this many pixels XNNPACK's convolution runs far below its matmul speed (3×3 input gradients,
 * batch 32: 2×2×512 took 115 ms, 4×4×256 42 ms, 3×3×256→384 55 ms, against 24, 30 and 21 ms through the scatter path;
 * 8×8×128 and 16×16×64 were faster as convolutions), so its multiply-adds count SMALL_MAP_PENALTY times there.
 */
const SMALL_MAP_PIXELS = 16;
const SMALL_MAP_PENALTY = 4;
/** Largest scatter matrix built (elements): beyond it the map is large enough for the convolution anyway. */
const MAX_SCATTER = 1 << 22;

/**
 * S[y·W + x, ((i·Wo + j)·kh + a)·kw + b] = 1 where output pixel (i, j)'s tap (a, b) reads input pixel (y, x) =
 * (i·sh + a − top, j·sw + b − left); taps that read padding have no row.
 */
function scatterMatrix(info: ConvInfo, h: number, w: number, ho: number, wo: number): Float32Array {
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const cols = ho * wo * kh * kw;
  const out = new Float32Array(h * w * cols);
  for (let i = 0; i < ho; i++) {
    for (let j = 0; j < wo; j++) {
      for (let a = 0; a < kh; a++) {
        const y = i * info.strideHeight + a - info.padInfo.top;
        if (y < 0 || y >= h) continue;
        for (let b = 0; b < kw; b++) {
          const x = j * info.strideWidth + b - info.padInfo.left;
          if (x < 0 || x >= w) continue;
          out[(y * w + x) * cols + ((i * wo + j) * kh + a) * kw + b] = 1;
        }
      }
    }
  }
  return out;
}

/**
 * Small maps: dcols = dy·Wᵀ gives every tap's contribution ([N·Ho·Wo, kh·kw·Cin], only the multiplications that
 * count), and one product with the 0/1 scatter matrix adds them into place (col2im), for all images and channels at
 * once ([H·W, Ho·Wo·kh·kw] × [Ho·Wo·kh·kw, N·Cin]). Used where the convolution would cost ≥ MIN_WASTE× the work.
 */
export function scatterInputGrad(s: KernelScope, dy: TensorInfo, filter: TensorInfo, info: ConvInfo, inputShape: Shape4): TensorInfo | undefined {
  if (!undilated(info)) return undefined;
  const [n, h, w, cin] = inputShape;
  const [, ho, wo, cout] = dy.shape as Shape4;
  const taps = info.filterHeight * info.filterWidth;
  const patches = ho * wo * taps;
  const convMacs = h * w * taps * cin * cout * (h * w <= SMALL_MAP_PIXELS ? SMALL_MAP_PENALTY : 1);
  const scatterMacs = ho * wo * taps * cin * cout + h * w * patches * cin;
  if (convMacs < MIN_WASTE * scatterMacs || h * w * patches > MAX_SCATTER) return undefined;
  const dcols = s.matMul(s.reshape(dy, [n * ho * wo, cout]), s.reshape(filter, [taps * cin, cout]), false, true);
  const byPatch = s.reshape(s.transpose(s.reshape(dcols, [n, patches, cin]), [1, 0, 2]), [patches, n * cin]);
  const dx = s.matMul(s.constant(scatterMatrix(info, h, w, ho, wo), [h * w, patches]), byPatch, false, false);
  return s.reshape(s.transpose(s.reshape(dx, [h * w, n, cin]), [1, 0, 2]), [n, h, w, cin]);
}
