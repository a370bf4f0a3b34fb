// The child process of tfjs-process.ts: takes one job, runs it with the stage context as messages, reports its memory,
// sends a result or a typed error, and exits. One job per process: a wasm trap or an exhausted heap never reaches
// another stage's tfjs.
import { toGlioflowError } from '../../engine/result.js';
import type { JobContext } from './job-context.js';
import type { ChildMessage, ParentMessage } from './tfjs-process.js';

if (!process.send) throw new Error('tfjs-child.js runs as a child process with an IPC channel (tfjs-process.ts)');
const send = (m: ChildMessage): Promise<void> => new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));

// Ctrl-C reaches the whole process group; the parent tells us to stop (an 'abort' message) so the checkpoint is kept.
process.on('SIGINT', () => undefined);
process.on('disconnect', () => process.exit(1)); // the parent is gone

const memory = (): ChildMessage => ({ type: 'memory', rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 });
setInterval(() => void send(memory()), 1000).unref();

const controller = new AbortController();
const ctx: JobContext = {
  log: (level, message) => void send({ type: 'log', level, message }),
  progress: (update) => void send({ type: 'progress', update }),
  metrics: (reason, step, values) => void send({ type: 'metrics', reason, step, values }),
  record: (name, value) => void send({ type: 'record', name, value }),
  signal: controller.signal,
};

let started = false;
process.on('message', (m: ParentMessage) => {
  if (m.type === 'abort') {
    controller.abort();
    return;
  }
  if (started) return;
  started = true;
  void (async () => {
    let reply: ChildMessage;
    try {
      const result = m.job.kind === 'train' ? await (await import('./train-job.js')).runTrainJob(m.job, ctx) : await (await import('./evaluate-job.js')).runEvaluateJob(m.job, ctx);
      reply = { type: 'done', result };
    } catch (e) {
      reply = { type: 'failed', error: toGlioflowError(e, { kind: 'internal' }) };
    }
    await send(memory());
    await send(reply);
    process.exit(0);
  })();
});
