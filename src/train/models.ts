// The five architectures of the original project (docs: ../shared/seed/MODELS.md), channels-last, single-channel
// input of any supported size, one 4-logit head (label order TP53, PTEN, EGFR, IDH). Geometry follows PyTorch exactly:
// explicit zero padding + 'valid' for strided convs and pools (tfjs's 'same' pads them differently), 'same' only for
// stride-1 convs with kernel 2·pad + 1, where it is PyTorch's padding (samePadding).
// Every initializer takes a seed derived from the model seed, so a build is reproducible.
import * as tf from '@tensorflow/tfjs';
import { GENES } from '../labels/types.js';
import {
  AdaptiveAvgPool2d,
  BiLSTM,
  ChannelScale,
  ClassToken,
  GRN,
  LayerNorm,
  MeanTokens,
  MultiHeadSelfAttention,
  InputConv2D,
  PointwiseDense,
  PositionEmbedding,
  SeededDropout,
  TakeFirstToken,
} from './layers.js';
import { SyncBatchNormalization } from './sync-batch-norm.js';

import { MODEL_NAMES, type ModelName } from './model-facts.js';

export { MODEL_NAMES, REFERENCE_PARAMETER_COUNTS, type ModelName } from './model-facts.js';
export const LABELS = GENES;
export type Label = (typeof GENES)[number];


export interface ModelOptions {
  /** Square input size in pixels. */
  size: number;
  seed?: number;
  /** ConvNeXtV2_2D only: add the published V2 Global Response Normalization (+2·384 parameters per block). */
  grn?: boolean;
}

/** Smallest input each architecture accepts (AlexNet's three 3/2 max pools; patch-16 models need ≥1 patch). */
export const MIN_SIZE: Record<ModelName, number> = { AlexNet2D: 63, SENet: 32, ConvNeXtV2_2D: 4, VisionLSTM: 16, ViT: 16 };

type Init = ReturnType<typeof tf.initializers.zeros>;

/** Seeds for every initializer of one build, in layer order. */
class Seeds {
  private next: number;
  constructor(seed: number) {
    this.next = (seed >>> 0) * 1000 + 1;
  }
  take(): number {
    return this.next++;
  }
  kernel(): Init {
    return tf.initializers.glorotUniform({ seed: this.take() });
  }
  he(): Init {
    return tf.initializers.heNormal({ seed: this.take() });
  }
}

const zeros = (): Init => tf.initializers.zeros();

type Sym = tf.SymbolicTensor;
function apply(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

/**
 * tfjs 'same' equals PyTorch's symmetric padding only at stride 1 with an odd kernel (k = 2·pad + 1); there it is
 * used instead of a padding layer, so the input gradient is computed for the unpadded map (a padded 8×8 map is 10×10:
 * 1.56× the work, 2.25× at 4×4) and no pad op or slice runs. Strided convs keep explicit padding, since 'same' would
 * pad them differently from PyTorch.
 */
const samePadding = (kernel: number, stride: number, pad: number): boolean => pad > 0 && stride === 1 && kernel === 2 * pad + 1;

function conv(s: Seeds, x: Sym, filters: number, kernel: number, stride: number, pad: number, bias: boolean, name: string): Sym {
  const same = samePadding(kernel, stride, pad);
  const padded = pad > 0 && !same ? apply(tf.layers.zeroPadding2d({ padding: pad, name: `${name}_pad` }), x) : x;
  return apply(
    tf.layers.conv2d({
      filters, kernelSize: kernel, strides: stride, padding: same ? 'same' : 'valid', useBias: bias, name,
      kernelInitializer: s.he(), biasInitializer: zeros(),
    }),
    padded,
  );
}

/** The first convolution, over the model's input image (no input gradient: see InputConv2D). */
function inputConv(s: Seeds, x: Sym, filters: number, kernel: number, stride: number, pad: number, bias: boolean, name: string): Sym {
  const padded = pad > 0 ? apply(tf.layers.zeroPadding2d({ padding: pad, name: `${name}_pad` }), x) : x;
  return apply(new InputConv2D({ filters, kernelSize: kernel, strides: stride, useBias: bias, kernelInitializer: s.he(), name }), padded);
}

function dense(s: Seeds, x: Sym, units: number, name: string, activation?: 'relu' | 'sigmoid' | 'gelu'): Sym {
  if (x.shape.length > 2 && activation !== 'sigmoid') {
    return apply(new PointwiseDense({ units, activation: activation ?? 'linear', seed: s.take(), name }), x);
  }
  return apply(tf.layers.dense({ units, activation, name, kernelInitializer: s.kernel(), biasInitializer: zeros() }), x);
}

function relu(x: Sym, name: string): Sym {
  return apply(tf.layers.reLU({ name }), x);
}

function maxPool(x: Sym, name: string, pad = 0): Sym {
  // After a ReLU every value is ≥ 0, so zero padding equals PyTorch's −∞ padding for the max.
  const padded = pad > 0 ? apply(tf.layers.zeroPadding2d({ padding: pad, name: `${name}_pad` }), x) : x;
  return apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name }), padded);
}

function batchNorm(x: Sym, name: string): Sym {
  // PyTorch BatchNorm2d: eps 1e-5, running stats updated with momentum 0.1 (= Keras momentum 0.9).
  // Synchronised across the threads of a data-parallel step (sync-batch-norm.ts); on one thread it computes what
  // tf.layers.batchNormalization does.
  return apply(new SyncBatchNormalization({ momentum: 0.9, epsilon: 1e-5, name }), x);
}

function head(s: Seeds, x: Sym): Sym {
  return dense(s, x, LABELS.length, 'logits');
}

function input(size: number): Sym {
  return tf.input({ shape: [size, size, 1], name: 'image' });
}

function alexNet(o: Required<ModelOptions>): tf.LayersModel {
  const s = new Seeds(o.seed);
  const x0 = input(o.size);
  let x = relu(inputConv(s, x0, 64, 11, 4, 2, true, 'conv1'), 'relu1');
  x = maxPool(x, 'pool1');
  x = maxPool(relu(conv(s, x, 192, 5, 1, 2, true, 'conv2'), 'relu2'), 'pool2');
  x = relu(conv(s, x, 384, 3, 1, 1, true, 'conv3'), 'relu3');
  x = relu(conv(s, x, 256, 3, 1, 1, true, 'conv4'), 'relu4');
  x = maxPool(relu(conv(s, x, 256, 3, 1, 1, true, 'conv5'), 'relu5'), 'pool5');
  x = apply(new AdaptiveAvgPool2d({ outSize: 6, name: 'adaptive_pool' }), x);
  x = apply(tf.layers.flatten({ name: 'flatten' }), x);
  x = apply(new SeededDropout({ rate: 0.5, seed: s.take(), name: 'drop1' }), x);
  x = dense(s, x, 4096, 'fc1', 'relu');
  x = apply(new SeededDropout({ rate: 0.5, seed: s.take(), name: 'drop2' }), x);
  x = dense(s, x, 4096, 'fc2', 'relu');
  return tf.model({ inputs: x0, outputs: head(s, x), name: 'AlexNet2D' });
}

function seBottleneck(s: Seeds, x: Sym, planes: number, stride: number, name: string): Sym {
  const inC = x.shape[3]!;
  const outC = planes * 4;
  let y = relu(batchNorm(conv(s, x, planes, 1, 1, 0, false, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
  y = relu(batchNorm(conv(s, y, planes, 3, stride, 1, false, `${name}_conv2`), `${name}_bn2`), `${name}_relu2`);
  y = batchNorm(conv(s, y, outC, 1, 1, 0, false, `${name}_conv3`), `${name}_bn3`);
  let sq = apply(tf.layers.globalAveragePooling2d({ name: `${name}_se_pool` }), y);
  sq = dense(s, sq, Math.floor(outC / 16), `${name}_se_fc1`, 'relu');
  sq = dense(s, sq, outC, `${name}_se_fc2`, 'sigmoid');
  y = apply(new ChannelScale({ name: `${name}_se_scale` }), [y, sq]);
  const shortcut = stride !== 1 || inC !== outC
    ? batchNorm(conv(s, x, outC, 1, stride, 0, false, `${name}_down`), `${name}_down_bn`)
    : x;
  return relu(apply(tf.layers.add({ name: `${name}_add` }), [y, shortcut]), `${name}_out`);
}

function seNet(o: Required<ModelOptions>): tf.LayersModel {
  const s = new Seeds(o.seed);
  const x0 = input(o.size);
  let x = relu(batchNorm(inputConv(s, x0, 64, 7, 2, 3, false, 'stem_conv'), 'stem_bn'), 'stem_relu');
  x = maxPool(x, 'stem_pool', 1);
  const blocks = [3, 4, 6, 3];
  const planes = [64, 128, 256, 512];
  for (let st = 0; st < 4; st++) {
    for (let b = 0; b < blocks[st]!; b++) {
      x = seBottleneck(s, x, planes[st]!, b === 0 && st > 0 ? 2 : 1, `s${st + 1}b${b + 1}`);
    }
  }
  x = apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), x);
  return tf.model({ inputs: x0, outputs: head(s, x), name: 'SENet' });
}

function convNeXt(o: Required<ModelOptions>): tf.LayersModel {
  const s = new Seeds(o.seed);
  const dim = 96;
  const x0 = input(o.size);
  let x = inputConv(s, x0, dim, 4, 4, 0, true, 'stem');
  for (let b = 1; b <= 6; b++) {
    const n = `block${b}`;
    // 7×7, stride 1, padding 3: 'same' (see samePadding)
    let y = apply(tf.layers.depthwiseConv2d({
      kernelSize: 7, padding: 'same', depthMultiplier: 1, useBias: true, name: `${n}_dwconv`,
      depthwiseInitializer: s.kernel(), biasInitializer: zeros(),
    }), x);
    y = apply(new LayerNorm({ epsilon: 1e-6, name: `${n}_norm` }), y);
    y = dense(s, y, 4 * dim, `${n}_pwconv1`, 'gelu');
    if (o.grn) y = apply(new GRN({ name: `${n}_grn` }), y);
    y = dense(s, y, dim, `${n}_pwconv2`);
    x = apply(tf.layers.add({ name: `${n}_add` }), [x, y]);
  }
  x = apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), x);
  return tf.model({ inputs: x0, outputs: head(s, x), name: 'ConvNeXtV2_2D' });
}

/** conv 16/16 → [n, (size/16)², dim], tokens row-major like PyTorch's flatten(2).transpose(1, 2). */
function patchEmbed(s: Seeds, x0: Sym, dim: number): Sym {
  const x = inputConv(s, x0, dim, 16, 16, 0, true, 'patch_embed');
  const g = x.shape[1]! * x.shape[2]!;
  return apply(tf.layers.reshape({ targetShape: [g, dim], name: 'tokens' }), x);
}

function mlp(s: Seeds, x: Sym, hidden: number, out: number, dropout: number, name: string): Sym {
  let y = dense(s, x, hidden, `${name}_fc1`, 'gelu');
  y = apply(new SeededDropout({ rate: dropout, seed: s.take(), name: `${name}_drop1` }), y);
  y = dense(s, y, out, `${name}_fc2`);
  return apply(new SeededDropout({ rate: dropout, seed: s.take(), name: `${name}_drop2` }), y);
}

function visionLstm(o: Required<ModelOptions>): tf.LayersModel {
  const s = new Seeds(o.seed);
  const dim = 256;
  const x0 = input(o.size);
  let x = patchEmbed(s, x0, dim);
  for (let b = 1; b <= 6; b++) {
    const n = `block${b}`;
    let y = apply(new LayerNorm({ name: `${n}_norm1` }), x);
    y = apply(new BiLSTM({ units: dim, seed: s.take() * 10, name: `${n}_bilstm` }), y);
    y = dense(s, y, dim, `${n}_proj`);
    x = apply(tf.layers.add({ name: `${n}_add1` }), [x, y]);
    y = mlp(s, apply(new LayerNorm({ name: `${n}_norm2` }), x), 4 * dim, dim, 0.1, `${n}_mlp`);
    x = apply(tf.layers.add({ name: `${n}_add2` }), [x, y]);
  }
  x = apply(new LayerNorm({ name: 'norm' }), x);
  x = apply(new MeanTokens({ name: 'mean_tokens' }), x);
  return tf.model({ inputs: x0, outputs: head(s, x), name: 'VisionLSTM' });
}

function vit(o: Required<ModelOptions>): tf.LayersModel {
  const s = new Seeds(o.seed);
  const dim = 768;
  const x0 = input(o.size);
  let x = patchEmbed(s, x0, dim);
  x = apply(new ClassToken({ seed: s.take(), name: 'cls_token' }), x);
  x = apply(new PositionEmbedding({ seed: s.take(), name: 'pos_embed' }), x);
  for (let b = 1; b <= 12; b++) {
    const n = `block${b}`;
    let y = apply(new LayerNorm({ epsilon: 1e-6, name: `${n}_norm1` }), x);
    y = apply(new MultiHeadSelfAttention({ heads: 12, dropout: 0.1, seed: s.take() * 10, name: `${n}_attn` }), y);
    x = apply(tf.layers.add({ name: `${n}_add1` }), [x, y]);
    y = mlp(s, apply(new LayerNorm({ epsilon: 1e-6, name: `${n}_norm2` }), x), 4 * dim, dim, 0.1, `${n}_mlp`);
    x = apply(tf.layers.add({ name: `${n}_add2` }), [x, y]);
  }
  x = apply(new LayerNorm({ epsilon: 1e-6, name: 'norm' }), x);
  x = apply(new TakeFirstToken({ name: 'cls_out' }), x);
  return tf.model({ inputs: x0, outputs: head(s, x), name: 'ViT' });
}

const BUILDERS: Record<ModelName, (o: Required<ModelOptions>) => tf.LayersModel> = {
  AlexNet2D: alexNet,
  SENet: seNet,
  ConvNeXtV2_2D: convNeXt,
  VisionLSTM: visionLstm,
  ViT: vit,
};

export function isModelName(x: string): x is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(x);
}

/** Builds one model (weights initialised, seeded). The caller disposes it. Throws on a size below MIN_SIZE. */
export function buildModel(name: ModelName, options: ModelOptions): tf.LayersModel {
  if (!Number.isInteger(options.size) || options.size < MIN_SIZE[name]) {
    throw new RangeError(`${name} needs an input size ≥ ${MIN_SIZE[name]} (got ${options.size})`);
  }
  return BUILDERS[name]({ size: options.size, seed: options.seed ?? 0, grn: options.grn ?? false });
}

/** Trainable parameters (batch-norm running statistics are not trainable, as in PyTorch). */
export function countParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);
}

/** Builds each model at `size`, counts, disposes. AlexNet and ViT allocate ~230/340 MB of weights while counting. */
export function modelParameterCounts(size: number, options: { grn?: boolean } = {}): Record<ModelName, number> {
  const out = {} as Record<ModelName, number>;
  for (const name of MODEL_NAMES) {
    const m = buildModel(name, { size, grn: options.grn ?? false });
    out[name] = countParameters(m);
    m.dispose();
  }
  return out;
}
