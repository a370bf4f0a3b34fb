// The wasm kernels with products and convolutions on wasm's own XNNPACK: the fallback where relaxed SIMD is missing.
import { wasmKernelSuite } from './wasm-kernels-suite.js';

wasmKernelSuite({ fmaGemm: false });
