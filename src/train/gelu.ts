// Exact GELU as one op with its own gradient: two kernels on wasm (gelu.wat, on tfjs's heap) and on cpu (the same
// formulas in JS), so a forward is one pass and a backward one pass. Composed of tfjs ops (x·Φ(x) with erf), the
// forward was five element-wise passes and the backward the autodiff of them, through wasm's scalar Exp and Erf:
// ~0.9 s of a 3 s ConvNeXtV2_2D step at 64×64. Other backends (tfjs-node) keep the composed formula.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { compileWat, heapOffset, onHeap, type WasmHeapBackend } from './wat.js';

const FORWARD = 'GlioflowGelu';
const BACKWARD = 'GlioflowGeluGrad';

// erf as Abramowitz & Stegun 7.1.26, tfjs's own constants (backend_util.ERF_*), also in gelu.wat
const P = 0.3275911;
const A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429] as const;

function erf(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + P * a);
  const poly = ((((A[4] * t + A[3]) * t + A[2]) * t + A[1]) * t + A[0]) * t;
  const y = 1 - poly * Math.exp(-a * a);
  return x < 0 ? -y : y;
}
const cdf = (x: number): number => 0.5 * (1 + erf(x * Math.SQRT1_2));

interface GeluExports {
  gelu(x: number, y: number, n: number): void;
  geluGrad(x: number, dy: number, dx: number, n: number): void;
}

const compiled = compileWat(new URL('./gelu.wat', import.meta.url));
const wasmForward: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  const b = backend as unknown as WasmHeapBackend;
  const y = b.makeOutput(x.shape, 'float32');
  onHeap<GeluExports>(compiled, b).gelu(heapOffset(b, x), heapOffset(b, y), tf.util.sizeFromShape(x.shape));
  return y;
};

const wasmBackward: KernelFunc = ({ inputs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const b = backend as unknown as WasmHeapBackend;
  const dx = b.makeOutput(x.shape, 'float32');
  onHeap<GeluExports>(compiled, b).geluGrad(heapOffset(b, x), heapOffset(b, dy), heapOffset(b, dx), tf.util.sizeFromShape(x.shape));
  return dx;
};

interface CpuBackendInternals {
  readSync(dataId: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const cpuForward: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  const b = backend as unknown as CpuBackendInternals;
  const v = b.readSync(x.dataId);
  return b.makeTensorInfo(x.shape, 'float32', v.map((xi) => xi * cdf(xi)));
};

const cpuBackward: KernelFunc = ({ inputs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const b = backend as unknown as CpuBackendInternals;
  const v = b.readSync(x.dataId);
  const g = b.readSync(dy.dataId);
  return b.makeTensorInfo(x.shape, 'float32', v.map((xi, i) => g[i]! * (cdf(xi) + xi * Math.exp(-0.5 * xi * xi) * 0.3989422804014327)));
};

let registered = false;

/** Registers the two kernels on wasm and cpu (idempotent). */
export function registerGeluKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, backendName, kernelFunc] of [
    [FORWARD, 'wasm', wasmForward],
    [BACKWARD, 'wasm', wasmBackward],
    [FORWARD, 'cpu', cpuForward],
    [BACKWARD, 'cpu', cpuBackward],
  ] as const) {
    if (tf.getKernel(kernelName, backendName) === undefined) tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}

const fused = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([x]);
  const value = tf.engine().runKernel(FORWARD, { x }) as tf.Tensor;
  return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.engine().runKernel(BACKWARD, { x: saved[0]!, dy: dy as tf.Tensor }) as tf.Tensor };
}) as Parameters<typeof tf.customGrad<tf.Tensor>>[0]);

/** ½·x·(1 + erf(x/√2)), float32; one kernel each way where registered, the composed formula elsewhere. */
export function gelu(x: tf.Tensor): tf.Tensor {
  registerGeluKernels();
  if (x.dtype === 'float32' && tf.getKernel(FORWARD, tf.getBackend()) !== undefined) return fused(x);
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}
