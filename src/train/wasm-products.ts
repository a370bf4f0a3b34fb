// Which kernel will compute wasm's float32 products in this Node (gemm.ts): our FMA product where the engine has
// relaxed SIMD, XNNPACK where it has not. The two round differently, so the answer is part of a training stage's key,
// and it must be known without loading tfjs or assembling our kernels: the probe is a hand-encoded module of one
// f32x4.relaxed_madd (what gemm.ts's own probe assembles), validated as gemm.ts does, first as the engine starts and
// then with --experimental-wasm-relaxed-simd (Node 20; on by default from Node 22).
import { setFlagsFromString } from 'node:v8';

// (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // body: relaxed_madd (0xfd 0x105)
]);

export type WasmProducts = 'relaxed-simd-fma' | 'xnnpack';

// the lib settings have no DOM/WebAssembly types; Node has the global
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** The kernel gemm.ts will use in this process. Sets the V8 flag on Node 20, as gemm.ts does when it loads. */
export function predictWasmProducts(): WasmProducts {
  if (wasm.validate(PROBE)) return 'relaxed-simd-fma';
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return wasm.validate(PROBE) ? 'relaxed-simd-fma' : 'xnnpack';
}
