// The child-process side of tfjs-process.ts: `serveJob(run)` takes one job, runs it with the stage context as
// messages, reports its memory, sends a result or a typed error, and exits. One job per process: a wasm trap or an
// exhausted heap never reaches another stage's tfjs. Each stage has its own entry module (train-child.ts,
// evaluate-child.ts), which the stage names with `new URL(…, import.meta.url)`: so its code fingerprint covers exactly
// the job it runs.
import { toGlioflowError } from '../../engine/result.js';
import type { JobContext } from './job-context.js';
import type { ChildMessage, ParentMessage, TfjsJob } from './tfjs-process.js';

export function serveJob<J extends TfjsJob, R>(kind: J['kind'], run: (job: J, ctx: JobContext) => Promise<R>): void {
  if (!process.send) throw new Error('a tfjs child runs as a child process with an IPC channel (tfjs-process.ts)');
  const send = (m: ChildMessage<R>): Promise<void> => new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));

  // Ctrl-C reaches the whole process group; the parent tells us to stop (an 'abort' message) so the checkpoint is kept.
  process.on('SIGINT', () => undefined);
  process.on('disconnect', () => process.exit(1)); // the parent is gone

  const memory = (): ChildMessage<R> => ({ type: 'memory', rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 });
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
      let reply: ChildMessage<R>;
      try {
        if (m.job.kind !== kind) throw new Error(`a ${kind} child was sent a ${m.job.kind} job`);
        reply = { type: 'done', result: await run(m.job as J, ctx) };
      } catch (e) {
        reply = { type: 'failed', error: toGlioflowError(e, { kind: 'internal' }) };
      }
      await send(memory());
      await send(reply);
      process.exit(0);
    })();
  });
}
