// Our wasm kernels against tfjs's own cpu kernels (an independent implementation), as one suite run twice: with
// products and convolutions on our FMA kernels (wasm-kernels.test.ts) and on wasm's own XNNPACK, the fallback where
// relaxed SIMD is missing (wasm-kernels-xnnpack.test.ts). Each test file runs in a process of its own, as
// registerWasmKernels registers once per process.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pointwiseFilterGrad, pointwiseInputGrad, scatterInputGrad } from '../../src/train/conv-gradient-gemm.js';
import { convInfoOf, KernelScope } from '../../src/train/kernel-scope.js';
import { registerWasmKernels, wasmProductKernel } from '../../src/train/wasm-kernels.js';
import { maxRelErr } from './compare.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  expect(await tf.setBackend(name)).toBe(true);
  expect(tf.getBackend()).toBe(name);
  return f();
}

async function compare(grads: () => tf.Tensor[]): Promise<number> {
  const cpu = await onBackend('cpu', () => grads().map((t) => t.dataSync().slice()));
  const wasm = await onBackend('wasm', () => grads().map((t) => t.dataSync().slice()));
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    expect(wasm[i]!.length).toBe(cpu[i]!.length);
    worst = Math.max(worst, maxRelErr(wasm[i]!, cpu[i]!));
  }
  return worst;
}

export function wasmKernelSuite(options: { fmaGemm: boolean }): void {
  beforeAll(async () => {
    tf.env().set('PROD', true); // silences the 'install tfjs-node' banner
    registerWasmKernels({ fmaGemm: options.fmaGemm });
    expect(wasmProductKernel()).toBe(options.fmaGemm ? 'relaxed-simd-fma' : 'xnnpack');
    // Without our registration these three don't exist on wasm (the reason this file exists).
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  const cases: Array<{ k: number; s: number; pad: Pad }> = [
    { k: 3, s: 1, pad: 'same' },
    { k: 3, s: 2, pad: 'valid' },
    { k: 5, s: 2, pad: 'same' },
    { k: 7, s: 4, pad: 'same' },
    { k: 11, s: 4, pad: [[0, 0], [2, 2], [2, 2], [0, 0]] },
    { k: 5, s: 1, pad: [[0, 0], [1, 3], [2, 0], [0, 0]] },
    { k: 3, s: 4, pad: 'valid' },
    { k: 7, s: 1, pad: 'valid' },
  ];

  describe('wasm Conv2D gradients match cpu', () => {
    for (const { k, s, pad } of cases) {
      it(`kernel ${k} stride ${s} pad ${JSON.stringify(pad)}`, async () => {
        const err = await compare(() => {
          const x = rand([2, 19, 17, 3], 1);
          const w = rand([k, k, 3, 4], 2);
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).square().sum());
          return g([x, w]);
        });
        expect(err).toBeLessThan(1e-4);
      });
    }
  });

  // Layers the matrix-product paths of conv-gradient-gemm.ts take (each case first checks that its path is taken, so
  // the comparison with cpu is not a comparison of the convolution path with itself). In the FMA run the kernels take
  // conv-gemm.ts's products for all but the pointwise cases; the comparison with cpu then checks those.
  type Path = 'pointwise input' | 'pointwise filter' | 'scatter input';
  const productCases: Array<{ x: [number, number, number, number]; k: number; cout: number; s: number; pad: Pad; paths: Path[] }> = [
    { x: [2, 6, 5, 24], k: 1, cout: 40, s: 1, pad: 'valid', paths: ['pointwise input', 'pointwise filter'] },
    { x: [2, 6, 5, 24], k: 1, cout: 40, s: 2, pad: 'valid', paths: ['pointwise input'] }, // odd width: the last column is cropped
    { x: [2, 8, 8, 16], k: 1, cout: 8, s: 2, pad: 'same', paths: ['pointwise input'] },
    { x: [2, 4, 4, 64], k: 3, cout: 64, s: 1, pad: 'valid', paths: ['scatter input'] },
    { x: [2, 6, 6, 64], k: 3, cout: 128, s: 2, pad: 'same', paths: ['scatter input'] },
    { x: [2, 4, 5, 64], k: 3, cout: 128, s: 2, pad: [[0, 0], [1, 0], [0, 1], [0, 0]], paths: ['scatter input'] },
    { x: [2, 4, 4, 64], k: 3, cout: 64, s: 1, pad: 'same', paths: ['scatter input'] }, // small map: the conv is slow there
    { x: [2, 3, 3, 32], k: 3, cout: 48, s: 1, pad: 'same', paths: ['scatter input'] },
  ];

  function takesPath(path: Path, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, s: number, pad: Pad): boolean {
    const info = convInfoOf({ strides: s, pad, dilations: 1 }, x.shape, w.shape, false);
    const scope = new KernelScope(tf.backend());
    const out = path === 'pointwise input' ? pointwiseInputGrad(scope, dy, w, info, x.shape)
      : path === 'pointwise filter' ? pointwiseFilterGrad(scope, x, dy, info)
      : scatterInputGrad(scope, dy, w, info, x.shape);
    if (out === undefined) return false;
    tf.backend().disposeData(scope.finish(out).dataId);
    return true;
  }

  describe('wasm Conv2D gradients as matrix products match cpu', () => {
    for (const { x: xs, k, cout, s, pad, paths } of productCases) {
      it(`${paths.join(' + ')}: x ${JSON.stringify(xs)} kernel ${k} → ${cout} stride ${s} pad ${JSON.stringify(pad)}`, async () => {
        await onBackend('wasm', () => {
          const x = rand(xs, 21) as tf.Tensor4D;
          const w = rand([k, k, xs[3], cout], 22) as tf.Tensor4D;
          const dy = tf.conv2d(x, w, s, pad);
          for (const path of paths) expect(takesPath(path, x, w, dy, s, pad), path).toBe(true);
          tf.dispose([x, w, dy]);
        });
        const err = await compare(() => {
          const x = rand(xs, 21);
          const w = rand([k, k, xs[3], cout], 22);
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).square().sum());
          return g([x, w]);
        });
        expect(err).toBeLessThan(1e-4);
      });
    }

    it('frees every intermediate: repeated gradients leave no buffer behind on the backend', async () => {
      await onBackend('wasm', () => {
        const backend = tf.backend() as unknown as { numDataIds(): number };
        for (const { x: xs, k, cout, s, pad } of [productCases[0]!, productCases[1]!, productCases[3]!, { x: [2, 9, 9, 4] as const, k: 3, cout: 4, s: 2, pad: 'same' as Pad }]) {
          const x = rand([...xs], 25);
          const w = rand([k, k, xs[3], cout], 26);
          const step = (): void => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).square().sum())([x, w]));
          step(); // first call: anything created once
          const before = backend.numDataIds();
          for (let i = 0; i < 3; i++) step();
          expect(backend.numDataIds(), `x ${JSON.stringify(xs)} kernel ${k} stride ${s}`).toBe(before);
          tf.dispose([x, w]);
        }
      });
    });

    it('large maps keep the convolution (the scatter path would not pay)', async () => {
      await onBackend('wasm', () => {
        const x = rand([2, 18, 18, 64], 23) as tf.Tensor4D;
        const w = rand([3, 3, 64, 64], 24) as tf.Tensor4D;
        const dy = tf.conv2d(x, w, 1, 'valid');
        expect(takesPath('scatter input', x, w, dy, 1, 'valid')).toBe(false);
        expect(takesPath('pointwise input', x, w, dy, 1, 'valid')).toBe(false);
        tf.dispose([x, w, dy]);
      });
    });
  });

  describe('wasm depthwise gradients match cpu', () => {
    for (const { k, s, pad } of cases) {
      for (const mult of [1, 2, 3]) {
        if (s > 1 && pad !== 'valid' && typeof pad !== 'string') continue; // tfjs depthwise: explicit pad needs stride 1
        it(`kernel ${k} stride ${s} pad ${JSON.stringify(pad)} multiplier ${mult}`, async () => {
          const err = await compare(() => {
            const x = rand([2, 18, 15, 3], 3);
            const w = rand([k, k, 3, mult], 4);
            const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).square().sum());
            return g([x, w]);
          });
          expect(err).toBeLessThan(1e-4);
        });
      }
    }
  });

  describe('wasm BatchMatMul wrapper matches cpu', () => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`transposeA ${ta} transposeB ${tb}, batched and broadcast`, async () => {
        const err = await compare(() => {
          const a = rand(ta ? [3, 5, 4] : [3, 4, 5], 5);
          const b = rand(tb ? [3, 6, 5] : [3, 5, 6], 6);
          const b1 = rand(tb ? [1, 6, 5] : [1, 5, 6], 7);
          return [tf.matMul(a, b, ta, tb), tf.matMul(a, b1, ta, tb), tf.matMul(a.reshape([15, 4]).slice([0, 0], [4, 4]), b1.reshape([-1, 6 * 5]).slice([0, 0], [1, 4]).reshape([4, 1]), ta, false)];
        });
        expect(err).toBeLessThan(1e-5);
      });
    }

    it('both rewrites of each transposed product (chosen by size) agree with cpu', async () => {
      const err = await compare(() => [
        tf.matMul(rand([2, 3], 8), rand([40, 3], 9), false, true), // (B·Aᵀ)ᵀ
        tf.matMul(rand([3, 40], 10), rand([3, 2], 11), true, false), // (Bᵀ·A)ᵀ
        tf.matMul(rand([3, 2], 12), rand([4, 3], 13), true, true), // (B·A)ᵀ
        tf.matMul(rand([3, 40], 14), rand([50, 3], 15), true, true), // Aᵀ·Bᵀ with explicit transposes
        tf.matMul(rand([2, 3, 40], 16), rand([1, 3, 2], 17), true, false), // batched, broadcast
      ]);
      expect(err).toBeLessThan(1e-5);
    });
  });

  describe('wasm Identity shares the buffer (as the cpu backend does)', () => {
    it('a clone adds no buffer, reads the same values, and outlives its source; a cloned variable keeps its old values after assign', async () => {
      await onBackend('wasm', () => {
        const backend = tf.backend() as unknown as { numDataIds(): number };
        const x = rand([3, 5], 30);
        const values = [...(x.dataSync() as Float32Array)];
        const before = backend.numDataIds();
        const c = tf.clone(x);
        expect(backend.numDataIds()).toBe(before);
        x.dispose();
        expect([...(c.dataSync() as Float32Array)]).toEqual(values);
        c.dispose();
        expect(backend.numDataIds()).toBe(before - 1);
        const v = tf.tidy(() => tf.variable(rand([4], 31)));
        const kept = tf.clone(v); // what the trainer keeps as the best epoch's weights
        const old = [...(kept.dataSync() as Float32Array)];
        tf.tidy(() => v.assign(tf.fill([4], 7)));
        expect([...(kept.dataSync() as Float32Array)]).toEqual(old);
        expect([...(v.dataSync() as Float32Array)]).toEqual([7, 7, 7, 7]);
        tf.dispose([v, kept]);
      });
    });
  });

  describe('wasm Conv2D and FusedConv2D forward match cpu', () => {
    const forward: Array<{ k: number; s: number; d: number; pad: Pad; bias: boolean; activation: 'linear' | 'relu' }> = [
      { k: 3, s: 1, d: 1, pad: 'same', bias: true, activation: 'relu' },
      { k: 7, s: 2, d: 1, pad: [[0, 0], [3, 3], [3, 3], [0, 0]], bias: false, activation: 'linear' },
      { k: 3, s: 1, d: 2, pad: 'valid', bias: true, activation: 'linear' },
      { k: 1, s: 2, d: 1, pad: 'valid', bias: false, activation: 'relu' },
      { k: 1, s: 1, d: 1, pad: 'valid', bias: true, activation: 'relu' },
    ];
    for (const { k, s, d, pad, bias, activation } of forward) {
      it(`kernel ${k} stride ${s} dilation ${d} pad ${JSON.stringify(pad)}${bias ? ' bias' : ''} ${activation}`, async () => {
        const err = await compare(() => {
          const x = rand([2, 11, 13, 5], 31) as tf.Tensor4D;
          const w = rand([k, k, 5, 12], 32) as tf.Tensor4D;
          const b = bias ? rand([12], 33) : undefined;
          return [tf.fused.conv2d({ x, filter: w, strides: s, pad, dilations: d, ...(b ? { bias: b } : {}), activation })];
        });
        expect(err).toBeLessThan(1e-5);
      });
    }
  });
}
