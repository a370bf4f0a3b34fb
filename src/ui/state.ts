// The terminal UI's view model. `reduce` is pure: the same events at the same times give the same
// state, so everything the screen shows (rates, ETAs, epochs) is unit-testable without a terminal.
import type { EngineEvent, ItemCounts, LogEvent, MetricsEvent, ProgressEvent, StaleReason, StageEvent } from '../engine/events.js';
import type { GlioflowError } from '../engine/result.js';

export type StageStatus = 'queued' | 'running' | 'cached' | 'done' | 'failed' | 'skipped';

/** A point of a stage's item work, kept to measure its rate over a sliding window. */
interface RateSample {
  t: number;
  /** items computed (not restored from the cache) so far */
  ran: number;
}

export interface ProgressView {
  unit: string;
  done: number;
  total: number;
  cached: number;
  phase?: string;
  /** items computed per second over the last RATE_WINDOW_MS; null until two points exist */
  rate: number | null;
  /** seconds left at `rate` when this progress arrived; null when unknown */
  etaSeconds: number | null;
  /** when this progress arrived (ms); the ETA counts down from here */
  at: number;
  /** sliding window of samples for `rate` (internal, but plain data so the state stays serialisable) */
  samples: RateSample[];
}

export interface TrainingView {
  epoch: number;
  epochs: number;
  batch?: number;
  batches?: number;
  /** the latest training loss (from `step` metrics, or the epoch's when no step had one) */
  loss?: number;
  imagesPerSecond?: number;
  /** what the stage forecasts it still needs, in seconds (`stage_eta_s` in step metrics) */
  stageEtaSeconds?: number;
  /** every value of the most recent `epoch` metrics event, e.g. val_loss, val_auroc_TP53 */
  lastEpoch: Record<string, number> | null;
  /** training loss at the end of each epoch, in epoch order, for the sparkline */
  lossPerEpoch: number[];
}

export interface StageView {
  name: string;
  status: StageStatus;
  /** when the UI saw it start (ms) */
  startedAt: number | null;
  /** duration the engine reported when the stage ended */
  seconds: number | null;
  why: StaleReason[];
  progress: ProgressView | null;
  training: TrainingView | null;
  items: ItemCounts | null;
  restored: string[];
  skippedBecause?: string;
  error?: GlioflowError;
}

/** A failure as a person needs it: what, where (stage, item, file:line:col) and what to do. */
export interface FailureView {
  stage: string;
  kind: string;
  message: string;
  item?: string;
  file?: string;
  line?: number;
  column?: number;
  hint?: string;
}

export interface UiState {
  runId: string | null;
  cacheDir: string | null;
  startedAt: number | null;
  /** engine-reported total seconds, once the run finished */
  seconds: number | null;
  /** when the run ended (finished or interrupted); clocks stop here */
  endedAt: number | null;
  finished: boolean;
  ok: boolean | null;
  /** the engine's interruption message, once the run was interrupted */
  interrupted: string | null;
  /** set by the UI itself when the person pressed Ctrl-C and the engine is winding down */
  interruptRequested: boolean;
  stages: StageView[];
  /**
   * Stage-level cache hits (stage restored) and misses (stage ran) while the run goes; replaced by
   * the engine's own totals when the run finishes.
   */
  cache: { hits: number; misses: number };
  pool: { busy: number; size: number } | null;
  failures: FailureView[];
  /** the most recent warnings and errors logged, newest last (at most MAX_NOTICES) */
  notices: LogEvent[];
}

/** The rate is measured over roughly this much recent time, so it follows speed changes. */
export const RATE_WINDOW_MS = 10_000;
export const MAX_NOTICES = 5;

/** Metric names the UI reads from `metrics` events (the training stage reports these). */
export const METRIC_KEYS = {
  loss: ['loss', 'train_loss'],
  imagesPerSecond: ['images_per_s', 'images_per_second', 'imagesPerSecond'],
  /** seconds the whole stage still needs (training and validation), as the stage forecasts it */
  stageEta: ['stage_eta_s'],
} as const;

export function initialUiState(): UiState {
  return {
    runId: null,
    cacheDir: null,
    startedAt: null,
    seconds: null,
    endedAt: null,
    finished: false,
    ok: null,
    interrupted: null,
    interruptRequested: false,
    stages: [],
    cache: { hits: 0, misses: 0 },
    pool: null,
    failures: [],
    notices: [],
  };
}

function newStage(name: string): StageView {
  return { name, status: 'queued', startedAt: null, seconds: null, why: [], progress: null, training: null, items: null, restored: [] };
}

/** Returns `stages` with `name` changed by `change`, appending the stage if it is new. */
function updateStage(stages: StageView[], name: string, change: (s: StageView) => StageView): StageView[] {
  const index = stages.findIndex((s) => s.name === name);
  if (index < 0) return [...stages, change(newStage(name))];
  const next = stages.slice();
  next[index] = change(stages[index]!);
  return next;
}

export function reduce(state: UiState, event: EngineEvent, now: number): UiState {
  switch (event.type) {
    case 'run':
      return reduceRun(state, event, now);
    case 'stage':
      return reduceStage(state, event, now);
    case 'progress':
      return { ...state, stages: updateStage(state.stages, event.stage, (s) => withProgress(s, event, now)) };
    case 'metrics':
      return { ...state, stages: updateStage(state.stages, event.stage, (s) => withMetrics(s, event)) };
    case 'pool':
      return { ...state, pool: { busy: event.busy, size: event.size } };
    case 'log':
      return reduceLog(state, event);
  }
}

function reduceRun(state: UiState, event: Extract<EngineEvent, { type: 'run' }>, now: number): UiState {
  switch (event.reason) {
    case 'started': {
      // The run names its stages in execution order; keep any already seen, add the rest queued.
      let stages = state.stages;
      for (const name of event.stages) stages = updateStage(stages, name, (s) => s);
      return { ...state, runId: event.runId, cacheDir: event.cacheDir, startedAt: now, stages };
    }
    case 'finished':
      return {
        ...state,
        finished: true,
        ok: event.ok,
        seconds: event.seconds,
        endedAt: now,
        cache: { hits: event.cacheHits, misses: event.cacheMisses },
        stages: settleUnfinished(state.stages, now, 'run ended'),
      };
    case 'interrupted':
      return {
        ...state,
        finished: true,
        ok: false,
        endedAt: now,
        interrupted: event.message,
        stages: settleUnfinished(state.stages, now, 'interrupted'),
      };
  }
}

/**
 * A stage still running when the run ends did not finish: it shows as skipped with the reason and
 * the time it had run, so the final frame has no spinner-like state left in it.
 */
function settleUnfinished(stages: StageView[], now: number, because: string): StageView[] {
  return stages.map((s) =>
    s.status === 'running'
      ? { ...s, status: 'skipped', skippedBecause: because, seconds: s.startedAt !== null ? Math.max(0, (now - s.startedAt) / 1000) : null }
      : s,
  );
}

function reduceStage(state: UiState, event: StageEvent, now: number): UiState {
  switch (event.reason) {
    case 'queued':
      return { ...state, stages: updateStage(state.stages, event.stage, (s) => ({ ...s, status: 'queued' })) };
    case 'started':
      return {
        ...state,
        cache: { ...state.cache, misses: state.cache.misses + 1 },
        stages: updateStage(state.stages, event.stage, (s) => ({
          ...s,
          status: 'running',
          startedAt: now,
          seconds: null,
          why: event.why,
          progress: null,
          training: null,
        })),
      };
    case 'cached':
      return {
        ...state,
        cache: { ...state.cache, hits: state.cache.hits + 1 },
        stages: updateStage(state.stages, event.stage, (s) => ({ ...s, status: 'cached', seconds: 0, restored: event.restored })),
      };
    case 'finished':
      return {
        ...state,
        stages: updateStage(state.stages, event.stage, (s) => ({ ...s, status: 'done', seconds: event.seconds, items: event.items })),
      };
    case 'failed': {
      // The engine ends a stage stopped by Ctrl-C with a `failed` event of kind `interrupted`.
      // That is no failure: show it as the settled-on-interrupt stages are shown, and keep it
      // out of the error panel, so the final frame has no red ✗ for a person's own Ctrl-C.
      if (event.error.kind === 'interrupted') {
        return {
          ...state,
          stages: updateStage(state.stages, event.stage, (s) => ({ ...s, status: 'skipped', seconds: event.seconds, skippedBecause: 'interrupted' })),
        };
      }
      const failure = toFailure(event.stage, event.error);
      return {
        ...state,
        failures: [...state.failures, failure],
        stages: updateStage(state.stages, event.stage, (s) => ({ ...s, status: 'failed', seconds: event.seconds, error: event.error })),
      };
    }
    case 'skipped':
      return {
        ...state,
        stages: updateStage(state.stages, event.stage, (s) => ({ ...s, status: 'skipped', skippedBecause: event.because })),
      };
  }
}

function toFailure(stage: string, error: GlioflowError): FailureView {
  const failure: FailureView = { stage: error.stage ?? stage, kind: error.kind, message: error.message };
  if (error.item !== undefined) failure.item = error.item;
  if (error.location) {
    failure.file = error.location.file;
    if (error.location.line !== undefined) failure.line = error.location.line;
    if (error.location.column !== undefined) failure.column = error.location.column;
  }
  if (error.hint !== undefined) failure.hint = error.hint;
  return failure;
}

function reduceLog(state: UiState, event: LogEvent): UiState {
  if (event.level !== 'warn' && event.level !== 'error') return state;
  return { ...state, notices: [...state.notices, event].slice(-MAX_NOTICES) };
}

function withProgress(stage: StageView, event: ProgressEvent, now: number): StageView {
  const ran = Math.max(0, event.done - event.cached);
  const previous = stage.progress;
  // A new unit, or a count that went backwards (a new phase restarting its loop), starts a new
  // measurement; otherwise the rate would mix two different kinds of work.
  const continues = previous !== null && previous.unit === event.unit && event.done >= previous.done;
  let samples: RateSample[];
  if (continues) {
    samples = [...previous.samples, { t: now, ran }];
  } else {
    // Measure from the stage's start when this is its first progress (the work began then), else from now.
    const origin = previous === null && stage.startedAt !== null && stage.startedAt < now ? stage.startedAt : null;
    samples = origin !== null ? [{ t: origin, ran: 0 }, { t: now, ran }] : [{ t: now, ran }];
  }
  // Keep exactly one sample at or before the window's start as the anchor, so the rate spans the
  // whole window once there is enough history.
  while (samples.length > 2 && samples[1]!.t <= now - RATE_WINDOW_MS) samples = samples.slice(1);

  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const dt = (last.t - first.t) / 1000;
  const rate = dt > 0 ? (last.ran - first.ran) / dt : null;
  const remaining = Math.max(0, event.total - event.done);
  let etaSeconds: number | null;
  if (remaining === 0) etaSeconds = 0;
  else if (rate !== null && rate > 0) etaSeconds = remaining / rate;
  else etaSeconds = null;

  const progress: ProgressView = { unit: event.unit, done: event.done, total: event.total, cached: event.cached, rate, etaSeconds, at: now, samples };
  if (event.phase !== undefined) progress.phase = event.phase;
  return { ...stage, status: stage.status === 'queued' ? 'running' : stage.status, startedAt: stage.startedAt ?? now, progress };
}

function pick(values: Record<string, number>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const v = values[key];
    if (v !== undefined) return v;
  }
  return undefined;
}

function withMetrics(stage: StageView, event: MetricsEvent): StageView {
  const before: TrainingView = stage.training ?? { epoch: event.step.epoch, epochs: event.step.epochs, lastEpoch: null, lossPerEpoch: [] };
  const training: TrainingView = { ...before, epoch: event.step.epoch, epochs: event.step.epochs };
  if (event.step.batch !== undefined) training.batch = event.step.batch;
  if (event.step.batches !== undefined) training.batches = event.step.batches;
  const loss = pick(event.values, METRIC_KEYS.loss);
  const ips = pick(event.values, METRIC_KEYS.imagesPerSecond);
  if (ips !== undefined) training.imagesPerSecond = ips;
  if (event.reason === 'step') {
    if (loss !== undefined) training.loss = loss;
    const eta = pick(event.values, METRIC_KEYS.stageEta);
    if (eta !== undefined) training.stageEtaSeconds = eta;
  } else {
    training.lastEpoch = { ...event.values };
    // The epoch's own loss when it reports one, else the last step's loss stands for the epoch.
    const epochLoss = loss ?? training.loss;
    if (loss !== undefined) training.loss = loss;
    if (epochLoss !== undefined) {
      // Epochs are 1-based; a repeated epoch event (e.g. after resuming) replaces its value.
      const series = training.lossPerEpoch.slice();
      const index = event.step.epoch - 1;
      if (index >= 0 && index <= series.length) series[index] = epochLoss;
      else series.push(epochLoss);
      training.lossPerEpoch = series;
    }
  }
  return { ...stage, status: stage.status === 'queued' ? 'running' : stage.status, training };
}

/** Seconds a stage has taken: the engine's figure once it ended, else measured from its start. */
export function stageElapsed(stage: StageView, now: number): number | null {
  if (stage.seconds !== null) return stage.seconds;
  if (stage.status === 'running' && stage.startedAt !== null) return Math.max(0, (now - stage.startedAt) / 1000);
  return null;
}

/** The ETA counted down since its progress arrived, never below zero. */
export function etaAt(progress: ProgressView, now: number): number | null {
  if (progress.etaSeconds === null) return null;
  return Math.max(0, progress.etaSeconds - (now - progress.at) / 1000);
}

/** Total seconds of the run: the engine's figure once finished, else measured from its start. */
export function runElapsed(state: UiState, now: number): number | null {
  if (state.seconds !== null) return state.seconds;
  if (state.startedAt === null) return null;
  return Math.max(0, ((state.endedAt ?? now) - state.startedAt) / 1000);
}

/** Marks that the person asked to stop, so the screen can say the run is winding down. */
export function markInterruptRequested(state: UiState): UiState {
  return state.interruptRequested ? state : { ...state, interruptRequested: true };
}
