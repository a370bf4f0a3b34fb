// Parameter counts of the five architectures at 224×224 against the PyTorch 1.13 counts in MODELS.md (also
// reproduced by bench/torch/models.py), by really building each model. Plus size handling and layer semantics.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveAvgPool2d, BiLSTM, MultiHeadSelfAttention } from '../../src/train/layers.js';
import { buildModel, countParameters, modelParameterCounts, REFERENCE_PARAMETER_COUNTS } from '../../src/train/models.js';
import { registerWasmKernels } from '../../src/train/wasm-kernels.js';

// Straight from ../shared/seed/MODELS.md, typed here rather than imported so the test does not trust the code.
const MODELS_MD = { AlexNet2D: 57_004_740, SENet: 26_040_948, ConvNeXtV2_2D: 477_220, VisionLSTM: 10_330_884, ViT: 85_408_516 };

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('wasm'); // importing models.ts does not load wasm; setBackend initialises it
});

describe('parameter counts', () => {
  it('all five match MODELS.md at 224 (built, counted, disposed)', () => {
    const t = performance.now();
    const before = tf.memory().numTensors;
    const counts = modelParameterCounts(224);
    console.log(`built all five at 224 in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    expect(counts).toEqual(MODELS_MD);
    expect(REFERENCE_PARAMETER_COUNTS).toEqual(MODELS_MD);
    expect(tf.memory().numTensors).toBe(before); // nothing leaked
  });

  it('GRN adds γ and β (4·96 each) per ConvNeXt block', () => {
    const m = buildModel('ConvNeXtV2_2D', { size: 224, grn: true });
    expect(countParameters(m)).toBe(477_220 + 6 * 2 * 384);
    m.dispose();
  });

  it('only ViT depends on the image size (its position embedding has one row per token)', () => {
    for (const [name, want] of [['ViT', 85_408_516 - (197 - 17) * 768], ['VisionLSTM', MODELS_MD.VisionLSTM], ['SENet', MODELS_MD.SENet]] as const) {
      const m = buildModel(name, { size: 64 });
      expect(countParameters(m)).toBe(want);
      m.dispose();
    }
  });
});

describe('model shapes', () => {
  it('every model maps n×s×s×1 to n×4 logits at its smallest test size', () => {
    for (const [name, size] of [['AlexNet2D', 64], ['SENet', 32], ['ConvNeXtV2_2D', 32], ['VisionLSTM', 32], ['ViT', 32]] as const) {
      const m = buildModel(name, { size });
      const y = m.predict(tf.zeros([2, size, size, 1])) as tf.Tensor;
      expect(y.shape).toEqual([2, 4]);
      tf.dispose([y]);
      m.dispose();
    }
  });

  it('rejects sizes an architecture cannot take', () => {
    expect(() => buildModel('AlexNet2D', { size: 48 })).toThrow(/≥ 63/);
  });

  it('same seed, same weights; another seed, other weights', () => {
    const a = buildModel('ConvNeXtV2_2D', { size: 32, seed: 3 });
    const b = buildModel('ConvNeXtV2_2D', { size: 32, seed: 3 });
    const c = buildModel('ConvNeXtV2_2D', { size: 32, seed: 4 });
    const w = (m: tf.LayersModel) => Array.from(m.getWeights()[2]!.dataSync().slice(0, 20));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('padding follows PyTorch in every built model', () => {
  it("only stride-1 convs with kernel 2·pad + 1 use 'same'; strided convs and pools are 'valid' (after a padding layer where PyTorch pads)", () => {
    for (const name of ['AlexNet2D', 'SENet', 'ConvNeXtV2_2D', 'VisionLSTM', 'ViT'] as const) {
      const m = buildModel(name, { size: 64, seed: 0 });
      let same = 0;
      for (const layer of m.layers) {
        const c = layer.getConfig() as { padding?: unknown; strides?: number[]; kernelSize?: number[]; poolSize?: number[] };
        if (c.padding !== 'same' && c.padding !== 'valid') continue;
        const strides = c.strides ?? [1, 1];
        if (c.padding === 'same') {
          same++;
          expect(strides, `${name} ${layer.name}`).toEqual([1, 1]);
          expect((c.kernelSize ?? c.poolSize ?? [0])[0]! % 2, `${name} ${layer.name}: odd kernel`).toBe(1);
        }
      }
      if (name !== 'VisionLSTM' && name !== 'ViT') expect(same, `${name} uses 'same' somewhere`).toBeGreaterThan(0);
      m.dispose();
    }
  });
});

describe('layer semantics', () => {
  it("'same' padding at stride 1 with k = 2·pad + 1 equals PyTorch's zero padding + 'valid' (forward and gradients)", async () => {
    registerWasmKernels(); // wasm's conv filter gradients are ours
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.randomUniform([2, 7, 6, 3], -1, 1, 'float32', 31) as tf.Tensor4D;
      for (const [k, pad] of [[3, 1], [5, 2], [7, 3]] as const) {
        const w = tf.randomUniform([k, k, 3, 4], -1, 1, 'float32', 32 + k) as tf.Tensor4D;
        const dw = tf.randomUniform([k, k, 3, 1], -1, 1, 'float32', 40 + k) as tf.Tensor4D;
        const explicit = (a: tf.Tensor4D): tf.Tensor4D => a.pad([[0, 0], [pad, pad], [pad, pad], [0, 0]]);
        const pairs: Array<[(a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, tf.Tensor4D]> = [
          [(a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), (a, b) => tf.conv2d(explicit(a as tf.Tensor4D), b as tf.Tensor4D, 1, 'valid'), w],
          [(a, b) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), (a, b) => tf.depthwiseConv2d(explicit(a as tf.Tensor4D), b as tf.Tensor4D, 1, 'valid'), dw],
        ];
        for (const [same, padded, filter] of pairs) tf.tidy(() => {
          const [y1, y2] = [same(x, filter), padded(x, filter)];
          expect(y1.shape).toEqual(y2.shape);
          expect(tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0]!, `${backend} k ${k} forward`).toBeLessThan(1e-5);
          const g1 = tf.grads((a: tf.Tensor, b: tf.Tensor) => same(a, b).square().sum())([x, filter]);
          const g2 = tf.grads((a: tf.Tensor, b: tf.Tensor) => padded(a, b).square().sum())([x, filter]);
          for (let i = 0; i < 2; i++) expect(tf.max(tf.abs(tf.sub(g1[i]!, g2[i]!))).dataSync()[0]!, `${backend} k ${k} gradient ${i}`).toBeLessThan(1e-4);
        });
        tf.dispose([w, dw]);
      }
      x.dispose();
    }
  });

  it('MultiHeadSelfAttention equals scalar loops in torch.nn.MultiheadAttention layout (packed q|k|v columns, heads contiguous)', () => {
    const [n, t, d, heads] = [2, 3, 6, 2];
    const hd = d / heads;
    const val = (i: number, scale: number): number => Math.sin(i * 1.7 + scale) * 0.5;
    const x = Float32Array.from({ length: n * t * d }, (_, i) => val(i, 0.1));
    const inW = Float32Array.from({ length: d * 3 * d }, (_, i) => val(i, 0.2));
    const inB = Float32Array.from({ length: 3 * d }, (_, i) => val(i, 0.3));
    const outW = Float32Array.from({ length: d * d }, (_, i) => val(i, 0.4));
    const outB = Float32Array.from({ length: d }, (_, i) => val(i, 0.5));
    const layer = new MultiHeadSelfAttention({ heads, dropout: 0.5, seed: 1 });
    const xt = tf.tensor3d(x, [n, t, d]);
    layer.apply(xt); // builds the weights
    layer.setWeights([tf.tensor2d(inW, [d, 3 * d]), tf.tensor1d(inB), tf.tensor2d(outW, [d, d]), tf.tensor1d(outB)]);
    const got = (layer.apply(xt) as tf.Tensor).dataSync();
    // reference: proj[b,i,c] = Σ_e x[b,i,e]·inW[e,c] + inB[c]; q = columns [0,d), k = [d,2d), v = [2d,3d); head h uses [h·hd, (h+1)·hd)
    const proj = (b: number, i: number, c: number): number => {
      let acc = inB[c]!;
      for (let e = 0; e < d; e++) acc += x[(b * t + i) * d + e]! * inW[e * 3 * d + c]!;
      return acc;
    };
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < t; i++) {
        const ctx = new Float64Array(d);
        for (let h = 0; h < heads; h++) {
          const scores = [...Array(t).keys()].map((j) => {
            let dot = 0;
            for (let e = 0; e < hd; e++) dot += proj(b, i, h * hd + e) * proj(b, j, d + h * hd + e);
            return dot / Math.sqrt(hd);
          });
          const mx = Math.max(...scores);
          const ex = scores.map((sc) => Math.exp(sc - mx));
          const z = ex.reduce((a, c) => a + c, 0);
          for (let j = 0; j < t; j++) for (let e = 0; e < hd; e++) ctx[h * hd + e]! += (ex[j]! / z) * proj(b, j, 2 * d + h * hd + e);
        }
        for (let c = 0; c < d; c++) {
          let out = outB[c]!;
          for (let e = 0; e < d; e++) out += ctx[e]! * outW[e * d + c]!;
          expect(got[(b * t + i) * d + c]!, `b ${b} i ${i} c ${c}`).toBeCloseTo(out, 5);
        }
      }
    }
    xt.dispose();
  });

  it('AdaptiveAvgPool2d bins follow PyTorch: [floor(i·in/out), ceil((i+1)·in/out))', () => {
    // in 13 → out 6: bins 0-3,2-5,4-7,6-9,8-11,10-13 (hand-derived from the formula). The matrix is [6·6, 13·1]:
    // row (i, j=0) = i·6 holds the weights of output bin i over the 13 input rows.
    const m = AdaptiveAvgPool2d.poolMatrix(13, 1, 6);
    const bins = [0, 1, 2, 3, 4, 5].map((i) => [...m.slice(i * 6 * 13, i * 6 * 13 + 13)].flatMap((v, k) => (v > 0 ? [k] : [])));
    expect(bins.map((b) => [b[0], b.at(-1)! + 1])).toEqual([[0, 3], [2, 5], [4, 7], [6, 9], [8, 11], [10, 13]]);
    // each bin averages: weights are 1/3 here; in 1 → out 6 replicates
    expect(m[0]).toBeCloseTo(1 / 3, 7);
    expect([...AdaptiveAvgPool2d.poolMatrix(1, 1, 6)]).toEqual(new Array(36).fill(1));
  });

  it('BiLSTM equals a scalar-loop LSTM in PyTorch gate order (i, f, g, o) with both biases, both directions', () => {
    const layer = new BiLSTM({ units: 2, seed: 5 });
    const x = tf.randomNormal([1, 3, 3], 0, 1, 'float32', 9);
    const out = (layer.apply(x) as tf.Tensor).arraySync() as number[][][];
    const [wih, whh, bih, bhh] = layer.getWeights().slice(0, 4).map((t) => t.arraySync()) as [number[][], number[][], number[], number[]];
    const xs = (x.arraySync() as number[][][])[0]!;
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    let h = [0, 0];
    let c = [0, 0];
    for (let t = 0; t < 3; t++) {
      const g = [...Array(8).keys()].map((j) => bih[j]! + bhh[j]! + xs[t]!.reduce((s, v, d) => s + v * wih[d]![j]!, 0) + h.reduce((s, v, d) => s + v * whh[d]![j]!, 0));
      c = [0, 1].map((u) => sig(g[2 + u]!) * c[u]! + sig(g[u]!) * Math.tanh(g[4 + u]!));
      h = [0, 1].map((u) => sig(g[6 + u]!) * Math.tanh(c[u]!));
      expect(out[0]![t]!.slice(0, 2)[0]).toBeCloseTo(h[0]!, 5);
      expect(out[0]![t]!.slice(0, 2)[1]).toBeCloseTo(h[1]!, 5);
    }
    expect(layer.countParams()).toBe(2 * (4 * 2 * 3 + 4 * 2 * 2 + 2 * 4 * 2));
  });
});
