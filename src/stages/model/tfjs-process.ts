// Runs a stage's tfjs work (training, prediction) in a child process of its own, with its own tfjs engine and backend.
// A wasm trap ("memory access out of bounds" when the 4 GB heap is exhausted) leaves tfjs's wasm backend unusable in
// the process it happened in, and an out-of-memory kill takes the process with it: in a child, either fails that one
// stage, with a message naming what ran and the memory it had, and the stages after it start a fresh process.
//
// The child (tfjs-child.ts) reports through messages: logs, progress, metrics and records for the stage's context,
// its resident memory every second, and once a result or a typed error. Ctrl-C: the child ignores SIGINT (the
// terminal sends it to the whole process group) and stops when the stage's signal aborts, through a message, so it
// can finish its checkpoint; it is killed if it has not exited 30 s later.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GlioflowFailure, type JsonValue, type StageContext } from '../../engine/stage-api.js';
import type { GlioflowError } from '../../engine/result.js';
/** A job for a child: its kind names the child entry that runs it (train-child.ts, evaluate-child.ts). */
export interface TfjsJob {
  kind: string;
}

/** What a job may tell its stage while it runs (a subset of the stage context, as messages), and its end. */
export type ChildMessage<R = unknown> =
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'progress'; update: Parameters<StageContext['progress']>[0] }
  | { type: 'metrics'; reason: 'step' | 'epoch'; step: Parameters<StageContext['metrics']>[1]; values: Record<string, number> }
  | { type: 'record'; name: string; value: JsonValue }
  | { type: 'memory'; rss: number; maxRss: number }
  | { type: 'done'; result: R }
  | { type: 'failed'; error: GlioflowError };

export type ParentMessage = { type: 'job'; job: TfjsJob } | { type: 'abort' };

/** A child entry's compiled module. From TypeScript sources (tests), the build in dist/ is used: a child cannot load .ts. */
function childFile(entry: URL): string | undefined {
  const path = fileURLToPath(entry);
  const built = import.meta.url.endsWith('.ts') ? path.replace(/[\\/]src[\\/]stages[\\/]model[\\/]/, '/dist/stages/model/') : path;
  return existsSync(built) ? built : undefined;
}

const GB = 2 ** 30;
const KILL_AFTER_ABORT_MS = 30_000;

/**
 * Runs `job` in a fresh child process started from `entry` (the stage's own child module, named with
 * `new URL('./x-child.js', import.meta.url)` so that the stage's code fingerprint covers it) and returns its result; the child's reports go to `ctx`. A failed job throws
 * its typed error; a child that dies (signal, exit without a result) throws a `tfjs-process-died` error naming
 * `what` (model, size, batch, micro-batch …), the signal or exit code, its peak memory and the end of its stderr.
 */
export async function runInChild<R, J extends TfjsJob>(ctx: StageContext, entry: URL, job: J, what: string): Promise<R> {
  const file = childFile(entry);
  if (file === undefined) throw new GlioflowFailure({ kind: 'internal', message: `${fileURLToPath(entry)} is not built`, stage: ctx.stage, hint: 'run `npm run build`' });
  const started = performance.now();
  const child: ChildProcess = fork(file, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let maxRss = 0;
  let settled: { result: R } | { error: GlioflowError } | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    if (child.connected) child.send({ type: 'abort' } satisfies ParentMessage);
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_ABORT_MS);
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('message', (m: ChildMessage<R>) => {
        switch (m.type) {
          case 'log':
            ctx.log(m.level, m.message);
            break;
          case 'progress':
            ctx.progress(m.update);
            break;
          case 'metrics':
            ctx.metrics(m.reason, m.step, m.values);
            break;
          case 'record':
            ctx.record(m.name, m.value);
            break;
          case 'memory':
            maxRss = Math.max(maxRss, m.maxRss);
            break;
          case 'done':
            settled = { result: m.result };
            break;
          case 'failed':
            settled = { error: m.error };
            break;
        }
      });
      child.send({ type: 'job', job } satisfies ParentMessage);
    });
    if (maxRss > 0) ctx.record('peak_rss_bytes', maxRss);
    if (settled !== undefined && 'result' in settled) return settled.result;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const memory = maxRss > 0 ? `; peak RSS ${(maxRss / GB).toFixed(1)} GB` : '';
    if (settled !== undefined) {
      const e = settled.error;
      throw new GlioflowFailure({ ...e, message: `${what}: ${explain(e.message)}${memory}`, stage: ctx.stage, hint: e.hint ?? hintFor(e.message) });
    }
    const how = exit.signal !== null ? `was killed by ${exit.signal}${exit.signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${exit.code}`;
    const tail = stderr.trim().split('\n').slice(-6).join('\n');
    throw new GlioflowFailure({
      kind: 'tfjs-process-died',
      message: `${what}: the tfjs process ${how} after ${seconds} s${memory}${tail ? `\n${tail}` : ''}`,
      stage: ctx.stage,
      hint: hintFor(tail),
    });
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** What tfjs's wasm build says when its heap is exhausted, in words a user can act on. */
function explain(message: string): string {
  // emscripten's abort() (malloc found no room in the 4 GB heap) and the trap of a write past it
  if (/Aborted\(\)/.test(message)) return `${message.replace(/\s*Build with -sASSERTIONS for more info\.?/, '')} (tfjs's wasm heap ran out of its 4 GB)`;
  if (/memory access out of bounds/.test(message)) return `${message} (tfjs's wasm heap: usually its 4 GB ran out)`;
  return message;
}

function hintFor(message: string): string {
  if (/out of bounds|memory|OOM|allocation|Aborted\(\)/i.test(message)) {
    return 'the step did not fit in memory: lower `micro_batch` (rows per gradient piece), `batch` or the image `size`, or use another backend (tfjs-node, a GPU)';
  }
  return 'see the message above; the stages after this one are not affected';
}
