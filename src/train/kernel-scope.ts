// Helpers for kernels composed of the wasm backend's own kernels: a scope that frees intermediates, and the conv
// geometry tfjs computes for a kernel's attributes.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

export type Backend = Parameters<KernelFunc>[0]['backend'];
interface Disposer { disposeData(dataId: object): unknown }
interface OutputMaker { makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo }
export interface Pads { top: number; bottom: number; left: number; right: number }

/** Calls one of the backend's own kernels; intermediates are tracked so they can be freed. */
export class KernelScope {
  private readonly temps: TensorInfo[] = [];
  constructor(private readonly backend: Backend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(name, 'wasm');
    if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  /** Tracks a result produced outside run() (a wrapped kernel called directly) so finish() frees it. */
  track(t: TensorInfo): TensorInfo {
    this.temps.push(t);
    return t;
  }

  /**
   * Frees every intermediate except `keep` (the kernel's output, owned by the engine). By object, not by dataId: a
   * Reshape shares its input's buffer and adds a reference to it, so when `keep` is a reshape of an intermediate,
   * that intermediate's reference must still be dropped, or the buffer outlives the engine's tensor.
   */
  finish(keep: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== keep) (this.backend as Disposer).disposeData(t.dataId);
    return keep;
  }

  /** A constant from JS values (the wasm backend copies them into its heap); freed by finish() like the rest. */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    return this.track((this.backend as unknown as OutputMaker).makeOutput(shape, 'float32', undefined, values));
  }

  /** A 2-D matrix product through the registered BatchMatMul (our transpose-rewriting wrapper when it is on). */
  matMul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
    const [ar, ac] = a.shape as [number, number];
    const [br, bc] = b.shape as [number, number];
    const out = this.run('BatchMatMul', { a: this.reshape(a, [1, ar, ac]), b: this.reshape(b, [1, br, bc]) }, { transposeA, transposeB });
    return this.reshape(out, [transposeA ? ac : ar, transposeB ? br : bc]);
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /**
   * Inserts stride − 1 zeros after each row and each column of an NHWC tensor ([N,H,W,C] → [N,H·sh,W·sw,C]):
   * [N,H,1,W,1,C] padded to [N,H,sh,W,sw,C] and flattened. Strides of 1 return `x` itself.
   */
  spread(x: TensorInfo, sh: number, sw: number): TensorInfo {
    if (sh === 1 && sw === 1) return x;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const padded = this.run('PadV2', { x: this.reshape(x, [n, h, 1, w, 1, c]) }, {
      paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0,
    });
    return this.reshape(padded, [n, h * sh, w * sw, c]);
  }

  /**
   * Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. Explicit padding lets us call the
   * convolutions with pad 'valid' only, and cropping handles the rows a strided 'valid' conv never reads.
   */
  padOrCrop(x: TensorInfo, p: Pads): TensorInfo {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    let cur = x;
    const crop = { top: Math.max(0, -p.top), bottom: Math.max(0, -p.bottom), left: Math.max(0, -p.left), right: Math.max(0, -p.right) };
    if (crop.top + crop.bottom + crop.left + crop.right > 0) {
      cur = this.run('Slice', { x: cur }, {
        begin: [0, crop.top, crop.left, 0],
        size: [n, h - crop.top - crop.bottom, w - crop.left - crop.right, c],
      });
    }
    const pad = { top: Math.max(0, p.top), bottom: Math.max(0, p.bottom), left: Math.max(0, p.left), right: Math.max(0, p.right) };
    if (pad.top + pad.bottom + pad.left + pad.right > 0) {
      cur = this.run('PadV2', { x: cur }, {
        paddings: [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]],
        constantValue: 0,
      });
    }
    return cur;
  }
}

export function convInfoOf(attrs: NamedAttrMap | undefined, xShape: number[], filterShape: number[], depthwise: boolean) {
  const a = (attrs ?? {}) as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    dilations?: [number, number] | number;
  };
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
  );
}

export type ConvInfo = ReturnType<typeof convInfoOf>;
