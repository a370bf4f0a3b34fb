// The engine's only way of telling the world what happens. Loggers and the terminal UI are
// listeners of these events and nothing else; stages never print.
import type { GlioflowError } from './result.js';

/** Why a stage must run again (or `fresh` when it need not). */
export type StaleReason =
  | { reason: 'never-ran' }
  | { reason: 'forced' }
  | { reason: 'code-changed'; from: string; to: string }
  | { reason: 'param-changed'; param: string; from: unknown; to: unknown }
  | { reason: 'deps-changed'; files: { path: string; change: 'added' | 'removed' | 'modified' }[]; more: number }
  | { reason: 'upstream-changed'; stage: string }
  | { reason: 'upstream-stale'; stage: string }
  | { reason: 'environment-changed'; what: string; from: string; to: string }
  | { reason: 'output-missing'; output: string }
  | { reason: 'last-run-failed' };

export interface ItemCounts {
  total: number;
  ran: number;
  cached: number;
  failed: number;
}

export type StageEvent =
  | { type: 'stage'; reason: 'queued'; stage: string }
  | { type: 'stage'; reason: 'started'; stage: string; key: string; why: StaleReason[] }
  | { type: 'stage'; reason: 'cached'; stage: string; key: string; restored: string[] }
  | { type: 'stage'; reason: 'finished'; stage: string; key: string; seconds: number; items: ItemCounts }
  | { type: 'stage'; reason: 'failed'; stage: string; seconds: number; error: GlioflowError }
  | { type: 'stage'; reason: 'skipped'; stage: string; because: string };

/** Item work of a running stage; emitted at most a few times a second per stage. */
export interface ProgressEvent {
  type: 'progress';
  stage: string;
  /** what is counted: `files`, `series`, `batches` … */
  unit: string;
  done: number;
  total: number;
  cached: number;
  /** optional sub-task label, e.g. `epoch 3/10` */
  phase?: string;
}

/**
 * Numeric series a stage reports as it goes (training loss, images/s, validation metrics).
 * `step` says where in the stage's own loop the numbers belong.
 */
export interface MetricsEvent {
  type: 'metrics';
  stage: string;
  reason: 'step' | 'epoch';
  step: { epoch: number; epochs: number; batch?: number; batches?: number };
  values: Record<string, number>;
}

export interface LogEvent {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  stage?: string;
  item?: string;
  file?: string;
}

export interface PoolEvent {
  type: 'pool';
  busy: number;
  size: number;
}

export interface RunStageSummary {
  name: string;
  status: 'ran' | 'cached' | 'failed' | 'skipped';
  items: { total: number; ran: number; cached: number };
  seconds: number;
  key: string | null;
}

export type RunEvent =
  | { type: 'run'; reason: 'started'; runId: string; stages: string[]; cacheDir: string }
  /** cacheHits / cacheMisses count stages (restored vs run); item counts are per stage in `stages` */
  | { type: 'run'; reason: 'finished'; ok: boolean; seconds: number; stages: RunStageSummary[]; cacheHits: number; cacheMisses: number }
  | { type: 'run'; reason: 'interrupted'; message: string };

export type EngineEvent = StageEvent | ProgressEvent | MetricsEvent | LogEvent | PoolEvent | RunEvent;

export type EngineListener = (event: EngineEvent) => void;
