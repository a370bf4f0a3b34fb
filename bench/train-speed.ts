// Training benchmark: images/s of each model at 64×64, batch 32, on the best CPU backend available (what
// `measureTrainingSpeed` picks: tensorflow if tfjs-node's binding is installed, else wasm), against PyTorch CPU
// (Debian python3-torch, 2 threads, bench/torch/models.py) in the same run. Target: ours ≥ 0.5× PyTorch per model.
//
//   npx tsx bench/train-speed.ts [--size 64] [--batch 32] [--steps 5] [--warmup 1] [--vit-steps 2]
//                                [--torch-steps 5] [--torch-warmup 2] [--threads 2] [--models A,B]
//
// Ours and PyTorch alternate per model (ours, torch, next model…) so that load drifts on the shared cores hit both.
// ViT is by far the slowest on wasm (0.6–1 image/s: 30–50 s a step at batch 32 here), so it gets --vit-steps timed
// steps (default 2) after one warm-up step, and PyTorch 1 + 3: a rougher figure than the others (the table gives steps).
// The whole run takes ~7–8 minutes on 2 loaded cores. For a model below target, the share of its step spent in our
// Adam update is measured too (3 extra updates on constant gradients, the first untimed), to say what limits it.
// The ceiling: the rate of wasm's matrix product as our kernels run it (gemm.wat's FMA product where relaxed SIMD
// runs, else XNNPACK; one thread, measured in this run) and each model's
// multiply-adds (bench/torch/flops.py, PyTorch's own count) give the fastest a step could run on wasm here, however
// little else it did; against PyTorch's figure it says whether 0.5× is within reach at all.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { probeBackend, selectBackend } from '../src/train/backend.js';
import type { SpeedResult } from '../src/train/bench-speed.js';
import { buildModel, isModelName, MODEL_NAMES, type ModelName } from '../src/train/models.js';
import { TorchAdam } from '../src/train/optimizer.js';
import { wasmProductKernel } from '../src/train/wasm-kernels.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
};
const size = arg('size', 64);
const batch = arg('batch', 32);
const steps = arg('steps', 5);
const warmup = arg('warmup', 1);
const vitSteps = arg('vit-steps', 2);
const torchSteps = arg('torch-steps', 5);
const torchWarmup = arg('torch-warmup', 2);
const threads = arg('threads', 2);
const modelsArg = process.argv.indexOf('--models');
const models: ModelName[] = [];
for (const m of modelsArg >= 0 ? (process.argv[modelsArg + 1] ?? '').split(',') : MODEL_NAMES) {
  if (!isModelName(m)) throw new Error(`unknown model ${m}; known: ${MODEL_NAMES.join(', ')}`);
  models.push(m);
}

const repo = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-torch (not the pyenv one)
const TARGET = 0.5;

interface TorchRow {
  images_per_s: number;
  peak_rss_bytes?: number;
  steps: number;
  threads: number;
  torch: string;
}
type TorchOutcome = { ok: true; row: TorchRow } | { ok: false; why: string };

const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__, "with oneDNN" if torch.backends.mkldnn.is_available() else "without oneDNN")'], { encoding: 'utf8' });
const torchVersion = probe.status === 0 ? probe.stdout.trim() : null;

function runTorch(model: ModelName): TorchOutcome {
  const vit = model === 'ViT';
  const r = spawnSync(
    PYTHON,
    ['bench/torch/train_speed.py', '--models', model, '--size', `${size}`, '--batch', `${batch}`, '--threads', `${threads}`,
      '--steps', `${vit ? 3 : torchSteps}`, '--warmup', `${vit ? 1 : torchWarmup}`],
    { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (r.status !== 0) return { ok: false, why: `exit ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as Partial<TorchRow> & { model?: string };
    if (o.model === model && typeof o.images_per_s === 'number') return { ok: true, row: o as TorchRow };
  }
  return { ok: false, why: 'no result line in its output' };
}

/** Seconds one step of our Adam takes for this model (optimizer.ts: the wasm SIMD kernel, copies in and out included). */
function adamSeconds(model: ModelName): number {
  const m = buildModel(model, { size, seed: 0 });
  try {
    const params = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = new TorchAdam(params, { kind: 'adam', lr: 1e-4, weightDecay: 1e-5 });
    const grads = params.map((p) => new Float32Array(p.size).fill(1e-3));
    opt.apply(grads);
    const t = performance.now();
    for (let i = 0; i < 2; i++) opt.apply(grads);
    return (performance.now() - t) / 2000;
  } finally {
    m.dispose();
  }
}

/** GFLOP/s of wasm's matrix product as training runs it (tf.matMul through our kernels), one thread. */
function gemmRate(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const [m, k, n] = [512, 2048, 2048];
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    tf.matMul(a, b).dispose(); // wasm is synchronous: the product is done when the call returns
    times.push(performance.now() - t);
  }
  tf.dispose([a, b]);
  const sorted = times.slice(1).sort((x, y) => x - y);
  return (2 * m * k * n) / (sorted[Math.floor(sorted.length / 2)]! / 1000) / 1e9;
}

/** Forward multiply-adds per image, by PyTorch's profiler (bench/torch/flops.py), or null without PyTorch. */
function forwardMacs(): Map<string, number> | null {
  const r = spawnSync(PYTHON, ['bench/torch/flops.py', '--size', `${size}`, '--models', models.join(',')], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) return null;
  const out = new Map<string, number>();
  for (const line of r.stdout.split('\n')) if (line.startsWith('{')) {
    const o = JSON.parse(line) as { model: string; forward_macs_per_image: number };
    out.set(o.model, o.forward_macs_per_image);
  }
  return out;
}

type Ours = (SpeedResult | { error: string }) & { peak_rss_bytes?: number };

/** Our speed for one model in a process of its own (bench/train-speed-one.ts), so its peak memory is its own. */
function measureOurs(model: ModelName, timedSteps: number): Ours {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/train-speed-one.ts', model, `${size}`, `${batch}`, `${timedSteps}`, `${warmup}`, `${threads}`], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) {
    const how = r.signal !== null ? `killed by ${r.signal}` : `exit ${r.status}`;
    return { error: `${how}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}` };
  }
  return JSON.parse(line) as Ours;
}

interface Row {
  model: ModelName;
  ours: Ours;
  torch: TorchOutcome | null;
  /** Seconds of Adam per step, measured only for models below target. */
  adam?: number;
  /** 1-minute load average after the pair ran: PyTorch's 2 threads suffer more from other work on the cores than our 1. */
  load: number;
}
// This process measures the Adam update and the product rate (ours run in processes of their own): the same backend.
for (const b of ['tensorflow', 'wasm', 'cpu'] as const) if ((await selectBackend(b)).ok) break;
tf.env().set('PROD', true);

const rows: Row[] = [];
for (const model of models) {
  const n = model === 'ViT' ? vitSteps : steps;
  process.stderr.write(`${model}: ours (${warmup} warm-up + ${n} timed steps)…\n`);
  const ours = measureOurs(model, n);
  let torch: TorchOutcome | null = null;
  if (torchVersion !== null) {
    process.stderr.write(`${model}: PyTorch…\n`);
    torch = runTorch(model);
  }
  const below = !('error' in ours) && torch?.ok === true && ours.imagesPerSecond / torch.row.images_per_s < TARGET;
  rows.push({ model, ours, torch, load: loadavg()[0] ?? 0, ...(below ? { adam: adamSeconds(model) } : {}) });
  process.stderr.write(`${model}: ${'error' in ours ? ours.error : ours.imagesPerSecond.toFixed(2)} vs ${torch === null ? '-' : torch.ok ? torch.row.images_per_s : torch.why}\n`);
}

process.stderr.write('ceiling: wasm matrix product rate, multiply-adds per model…\n');
const rate = gemmRate();
const wasmProducts = wasmProductKernel() === 'relaxed-simd-fma' ? 'gemm.wat, fused multiply-adds' : 'XNNPACK'; // what gemmRate measured
const macs = torchVersion === null ? null : forwardMacs();
/** Images/s if a step were nothing but its multiply-adds (≈ 3 forwards) at `rate` on `threads` threads. */
const ceiling = (model: ModelName, threadsUsed: number): number | null => {
  const perImage = macs?.get(model);
  return rate === null || perImage === undefined ? null : (threadsUsed * rate * 1e9) / (3 * 2 * perImage);
};

const f = (x: number): string => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
const out: string[] = [];
const backends = [...new Set(rows.flatMap((r) => ('error' in r.ours ? [] : [r.ours.backend])))];
out.push(
  `${size}×${size}, batch ${batch}, synthetic data; one training step = training-mode forward, BCE on logits, gradients, Adam (lr 1e-4, wd 1e-5). ` +
    `Ours: \`measureTrainingSpeed\` (src/train/bench-speed.ts), each model in a process of its own (bench/train-speed-one.ts: its peak RSS is its own, as the train stage runs it), ${threads} threads asked (data-parallel gradient pieces; SENet's share their batch norm statistics where two pieces hold the batch; AlexNet2D is not split by default), the trainer's automatic pieces (src/train/step-plan.ts), ${warmup} warm-up step(s) then ${steps} timed (ViT: ${vitSteps}, being by far the slowest: a rougher figure). ` +
    (torchVersion === null
      ? `PyTorch: not available (\`${PYTHON} -c 'import torch'\` failed; Debian python3-torch): ours only, no ratio this run.`
      : `PyTorch ${torchVersion} CPU, ${threads} threads asked (${[...new Set(rows.flatMap((r) => (r.torch?.ok ? [r.torch.row.threads] : [])))].join('/')} reported), bench/torch/train_speed.py, ${torchWarmup} warm-up then ${torchSteps} timed (ViT: 1 then 3). Ours and PyTorch alternate per model.`),
  '',
  '| model | ours images/s | backend | PyTorch images/s | ours / PyTorch | ≥ 0.5× PyTorch? | peak RSS ours / PyTorch | ceiling on wasm here (of it: ours) | ceiling / PyTorch | load after |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
);
for (const { model, ours, torch, load } of rows) {
  const o = 'error' in ours ? `failed (${ours.error})` : `${f(ours.imagesPerSecond)} (${ours.steps} step${ours.steps === 1 ? '' : 's'}, ${ours.seconds.toFixed(1)} s)`;
  const be = 'error' in ours ? '-' : `${ours.backend}, ${ours.threads} thread${ours.threads === 1 ? '' : 's'}${ours.microBatch === undefined ? '' : `, pieces of ${ours.microBatch}`}`;
  const t = torch === null ? 'n/a' : torch.ok ? f(torch.row.images_per_s) : `failed (${torch.why})`;
  const ratio = !('error' in ours) && torch?.ok ? ours.imagesPerSecond / torch.row.images_per_s : null;
  const cap = 'error' in ours ? null : ceiling(model, ours.threads);
  const capText = cap === null || 'error' in ours ? 'n/a' : `${f(cap)} (${((100 * ours.imagesPerSecond) / cap).toFixed(0)}%)`;
  const capRatio = cap !== null && torch?.ok ? `${(cap / torch.row.images_per_s).toFixed(2)}×` : 'n/a';
  const gb = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 30).toFixed(1)} GB`);
  const rss = `${gb(ours.peak_rss_bytes)} / ${torch?.ok ? gb(torch.row.peak_rss_bytes) : 'n/a'}`;
  out.push(`| ${model} | ${o} | ${be} | ${t} | ${ratio === null ? 'n/a' : `${ratio.toFixed(3)}×`} | ${ratio === null ? 'n/a' : ratio >= TARGET ? 'yes' : '**no**'} | ${rss} | ${capText} | ${capRatio} | ${load.toFixed(2)} |`);
}
const ratios = rows.map((r) => (!('error' in r.ours) && r.torch?.ok ? r.ours.imagesPerSecond / r.torch.row.images_per_s : null));
const met = ratios.every((x) => x !== null && x >= TARGET);
out.push(
  '',
  'On 2 shared cores PyTorch\'s 2 threads lose more to other work than our single thread does (a descheduled OpenMP thread stalls the other), so its figure, and the ratio, move with the load: read them with the load column.',
  '',
  rate === null || macs === null
    ? 'Ceiling: not measured (needs the wasm backend and PyTorch).'
    : `Ceiling: wasm's matrix product ran at ${rate.toFixed(1)} GFLOP/s on one thread in this run ([512,2048]·[2048,2048] through tf.matMul and our kernels: ${wasmProducts}); a step is ≈ 3 forwards of multiply-adds (${models.map((m) => `${m} ${((macs.get(m) ?? 0) / 1e6).toFixed(0)} M`).join(', ')} per image forward, PyTorch's profiler, bench/torch/flops.py). The ceiling is the images/s of a step that did nothing but those multiply-adds at that rate on the threads ours used; "of it: ours" is how close we are. A ceiling below 0.5× PyTorch means the target cannot be met on wasm on this machine with those threads, whatever the rest of the step costs; one just above it would need everything but the products to cost nothing.`,
  '',
  torchVersion === null
    ? 'Target (≥ 0.5× PyTorch for every model): not checked (no PyTorch).'
    : `Target (≥ 0.5× PyTorch for every model): **${met ? 'met' : 'NOT met'}**${met ? '' : ` (below for ${rows.filter((_, i) => !((ratios[i] ?? -1) >= TARGET)).map((r) => r.model).join(', ')})`}.`,
);

// Why, as src/train/README.md and the code say it; the backend's reasons come from the probe of this run, the Adam
// shares from adamSeconds above.
const skipped = probeBackend('auto').reasons.map((r) => `${r.backend}: ${r.kind}`);
const onWasm = backends.includes('wasm');
const short = rows.filter((_, i) => !((ratios[i] ?? -1) >= TARGET)).map((r) => r.model);
const adamShares = rows.flatMap((r) =>
  r.adam === undefined || 'error' in r.ours ? [] : [`${r.model} ${r.adam.toFixed(2)} s of a ${((r.ours.seconds / r.ours.steps)).toFixed(1)} s step (${((100 * r.adam * r.ours.steps) / r.ours.seconds).toFixed(0)}%)`],
);
// Model-specific limits are listed for the models that fall short (or all measured ones when there is no PyTorch).
const shows = (m: ModelName): boolean => (torchVersion === null ? models.includes(m) : short.includes(m));
out.push('', `What limits us${short.length > 0 && torchVersion !== null ? ` (short: ${short.join(', ')})` : ''}:`, '');
const below = (m: ModelName): string => {
  const row = rows.find((r) => r.model === m);
  const cap = row === undefined || 'error' in row.ours ? null : ceiling(m, row.ours.threads);
  const t = row?.torch;
  return cap === null || !t?.ok ? '' : ` (ceiling ${(cap / t.row.images_per_s).toFixed(2)}× PyTorch this run)`;
};
if (onWasm) {
  out.push(
    `- **No native backend.** ${skipped.length > 0 ? `Skipped before wasm: ${skipped.join('; ')}. ` : ''}tfjs-node (TensorFlow's C++ kernels, multi-threaded) would be picked first; here training runs on the wasm backend.`,
    `- **wasm's arithmetic is 128-bit SIMD on one thread per process**${rate === null ? '' : ` (its matrix product: ${rate.toFixed(1)} GFLOP/s here)`}, where PyTorch's oneDNN uses the CPU's widest vectors (AVX2/AVX-512) on 2 threads. That is the ceiling column: it is the bound, not the code around the products.`,
    "- **Threads come from data parallelism** (src/train/data-parallel.ts: gradient pieces on worker threads, summed in piece order, bit-identical to one thread). SENet's two pieces run at once and share their batch norm statistics (src/train/sync-batch-norm.ts: 106 exchanges a step between the threads, each waiting for the slower)" + below('SENet') + "; AlexNet2D is not split (its fully connected layers read their 54 M weights once per piece whatever the rows: two threads measured slower, 10.5 against 15.8 images/s, on 2026-12-01).",
    "- **Kernels of our own where tfjs's were slow** (src/train: gemm.wat, conv-cols.wat, wasm-kernels.ts, channel-reductions.ts, weight-lhs-product.ts, depthwise.wat, gelu.wat, layer-norm.wat, heap-transpose.wat, adam-kernel.wat). Products and convolutions run on our FMA product (relaxed SIMD, 128-bit): about half of what one core's 256-bit FMA units can do, which PyTorch uses.",
  );
}
out.push(
  `- **Adam** is a wasm SIMD kernel (src/train/adam-kernel.wat) that keeps the moments and the sum of a step's gradient pieces in its own memory (the tfjs heap stops at 4 GB)${adamShares.length > 0 ? `; measured this run (3 updates on constant gradients, the first untimed): ${adamShares.join(', ')}` : ''}.`,
  `- **Steps are cut into pieces where the wasm heap needs it** (src/train/step-plan.ts: one thread's heap estimated as fixed + rows × activations, measured per model, kept within 2.5 of wasm's 4 GB): pieces this run: ${rows.map((r) => `${r.model} ${'error' in r.ours ? '?' : r.ours.microBatch === undefined ? 'whole' : `${Math.ceil(batch / r.ours.microBatch)} × ${r.ours.microBatch}`}`).join(', ')}. Each piece reads every weight and adds a weight-sized gradient, so small pieces of large models (ViT's 85 M weights) pay that many times a step${below('ViT')}.`,
  ...(!shows('VisionLSTM') ? [] : ["- **VisionLSTM's BiLSTM is a per-time-step loop of small ops** (src/train/lstm-recurrence.ts, with its own backward; our own layer, for PyTorch's parameters) where PyTorch has a fused LSTM kernel."]),
);
process.stdout.write(`${out.join('\n')}\n`);
process.exitCode = rows.some((r) => 'error' in r.ours) ? 1 : 0;
