// What a tfjs job (train-job.ts, evaluate-job.ts) may do while it runs in its child process: the part of a stage's
// context that crosses the process line as messages (tfjs-process.ts).
import type { JsonValue, StageContext } from '../../engine/stage-api.js';

export interface JobContext {
  log(level: 'info' | 'warn', message: string): void;
  progress(update: Parameters<StageContext['progress']>[0]): void;
  metrics(reason: 'step' | 'epoch', step: Parameters<StageContext['metrics']>[1], values: Record<string, number>): void;
  record(name: string, value: JsonValue): void;
  readonly signal: AbortSignal;
}
