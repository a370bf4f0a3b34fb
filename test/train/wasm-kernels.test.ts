// The wasm kernels with products and convolutions on our FMA kernels (gemm.ts, conv-gemm.ts): the default.
import { wasmKernelSuite } from './wasm-kernels-suite.js';

wasmKernelSuite({ fmaGemm: true });
