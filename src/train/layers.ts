// Custom tfjs layers the five models need and tf.layers lacks (or does slowly):
// - LayerNorm that broadcasts γ/β (tf.layers.layerNormalization tiles them; Tile's gradient is one slice per copy,
//   20× slower per step for a ConvNeXt block),
// - PyTorch's AdaptiveAvgPool2d, a channel scale for squeeze-excitation, GRN (ConvNeXt V2),
// - a bidirectional LSTM with PyTorch's two bias vectors (exact parameter count, PyTorch gate order i,f,g,o),
// - multi-head self-attention with packed in-projection (as torch.nn.MultiheadAttention), class token, position
//   embedding, token pick,
// - dropout whose mask is seeded per training step (tf.dropout with a fixed seed repeats the same mask every step),
// - the first convolution without the input gradient tfjs's fused conv2d computes for nothing.
import * as tf from '@tensorflow/tfjs';
import { gelu } from './gelu.js';
import { layerNorm } from './layer-norm.js';
import { lstmRecurrence } from './lstm-recurrence.js';

type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;

/**
 * Training randomness is a function of (layer seed, step, row of the batch): a resumed run draws the same masks, and
 * a batch cut into pieces (micro-batches) draws for each row the mask it has in the whole batch. `row` is the first
 * row of the piece being computed.
 */
export const stepRandomness = { step: 0, row: 0 };

function mix(seed: number, step: number): number {
  // A small integer hash; tfjs seeds are numbers fed to seedrandom.
  let h = (seed * 2654435761) ^ (step * 40503 + 0x9e3779b9);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

function isTraining(kwargs: Kwargs): boolean {
  return kwargs.training === true;
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/** Inverted dropout whose mask changes every step yet is reproducible; one draw per row of the batch (stepRandomness). */
export function seededDropout(x: tf.Tensor, rate: number, seed: number, salt = 0): tf.Tensor {
  if (rate <= 0) return x;
  return tf.tidy(() => {
    const base = mix(seed + salt * 7919, stepRandomness.step);
    const rowShape = [1, ...x.shape.slice(1)];
    const rows = x.shape[0] ?? 1;
    const draws = Array.from({ length: rows }, (_, r) => tf.randomUniform(rowShape, 0, 1, 'float32', mix(base, stepRandomness.row + r + 1)));
    const keep = (rows === 1 ? draws[0]! : tf.concat(draws, 0)).greaterEqual(rate);
    return x.mul(keep.cast('float32')).div(1 - rate);
  });
}

export class SeededDropout extends tf.layers.Layer {
  static className = 'GlioflowSeededDropout';
  readonly rate: number;
  readonly seed: number;
  constructor(args: { rate: number; seed: number; name?: string }) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = single(inputs);
    return isTraining(kwargs) ? seededDropout(x, this.rate, this.seed) : x;
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

/** Layer norm over the last axis; γ and β broadcast (no Tile). */
export class LayerNorm extends tf.layers.Layer {
  static className = 'GlioflowLayerNorm';
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  constructor(args: { epsilon?: number; name?: string } = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
  }
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    const c = s[s.length - 1]!;
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => layerNorm(single(inputs), this.gamma.read(), this.beta.read(), this.epsilon)); // layer-norm.ts
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/** PyTorch AdaptiveAvgPool2d: bin i covers [floor(i·in/out), ceil((i+1)·in/out)); done as one matmul. */
export class AdaptiveAvgPool2d extends tf.layers.Layer {
  static className = 'GlioflowAdaptiveAvgPool2d';
  readonly outSize: number;
  constructor(args: { outSize: number; name?: string }) {
    super(args);
    this.outSize = args.outSize;
  }
  static poolMatrix(inH: number, inW: number, out: number): Float32Array {
    const m = new Float32Array(out * out * inH * inW);
    for (let i = 0; i < out; i++) {
      const h0 = Math.floor((i * inH) / out);
      const h1 = Math.ceil(((i + 1) * inH) / out);
      for (let j = 0; j < out; j++) {
        const w0 = Math.floor((j * inW) / out);
        const w1 = Math.ceil(((j + 1) * inW) / out);
        const v = 1 / ((h1 - h0) * (w1 - w0));
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) m[(i * out + j) * inH * inW + h * inW + w] = v;
      }
    }
    return m;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0] ?? null, this.outSize, this.outSize, s[3] ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [n, h, w, c] = x.shape as [number, number, number, number];
      if (h === this.outSize && w === this.outSize) return x.clone();
      const p = tf.tensor2d(AdaptiveAvgPool2d.poolMatrix(h, w, this.outSize), [this.outSize * this.outSize, h * w]);
      // [n,h,w,c] → [h·w, n·c]; P·that → [out², n·c] → [n,out,out,c]
      const flat = x.reshape([n, h * w, c]).transpose([1, 0, 2]).reshape([h * w, n * c]);
      return tf.matMul(p, flat).reshape([this.outSize * this.outSize, n, c]).transpose([1, 0, 2]).reshape([n, this.outSize, this.outSize, c]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outSize: this.outSize };
  }
}

/**
 * Dense on the last axis of a rank ≥ 3 input ([n,T,D] tokens, [n,h,w,C] pixels), as one 2-D matmul. tf.layers.dense
 * does the same through K.dot, which clones the kernel (an identity transpose) on every call and transposes its
 * gradient back: weight-sized copies that all live until the end of the gradient tape. For ViT at batch 8 that
 * pushed the wasm heap past 3 GB (peak 3.2 GB vs 0.65 GB of weights + gradients).
 */
export class PointwiseDense extends tf.layers.Layer {
  static className = 'GlioflowPointwiseDense';
  readonly units: number;
  readonly activation: 'gelu' | 'relu' | 'linear';
  readonly seed: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  constructor(args: { units: number; activation?: 'gelu' | 'relu' | 'linear'; seed: number; name?: string }) {
    super(args);
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    this.seed = args.seed;
  }
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    const d = s[s.length - 1]!;
    this.kernel = this.addWeight('kernel', [d, this.units], 'float32', tf.initializers.glorotUniform({ seed: this.seed }));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [...s.slice(0, -1), this.units];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const d = x.shape[x.rank - 1]!;
      let y: tf.Tensor = tf.matMul(x.reshape([-1, d]) as tf.Tensor2D, this.kernel.read() as tf.Tensor2D).add(this.bias.read());
      if (this.activation === 'gelu') y = gelu(y); // exact GELU, as torch (gelu.ts: one kernel each way)
      else if (this.activation === 'relu') y = tf.relu(y);
      return y.reshape([...x.shape.slice(0, -1), this.units]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, seed: this.seed };
  }
}

/**
 * The first convolution of a model, over its input image: the same fused conv2d tf.layers.conv2d runs, with a backward
 * pass that computes only the filter and bias gradients. tfjs's fused conv2d computes the input's gradient too, in
 * full, although nothing upstream of the image has weights: for AlexNet2D's 11×11 stride-4 stem that was 610 ms of a
 * 3.4 s step on wasm. The gradients it does compute are the ones tfjs's fused gradient computes (the same kernel on
 * the same tensors). Use it only where the input depends on no weight: the input's gradient it reports is zero.
 */
export class InputConv2D extends tf.layers.Layer {
  static className = 'GlioflowInputConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly useBias: boolean;
  private readonly kernelInitializer: ReturnType<typeof tf.initializers.zeros>;
  private kernel!: tf.LayerVariable;
  private bias: tf.LayerVariable | undefined;
  constructor(args: { filters: number; kernelSize: number; strides: number; useBias: boolean; kernelInitializer: ReturnType<typeof tf.initializers.zeros>; name?: string }) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides;
    this.useBias = args.useBias;
    this.kernelInitializer = args.kernelInitializer;
  }
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    const channels = s[s.length - 1]!;
    // the same weights, in the same order and with the same initialisers, as tf.layers.conv2d makes
    this.kernel = this.addWeight('kernel', [this.kernelSize, this.kernelSize, channels, this.filters], 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    const out = (n: number | null): number | null => (n === null ? null : Math.floor((n - this.kernelSize) / this.strides) + 1);
    return [s[0] ?? null, out(s[1] ?? null), out(s[2] ?? null), this.filters];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const strides: [number, number] = [this.strides, this.strides];
    const filterShape = this.kernel.shape as [number, number, number, number];
    const forward = (x: tf.Tensor4D, filter: tf.Tensor4D, bias?: tf.Tensor1D): tf.Tensor4D => tf.fused.conv2d({ x, filter, strides, pad: 'valid', dataFormat: 'NHWC', ...(bias ? { bias } : {}) });
    const backward = (x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor[] => {
      const filterGrad = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string, filterShape }) as tf.Tensor;
      // the input needs no gradient (nothing upstream of it has weights): zeros, not a full transposed convolution
      return [tf.zerosLike(x), filterGrad, ...(this.useBias ? [tf.sum(dy, [0, 1, 2])] : [])];
    };
    const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const [xi, f, b] = args.slice(0, -1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D | undefined];
      save([xi]);
      return { value: forward(xi, f, b), gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => backward(saved[0] as tf.Tensor4D, dy as tf.Tensor4D) };
    }) as Parameters<typeof tf.customGrad<tf.Tensor4D>>[0]);
    const x = single(inputs) as tf.Tensor4D;
    const filter = this.kernel.read() as tf.Tensor4D;
    return this.bias ? op(x, filter, this.bias.read()) : op(x, filter);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, useBias: this.useBias };
  }
}

/** x [n,h,w,c] scaled by s [n,c] (squeeze-excitation). */
export class ChannelScale extends tf.layers.Layer {
  static className = 'GlioflowChannelScale';
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (inputShape as Shape[])[0]!;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, s] = inputs as [tf.Tensor, tf.Tensor];
      return x.mul(s.reshape([s.shape[0]!, 1, 1, s.shape[1]!]));
    });
  }
}

/** Global Response Normalization (ConvNeXt V2) on channels-last [n,h,w,c]; γ, β zero-initialised. */
export class GRN extends tf.layers.Layer {
  static className = 'GlioflowGRN';
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    const c = s[s.length - 1]!;
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.zeros());
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const gx = x.square().sum([1, 2], true).sqrt();
      const nx = gx.div(gx.mean(-1, true).add(1e-6));
      return x.mul(nx).mul(this.gamma.read()).add(this.beta.read()).add(x);
    });
  }
}

/**
 * Bidirectional LSTM, one layer, batch-first [n,T,D] → [n,T,2H], with PyTorch's parameters per direction:
 * W_ih [D,4H], W_hh [H,4H], b_ih [4H], b_hh [4H], gates in PyTorch order (i, f, g, o). The input projection of all
 * time steps is one matmul; only the recurrent part loops.
 */
export class BiLSTM extends tf.layers.Layer {
  static className = 'GlioflowBiLSTM';
  readonly units: number;
  readonly seed: number;
  private w: tf.LayerVariable[] = [];
  constructor(args: { units: number; seed: number; name?: string }) {
    super(args);
    this.units = args.units;
    this.seed = args.seed;
  }
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    const d = s[s.length - 1]!;
    const h = this.units;
    const k = 1 / Math.sqrt(h); // PyTorch's LSTM init: U(−1/√H, 1/√H) for every parameter
    const u = (i: number) => tf.initializers.randomUniform({ minval: -k, maxval: k, seed: this.seed + i });
    this.w = [];
    for (const [di, dir] of ['fwd', 'bwd'].entries()) {
      this.w.push(
        this.addWeight(`${dir}_w_ih`, [d, 4 * h], 'float32', u(di * 4)),
        this.addWeight(`${dir}_w_hh`, [h, 4 * h], 'float32', u(di * 4 + 1)),
        this.addWeight(`${dir}_b_ih`, [4 * h], 'float32', u(di * 4 + 2)),
        this.addWeight(`${dir}_b_hh`, [4 * h], 'float32', u(di * 4 + 3)),
      );
    }
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0] ?? null, s[1] ?? null, 2 * this.units];
  }
  private direction(x: tf.Tensor3D, offset: number, reverse: boolean): tf.Tensor3D {
    const [n, t, d] = x.shape;
    const h = this.units;
    const [wih, whh, bih, bhh] = this.w.slice(offset, offset + 4).map((v) => v.read()) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor, tf.Tensor];
    const proj = tf.matMul(x.reshape([n * t, d]), wih).add(bih.add(bhh)).reshape([n, t, 4 * h]) as tf.Tensor3D;
    // the recurrence with its own backward: autodiff kept a weight-sized gradient per time step (lstm-recurrence.ts)
    return lstmRecurrence(proj, whh, reverse);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor3D;
      return tf.concat([this.direction(x, 0, false), this.direction(x, 4, true)], 2);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, seed: this.seed };
  }
}

/** torch.nn.MultiheadAttention (self-attention, batch-first): packed in-projection [D,3D] + bias, out-projection. */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = 'GlioflowMultiHeadSelfAttention';
  readonly heads: number;
  readonly dropout: number;
  readonly seed: number;
  private inW!: tf.LayerVariable;
  private inB!: tf.LayerVariable;
  private outW!: tf.LayerVariable;
  private outB!: tf.LayerVariable;
  constructor(args: { heads: number; dropout: number; seed: number; name?: string }) {
    super(args);
    this.heads = args.heads;
    this.dropout = args.dropout;
    this.seed = args.seed;
  }
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    const d = s[s.length - 1]!;
    this.inW = this.addWeight('in_proj_kernel', [d, 3 * d], 'float32', tf.initializers.glorotUniform({ seed: this.seed }));
    this.inB = this.addWeight('in_proj_bias', [3 * d], 'float32', tf.initializers.zeros());
    this.outW = this.addWeight('out_proj_kernel', [d, d], 'float32', tf.initializers.glorotUniform({ seed: this.seed + 1 }));
    this.outB = this.addWeight('out_proj_bias', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor3D;
      const [n, t, d] = x.shape;
      const hd = d / this.heads;
      const qkv = tf.matMul(x.reshape([n * t, d]), this.inW.read() as tf.Tensor2D).add(this.inB.read());
      // [n·t, 3d] → [n, t, 3·heads, hd] → [n, 3·heads, t, hd] → q, k, v as [n·heads, t, hd]. A 4-D transpose and a
      // split, not [n, t, 3, heads, hd] transposed in 5-D: wasm's 5-D transpose is a generic loop (ViT at 64×64, pieces
      // of 8: 23.6 ms against 0.85 for the 4-D one, 48 of them per piece). Same values, same order.
      const parts = qkv.reshape([n, t, 3 * this.heads, hd]).transpose([0, 2, 1, 3]);
      const [q, k, v] = tf.split(parts, 3, 1).map((p) => p.reshape([n * this.heads, t, hd])) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      let att = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(hd)), -1);
      // dropout on an [n, heads·T, T] view: its masks are drawn per image (stepRandomness)
      if (isTraining(kwargs)) att = seededDropout(att.reshape([n, this.heads * t, t]), this.dropout, this.seed, 1).reshape([n * this.heads, t, t]);
      const ctx = tf.matMul(att as tf.Tensor3D, v).reshape([n, this.heads, t, hd]).transpose([0, 2, 1, 3]).reshape([n * t, d]);
      return tf.matMul(ctx, this.outW.read() as tf.Tensor2D).add(this.outB.read()).reshape([n, t, d]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, dropout: this.dropout, seed: this.seed };
  }
}

/** Prepends a learnable class token: [n,T,D] → [n,T+1,D]. */
export class ClassToken extends tf.layers.Layer {
  static className = 'GlioflowClassToken';
  private token!: tf.LayerVariable;
  readonly seed: number;
  constructor(args: { seed: number; name?: string }) {
    super(args);
    this.seed = args.seed;
  }
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    this.token = this.addWeight('token', [1, 1, s[2]!], 'float32', tf.initializers.truncatedNormal({ stddev: 0.02, seed: this.seed }));
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0] ?? null, s[1] === null || s[1] === undefined ? null : s[1] + 1, s[2] ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const tok = this.token.read().broadcastTo([x.shape[0]!, 1, x.shape[2]!]);
      return tf.concat([tok, x], 1);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

/** Adds a learnable position embedding [T,D]. */
export class PositionEmbedding extends tf.layers.Layer {
  static className = 'GlioflowPositionEmbedding';
  private pos!: tf.LayerVariable;
  readonly seed: number;
  constructor(args: { seed: number; name?: string }) {
    super(args);
    this.seed = args.seed;
  }
  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    this.pos = this.addWeight('embedding', [s[1]!, s[2]!], 'float32', tf.initializers.truncatedNormal({ stddev: 0.02, seed: this.seed }));
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => single(inputs).add(this.pos.read()));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

/** [n,T,D] → [n,D]: token 0 (the class token). */
export class TakeFirstToken extends tf.layers.Layer {
  static className = 'GlioflowTakeFirstToken';
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0] ?? null, s[2] ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      return x.slice([0, 0, 0], [x.shape[0]!, 1, x.shape[2]!]).reshape([x.shape[0]!, x.shape[2]!]);
    });
  }
}

/** [n,T,D] → [n,D]: mean over tokens. */
export class MeanTokens extends tf.layers.Layer {
  static className = 'GlioflowMeanTokens';
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0] ?? null, s[2] ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => single(inputs).mean(1));
  }
}

for (const cls of [SeededDropout, InputConv2D, PointwiseDense, LayerNorm, AdaptiveAvgPool2d, ChannelScale, GRN, BiLSTM, MultiHeadSelfAttention, ClassToken, PositionEmbedding, TakeFirstToken, MeanTokens]) {
  tf.serialization.registerClass(cls);
}
