// EXPERIMENT for #5 (training speed), not used by glioflow: how much faster tfjs's wasm kernels run with the
// threaded-SIMD build (2 pthreads, through bench/wasm-threads/shim.cjs) than with the single-threaded SIMD build
// glioflow uses, in two processes on the same machine, one after the other, and whether the outputs are identical;
// then whole training steps of four models.
//   npx tsx bench/wasm-threads.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Run {
  mode: string;
  info: { threads: number; pthreads: boolean };
  results: { name: string; ms: number; gflops: number }[];
}

const script = fileURLToPath(new URL('./wasm-threads/kernels.cjs', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'glioflow-wasm-threads-'));
const run = (mode: string): Run => {
  const r = spawnSync(process.execPath, [script, mode, out], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${mode}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Run;
};
const single = run('single');
const threaded = run('threaded');

// Whole training steps: the two models glioflow does not split over threads, and the three it does (for those, the
// threaded build is compared with the data-parallel split it uses now).
interface Step {
  mode: string;
  model: string;
  imagesPerSecond: number;
  threads: number;
}
const stepScript = fileURLToPath(new URL('./wasm-threads/train-step.mjs', import.meta.url));
const steps = (mode: string, models: string[]): Step[] => {
  const r = spawnSync(process.execPath, [stepScript, mode, ...models], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${mode}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Step);
};
const unsplit = ['SENet', 'AlexNet2D'];
const split = ['ConvNeXtV2_2D', 'VisionLSTM'];
const rate = (rows: Step[], model: string): number => rows.find((r) => r.model === model)?.imagesPerSecond ?? Number.NaN;
const stepSingle = steps('single', unsplit);
const stepThreaded = steps('threaded', [...unsplit, ...split]);
const stepSplit = steps('split', split);
const maxDiff = (i: number): number => {
  const a = new Float32Array(readFileSync(join(out, `single-${i}.bin`)).buffer.slice(0));
  const b = new Float32Array(readFileSync(join(out, `threaded-${i}.bin`)).buffer.slice(0));
  let d = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs((a[k] as number) - (b[k] as number)));
  return d;
};
const lines = [
  `tfjs-backend-wasm 4.22, SIMD build (1 thread) vs threaded-SIMD build (threads reported: ${threaded.info.threads}, pthread workers: ${threaded.info.pthreads}); median of 5 calls after a warm-up, each synchronised by dataSync.`,
  '',
  '| kernel | 1 thread | 2 pthreads | speed-up | max abs difference |',
  '| --- | --- | --- | --- | --- |',
  ...single.results.map((s, i) => {
    const t = threaded.results[i] as Run['results'][number];
    return `| ${s.name} | ${s.ms.toFixed(1)} ms (${s.gflops.toFixed(1)} GFLOP/s) | ${t.ms.toFixed(1)} ms (${t.gflops.toFixed(1)} GFLOP/s) | ${(s.ms / t.ms).toFixed(2)}× | ${maxDiff(i)} |`;
  }),
  '',
  'Training at 64×64, batch 32 (1 warm-up, 3 timed steps), images/s:',
  '',
  '| model | now: how glioflow trains it | threaded-SIMD build, 2 pthreads | ratio |',
  '| --- | --- | --- | --- |',
  ...unsplit.map((m) => `| ${m} | ${rate(stepSingle, m).toFixed(2)} (1 thread, not split) | ${rate(stepThreaded, m).toFixed(2)} | ${(rate(stepThreaded, m) / rate(stepSingle, m)).toFixed(2)}× |`),
  ...split.map((m) => `| ${m} | ${rate(stepSplit, m).toFixed(2)} (split over 2 threads) | ${rate(stepThreaded, m).toFixed(2)} | ${(rate(stepThreaded, m) / rate(stepSplit, m)).toFixed(2)}× |`),
  '',
  'An experiment (bench/wasm-threads/shim.cjs patches Blob, URL.createObjectURL and os.cpus during backend init and relies on tfjs 4.22 internals); training does not use it yet. Element-wise ops are not threaded by tfjs.',
];
rmSync(out, { recursive: true, force: true });
process.stdout.write(`${lines.join('\n')}\n`);
