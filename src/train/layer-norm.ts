// Layer normalisation over the last axis as one op with its own gradient: on wasm a SIMD kernel each way
// (layer-norm.wat, on tfjs's heap; the forward keeps each row's mean and 1/σ for the backward). Composed of tfjs ops
// it was ~8 element-wise passes forward and ~15 backward, through wasm's reductions and broadcasts. Other backends,
// and rows whose length is not a multiple of 4, keep the composed formula (tf.moments, as before).
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { compileWat, heapOffset, onHeap, type WasmHeapBackend } from './wat.js';

const FORWARD = 'GlioflowLayerNorm';
const BACKWARD = 'GlioflowLayerNormGrad';

interface LayerNormExports {
  forward(x: number, gamma: number, beta: number, y: number, mean: number, rstd: number, rows: number, c: number, eps: number): void;
  backward(x: number, gamma: number, dy: number, mean: number, rstd: number, dx: number, dgamma: number, dbeta: number, rows: number, c: number): void;
}

const compiled = compileWat(new URL('./layer-norm.wat', import.meta.url));

const rowsOf = (shape: number[]): [number, number] => {
  const c = shape[shape.length - 1]!;
  return [tf.util.sizeFromShape(shape) / c, c];
};

const forwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const eps = (attrs as unknown as { epsilon: number }).epsilon;
  const b = backend as unknown as WasmHeapBackend;
  const [rows, c] = rowsOf(x.shape);
  const y = b.makeOutput(x.shape, 'float32');
  const mean = b.makeOutput([rows], 'float32');
  const rstd = b.makeOutput([rows], 'float32');
  onHeap<LayerNormExports>(compiled, b).forward(heapOffset(b, x), heapOffset(b, gamma), heapOffset(b, beta), heapOffset(b, y), heapOffset(b, mean), heapOffset(b, rstd), rows, c, eps);
  return [y, mean, rstd];
};

const backwardKernel: KernelFunc = ({ inputs, backend }) => {
  const { x, gamma, dy, mean, rstd } = inputs as { x: TensorInfo; gamma: TensorInfo; dy: TensorInfo; mean: TensorInfo; rstd: TensorInfo };
  const b = backend as unknown as WasmHeapBackend;
  const [rows, c] = rowsOf(x.shape);
  const dx = b.makeOutput(x.shape, 'float32');
  const dgamma = b.makeOutput([c], 'float32');
  const dbeta = b.makeOutput([c], 'float32');
  onHeap<LayerNormExports>(compiled, b).backward(heapOffset(b, x), heapOffset(b, gamma), heapOffset(b, dy), heapOffset(b, mean), heapOffset(b, rstd), heapOffset(b, dx), heapOffset(b, dgamma), heapOffset(b, dbeta), rows, c);
  return [dx, dgamma, dbeta];
};

let registered = false;

/** Registers the two kernels on wasm (idempotent). */
export function registerLayerNormKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, kernelFunc] of [[FORWARD, forwardKernel], [BACKWARD, backwardKernel]] as const) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}

function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, x.rank - 1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).mul(gamma).add(beta);
  });
}

/** (x − μ)/√(σ² + ε)·γ + β over the last axis of x; γ and β have that axis' length. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  registerLayerNormKernels();
  const c = x.shape[x.rank - 1]!;
  const fits = x.dtype === 'float32' && c % 4 === 0 && x.size > 0;
  if (!fits || tf.getKernel(FORWARD, tf.getBackend()) === undefined) return composed(x, gamma, beta, epsilon);
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, bt] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, rstd] = tf.engine().runKernel(FORWARD, { x: xi, gamma: g, beta: bt }, { epsilon } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([xi, g, mean!, rstd!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sg, sm, sr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(BACKWARD, { x: sx, gamma: sg, dy: dy as tf.Tensor, mean: sm, rstd: sr }) as tf.Tensor[];
      },
    };
  }) as Parameters<typeof tf.customGrad<tf.Tensor>>[0]);
  return op(x, gamma, beta);
}
