// One model's training speed in a process of its own (as the train stage runs it: tfjs-process.ts), so that its peak
// resident memory is its own: prints one JSON line, the SpeedResult and `peak_rss_bytes` (or `error`).
//   node --import tsx bench/train-speed-one.ts MODEL SIZE BATCH STEPS WARMUP THREADS
import { measureTrainingSpeed } from '../src/train/bench-speed.js';
import { isModelName } from '../src/train/models.js';

const [model, size, batch, steps, warmup, threads] = process.argv.slice(2);
if (!model || !isModelName(model)) throw new Error(`unknown model ${model}`);
const r = await measureTrainingSpeed({ models: [model], size: Number(size), batch: Number(batch), steps: Number(steps), warmup: Number(warmup), threads: Number(threads) });
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify(r.ok ? { ...r.value[0], peak_rss_bytes: peak } : { error: `${r.error.kind}: ${r.error.message}`, peak_rss_bytes: peak })}\n`);
