// One training step of one piece of `rows` rows for `model` at `size` on wasm: the wasm heap before and after, RSS.
//   npx tsx bench/probe-step-memory.ts MODEL SIZE ROWS
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/train/backend.js';
import { buildModel, LABELS, type ModelName } from '../src/train/models.js';
import { TorchAdam } from '../src/train/optimizer.js';
import { trainStep } from '../src/train/step.js';

const [name, sizeS, rowsS] = process.argv.slice(2);
const size = Number(sizeS);
const rows = Number(rowsS);
const sel = await selectBackend('wasm');
if (!sel.ok) throw new Error(sel.error.message);
const heap = (): number => ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength);
const model = buildModel(name as ModelName, { size, seed: 0 });
const opt = new TorchAdam(model.trainableWeights.map((w) => w.read() as tf.Variable), { kind: 'adam', lr: 1e-4, weightDecay: 1e-5 });
const x = tf.randomNormal([rows, size, size, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
const y = tf.randomUniform([rows, LABELS.length], 0, 1, 'float32', 2).greater(0.5).cast('float32') as tf.Tensor2D;
const h0 = heap();
const t = performance.now();
try {
  for (let i = 0; i < 2; i++) await trainStep(model, opt, x, y, undefined, i, undefined, undefined);
  console.log(JSON.stringify({ name, size, rows, ok: true, heap0MB: h0 / 2 ** 20, heapMB: heap() / 2 ** 20, rssMB: process.memoryUsage().rss / 2 ** 20, s: (performance.now() - t) / 2000 }));
} catch (e) {
  console.log(JSON.stringify({ name, size, rows, ok: false, heap0MB: h0 / 2 ** 20, heapMB: heap() / 2 ** 20, err: String(e).slice(0, 200) }));
}
