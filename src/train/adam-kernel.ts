// The Adam update as a wasm SIMD kernel (adam-kernel.wat, assembled by wabt when this module loads: wat.ts). Why: the update
// is one pass over every weight, and as a JS loop it ran at ~16 ns per weight on our 2-core machines (V8 neither
// vectorises it nor keeps it in float32): 1.5–1.9 s of a ~3.5 s AlexNet2D step (57 M weights). The kernel owns the
// moments, in a WebAssembly memory of its own (the tfjs wasm heap stops at 4 GB and is needed for activations); the
// weights and gradients, wherever they lie (tfjs's heap or a JS array), are copied through in chunks, which costs
// little next to the arithmetic.
import { compileWat, wasmApi } from './wat.js';

/** Floats per chunk copied through the kernel's scratch space: 256 KB per region, well inside L2 with its peers. */
const CHUNK = 65536;
const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GB: wasm32's limit

interface AdamExports {
  axpy(acc: number, d: number, n: number, w: number, first: number): void;
  adam(p: number, g: number, m: number, v: number, out: number, n: number, b1: number, k1: number, b2: number, k2: number, l2: number, shrink: number, step: number, rootC2: number, eps: number): void;
}

const compiled = compileWat(new URL('./adam-kernel.wat', import.meta.url));

/** The scalars of one update (see adam-kernel.wat). */
export interface AdamScalars {
  b1: number;
  b2: number;
  l2: number;
  shrink: number;
  step: number;
  rootC2: number;
  eps: number;
}

const roundUp4 = (n: number): number => (n + 3) & ~3;

export class AdamKernel {
  private readonly exports: AdamExports;
  private readonly offsets: number[]; // byte offset of parameter i's m; its v at + vOffset, its gradient sum at + 2·vOffset
  private readonly vOffset: number;
  private readonly scratch: { p: number; g: number; out: number };
  private readonly floats: Float32Array;

  /** Moments for parameters of these sizes, zero-filled. */
  constructor(readonly sizes: readonly number[]) {
    this.offsets = [];
    let bytes = 0;
    for (const n of sizes) {
      this.offsets.push(bytes);
      bytes += roundUp4(n) * 4;
    }
    this.vOffset = bytes;
    const scratchAt = 3 * bytes; // m, v, and the sum of a step's gradient pieces

    this.scratch = { p: scratchAt, g: scratchAt + CHUNK * 4, out: scratchAt + 2 * CHUNK * 4 };
    const pages = Math.ceil((scratchAt + 3 * CHUNK * 4) / PAGE);
    if (pages > MAX_PAGES) throw new Error(`Adam's moments for ${sizes.reduce((a, b) => a + b, 0)} weights need ${(pages * PAGE / 2 ** 30).toFixed(1)} GB, over wasm's 4 GB`);
    const memory = new wasmApi.Memory({ initial: pages, maximum: pages });
    this.exports = new wasmApi.Instance(compiled, { env: { memory } }).exports as AdamExports;
    this.floats = new Float32Array(memory.buffer); // the memory never grows, so this view stays valid
  }

  /** Parameter i's first and second moments (views of the kernel's memory: write to restore them). */
  moments(i: number): { m: Float32Array; v: Float32Array } {
    const at = this.offsets[i]! / 4;
    const n = this.sizes[i]!;
    return { m: this.floats.subarray(at, at + n), v: this.floats.subarray(at + this.vOffset / 4, at + this.vOffset / 4 + n) };
  }

  /**
   * Adds piece gradient d, weighted, to parameter i's gradient sum (kept in the kernel's memory for
   * `updateFromSum`); `first` starts a new sum. Pieces must come in the same order every step for the same sum.
   */
  accumulate(i: number, d: Float32Array, weight: number, first: boolean): void {
    const n = this.sizes[i]!;
    if (d.length !== n) throw new Error(`Adam: parameter ${i} has ${n} weights, a gradient piece ${d.length}`);
    const sg = this.scratch.g;
    const sum = this.offsets[i]! + 2 * this.vOffset;
    for (let off = 0; off < n; off += CHUNK) {
      const len = Math.min(CHUNK, n - off);
      this.floats.set(d.subarray(off, off + len), sg / 4);
      this.exports.axpy(sum + off * 4, sg, len, weight, first ? 1 : 0);
    }
  }

  /** One update of parameter i with the gradient sum `accumulate` built. */
  updateFromSum(i: number, p: Float32Array, out: Float32Array, s: AdamScalars): void {
    this.run(i, p, undefined, out, s);
  }

  /** One update of parameter i: reads p and g, writes the new weights to out (which may be p), updates m and v. */
  update(i: number, p: Float32Array, g: Float32Array, out: Float32Array, s: AdamScalars): void {
    this.run(i, p, g, out, s);
  }

  /** g undefined: the gradient is parameter i's sum of pieces, already in the kernel's memory. */
  private run(i: number, p: Float32Array, g: Float32Array | undefined, out: Float32Array, s: AdamScalars): void {
    const n = this.sizes[i]!;
    if (p.length !== n || (g !== undefined && g.length !== n) || out.length !== n) throw new Error(`Adam: parameter ${i} has ${n} weights, got ${p.length}/${g?.length ?? n}/${out.length}`);
    const f = this.floats;
    const { p: sp, g: sg, out: so } = this.scratch;
    for (let off = 0; off < n; off += CHUNK) {
      const len = Math.min(CHUNK, n - off);
      f.set(p.subarray(off, off + len), sp / 4);
      const m = this.offsets[i]! + off * 4;
      if (g !== undefined) f.set(g.subarray(off, off + len), sg / 4);
      const grad = g !== undefined ? sg : m + 2 * this.vOffset;
      this.exports.adam(sp, grad, m, m + this.vOffset, so, len, s.b1, 1 - s.b1, s.b2, 1 - s.b2, s.l2, s.shrink, s.step, s.rootC2, s.eps);
      out.set(f.subarray(so / 4, so / 4 + len), off);
    }
  }
}
