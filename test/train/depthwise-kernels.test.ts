// Stride-1 depthwise convolutions through depthwise.wat (src/train/depthwise-kernels.ts): forward, input gradient and
// filter gradient against tfjs's cpu kernels, for the paddings tfjs allows ('same', 'valid', explicit and uneven),
// filter sizes 1–7 and maps smaller than the filter; and which cases the kernels take and which they hand back.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { simdDepthwiseFilterGrad, simdDepthwiseForward, simdDepthwiseInputGrad } from '../../src/train/depthwise-kernels.js';
import { maxRelErr, onCpuThenWasm, onWasmWithOurKernels } from './compare.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const rand = (shape: number[], seed: number): tf.Tensor => tf.randomUniform(shape, -1, 1, 'float32', seed);

async function on<T>(backend: string, f: () => T): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  return f();
}

/** y, dL/dx, dL/dw of L = Σ (dwconv(x, w) · r) for a fixed random r, as arrays. */
function outputs(xs: number[], k: number, pad: Pad): Float32Array[] {
  return tf.tidy(() => {
    const x = rand(xs, 1) as tf.Tensor4D;
    const w = rand([k, k, xs[3]!, 1], 2) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(x, w, 1, pad);
    const r = rand(y.shape, 3);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad).mul(r).sum())([x, w]);
    return [y, dx!, dw!].map((t) => (t.dataSync() as Float32Array).slice());
  });
}

onWasmWithOurKernels();

describe('SIMD depthwise convolution (stride 1) against cpu', () => {
  const cases: Array<{ xs: number[]; k: number; pad: Pad }> = [
    { xs: [2, 16, 16, 96], k: 7, pad: 'same' }, // ConvNeXt's
    { xs: [3, 9, 11, 8], k: 3, pad: 'same' },
    { xs: [2, 9, 11, 8], k: 5, pad: 'valid' },
    { xs: [1, 4, 4, 4], k: 7, pad: 'same' }, // map smaller than the filter: most taps in the padding
    { xs: [2, 7, 6, 12], k: 3, pad: [[0, 0], [2, 0], [0, 3], [0, 0]] }, // uneven explicit padding
    { xs: [2, 5, 5, 4], k: 1, pad: 'valid' },
    { xs: [1, 8, 8, 4], k: 4, pad: 'same' }, // even filter: tfjs pads more at the bottom and right
  ];
  for (const { xs, k, pad } of cases) {
    it(`x ${JSON.stringify(xs)} kernel ${k} pad ${JSON.stringify(pad)}: output and both gradients`, async () => {
      const { cpu, wasm } = await onCpuThenWasm(() => outputs(xs, k, pad));
      ['y', 'dx', 'dw'].forEach((name, i) => {
        expect(wasm[i]!.length, name).toBe(cpu[i]!.length);
        expect(maxRelErr(wasm[i]!, cpu[i]!), name).toBeLessThan(1e-5);
      });
    });
  }

  it('takes stride 1, multiplier 1, channels in fours; hands back everything else', async () => {
    await on('wasm', () => {
      const backend = tf.backend();
      const refuse: KernelFunc = () => {
        throw new Error('fallback');
      };
      const fwd = simdDepthwiseForward(refuse);
      const dIn = simdDepthwiseInputGrad(refuse);
      const dW = simdDepthwiseFilterGrad(refuse);
      const call = (f: KernelFunc, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): 'ours' | 'fallback' => {
        try {
          const out = f({ inputs, backend, attrs } as unknown as Parameters<KernelFunc>[0]) as tf.TensorInfo;
          backend.disposeData(out.dataId);
          return 'ours';
        } catch (e) {
          if ((e as Error).message === 'fallback') return 'fallback';
          throw e;
        }
      };
      const x = rand([1, 8, 8, 8], 4);
      const x3 = rand([1, 8, 8, 3], 5);
      const w = rand([3, 3, 8, 1], 6);
      const w3 = rand([3, 3, 3, 1], 7);
      const w2 = rand([3, 3, 8, 2], 8);
      const dy = rand([1, 8, 8, 8], 9);
      const base = { strides: 1, pad: 'same', dilations: 1 };
      expect(call(fwd, { x, filter: w }, base)).toBe('ours');
      expect(call(dIn, { dy, filter: w }, { ...base, inputShape: [1, 8, 8, 8] })).toBe('ours');
      expect(call(dW, { x, dy }, { ...base, filterShape: [3, 3, 8, 1] })).toBe('ours');
      expect(call(fwd, { x, filter: w }, { ...base, strides: 2 })).toBe('fallback');
      expect(call(fwd, { x, filter: w }, { ...base, dilations: 2 })).toBe('fallback');
      expect(call(fwd, { x: x3, filter: w3 }, base)).toBe('fallback'); // 3 channels
      expect(call(fwd, { x, filter: w2 }, base)).toBe('fallback'); // multiplier 2
      expect(call(dW, { x, dy: rand([1, 4, 4, 8], 10) }, { ...base, strides: 2, filterShape: [3, 3, 8, 1] })).toBe('fallback');
      tf.dispose([x, x3, w, w3, w2, dy]);
    });
  });
});
