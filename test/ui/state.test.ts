import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import { trainingHeadline } from '../../src/ui/training-text.js';
import {
  MAX_NOTICES,
  RATE_WINDOW_MS,
  etaAt,
  initialUiState,
  markInterruptRequested,
  reduce,
  runElapsed,
  stageElapsed,
  type StageView,
  type UiState,
} from '../../src/ui/state.js';

const T0 = 1_700_000_000_000;

/** Applies events, each with its own time, starting from the initial state. */
function run(events: [number, EngineEvent][], from: UiState = initialUiState()): UiState {
  return events.reduce((s, [t, e]) => reduce(s, e, t), from);
}

function stage(state: UiState, name: string): StageView {
  const s = state.stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
}

const started = (name: string): EngineEvent => ({ type: 'stage', reason: 'started', stage: name, key: 'k', why: [{ reason: 'never-ran' }] });
const progress = (name: string, done: number, total: number, cached = 0, unit = 'files'): EngineEvent => ({
  type: 'progress',
  stage: name,
  unit,
  done,
  total,
  cached,
});

/** Freezes an object graph so a reducer that mutates its input throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('reduce: stages', () => {
  it('lists the run\'s stages in order, queued, and appends stages first seen later', () => {
    const s = run([
      [T0, { type: 'run', reason: 'started', runId: 'r', stages: ['a', 'b', 'c'], cacheDir: '/c' }],
      [T0, started('z')],
    ]);
    expect(s.stages.map((x) => [x.name, x.status])).toEqual([
      ['a', 'queued'],
      ['b', 'queued'],
      ['c', 'queued'],
      ['z', 'running'],
    ]);
    expect(s.runId).toBe('r');
    expect(s.cacheDir).toBe('/c');
  });

  it('keeps a stage\'s place when run.started arrives after its first event', () => {
    const s = run([
      [T0, { type: 'stage', reason: 'queued', stage: 'b' }],
      [T0, { type: 'run', reason: 'started', runId: 'r', stages: ['a', 'b'], cacheDir: '/c' }],
    ]);
    expect(s.stages.map((x) => x.name)).toEqual(['b', 'a']);
  });

  it('moves through running → done with the engine\'s seconds and item counts', () => {
    const s1 = run([[T0, started('a')]]);
    expect(stage(s1, 'a').status).toBe('running');
    // elapsed is measured from the injected start time while running
    expect(stageElapsed(stage(s1, 'a'), T0 + 2500)).toBeCloseTo(2.5, 10);
    const items = { total: 10, ran: 7, cached: 3, failed: 0 };
    const s2 = reduce(s1, { type: 'stage', reason: 'finished', stage: 'a', key: 'k', seconds: 4.25, items }, T0 + 4300);
    expect(stage(s2, 'a').status).toBe('done');
    expect(stage(s2, 'a').items).toEqual(items);
    // once finished, the engine's own figure counts, whatever the clock says
    expect(stageElapsed(stage(s2, 'a'), T0 + 99_000)).toBe(4.25);
  });

  it('shows no elapsed time for queued stages and 0 for cached ones', () => {
    const s = run([
      [T0, { type: 'stage', reason: 'queued', stage: 'q' }],
      [T0, { type: 'stage', reason: 'cached', stage: 'c', key: 'k', restored: ['out.json'] }],
    ]);
    expect(stageElapsed(stage(s, 'q'), T0 + 1000)).toBeNull();
    expect(stage(s, 'c').status).toBe('cached');
    expect(stage(s, 'c').restored).toEqual(['out.json']);
    expect(stageElapsed(stage(s, 'c'), T0 + 1000)).toBe(0);
  });

  it('records skipped stages with the reason', () => {
    const s = run([[T0, { type: 'stage', reason: 'skipped', stage: 'plot', because: 'upstream evaluate failed' }]]);
    expect(stage(s, 'plot').status).toBe('skipped');
    expect(stage(s, 'plot').skippedBecause).toBe('upstream evaluate failed');
  });

  it('turns a failure into stage, item, file, line, column and hint', () => {
    const s = run([
      [T0, started('preprocess')],
      [
        T0 + 10,
        {
          type: 'stage',
          reason: 'failed',
          stage: 'preprocess',
          seconds: 0.01,
          error: {
            kind: 'dicom-parse',
            message: 'truncated',
            item: 'TCGA-02-0003/series-1',
            location: { file: 'data/x.dcm', line: 12, column: 3 },
            hint: 'remove the file',
          },
        },
      ],
    ]);
    expect(stage(s, 'preprocess').status).toBe('failed');
    expect(s.failures).toEqual([
      { stage: 'preprocess', kind: 'dicom-parse', message: 'truncated', item: 'TCGA-02-0003/series-1', file: 'data/x.dcm', line: 12, column: 3, hint: 'remove the file' },
    ]);
  });

  it('prefers the stage named in the error (it may be more precise than the event\'s)', () => {
    const s = run([[T0, { type: 'stage', reason: 'failed', stage: 'train@ViT', seconds: 1, error: { kind: 'k', message: 'm', stage: 'train@ViT:fold2' } }]]);
    expect(s.failures[0]).toEqual({ stage: 'train@ViT:fold2', kind: 'k', message: 'm' });
  });

  it('never mutates the state it is given', () => {
    let s = deepFreeze(run([[T0, started('a')], [T0 + 100, progress('a', 1, 10)]]));
    const events: EngineEvent[] = [
      progress('a', 2, 10),
      { type: 'metrics', stage: 'a', reason: 'epoch', step: { epoch: 1, epochs: 2 }, values: { loss: 1 } },
      { type: 'pool', busy: 1, size: 2 },
      { type: 'log', level: 'warn', message: 'w' },
      { type: 'stage', reason: 'finished', stage: 'a', key: 'k', seconds: 1, items: { total: 1, ran: 1, cached: 0, failed: 0 } },
      { type: 'run', reason: 'finished', ok: true, seconds: 1, stages: [], cacheHits: 0, cacheMisses: 1 },
    ];
    for (const e of events) s = deepFreeze(reduce(s, e, T0 + 200));
    expect(stage(s, 'a').status).toBe('done');
  });
});

describe('reduce: progress rate and ETA', () => {
  it('measures the first rate from the stage start, counting only computed items', () => {
    // 10 done of which 4 came from the cache: 6 computed in 2 s → 3 items/s
    const s = run([[T0, started('a')], [T0 + 2000, progress('a', 10, 100, 4)]]);
    const p = stage(s, 'a').progress!;
    expect(p.rate).toBeCloseTo(3, 10);
    // 90 left at 3/s
    expect(p.etaSeconds).toBeCloseTo(30, 10);
  });

  it('has no rate (and no ETA) when the first progress comes at the start instant', () => {
    const s = run([[T0, started('a')], [T0, progress('a', 0, 50)]]);
    expect(stage(s, 'a').progress!.rate).toBeNull();
    expect(stage(s, 'a').progress!.etaSeconds).toBeNull();
  });

  it('gives no ETA when nothing was computed yet (all cached so far)', () => {
    const s = run([[T0, started('a')], [T0 + 1000, progress('a', 5, 10, 5)]]);
    expect(stage(s, 'a').progress!.rate).toBe(0);
    expect(stage(s, 'a').progress!.etaSeconds).toBeNull();
  });

  it('follows a change of speed over a sliding window of RATE_WINDOW_MS', () => {
    expect(RATE_WINDOW_MS).toBe(10_000);
    // 1 item/s for 20 s, then 5 items/s for 10 s; one progress per second
    const events: [number, EngineEvent][] = [[T0, started('a')]];
    let done = 0;
    for (let sec = 1; sec <= 30; sec++) {
      done += sec <= 20 ? 1 : 5;
      events.push([T0 + sec * 1000, progress('a', done, 200)]);
    }
    const s = run(events);
    const p = stage(s, 'a').progress!;
    // the window [20 s, 30 s] holds only fast seconds: (70 − 20) / 10
    expect(done).toBe(70);
    expect(p.rate).toBeCloseTo(5, 10);
    expect(p.etaSeconds).toBeCloseTo(130 / 5, 10);
    // whole-run average would be 70/30 ≈ 2.33: the window really slid
    expect(p.samples[0]!.t).toBe(T0 + 20_000);
  });

  it('keeps an anchor sample before the window so a slow stream still has a rate', () => {
    // one progress every 15 s: each window holds only the new sample, the anchor is the previous one
    const s = run([
      [T0, started('a')],
      [T0 + 15_000, progress('a', 3, 10)],
      [T0 + 30_000, progress('a', 6, 10)],
      [T0 + 45_000, progress('a', 9, 10)],
    ]);
    const p = stage(s, 'a').progress!;
    expect(p.rate).toBeCloseTo(3 / 15, 10);
    expect(p.samples.map((x) => x.t)).toEqual([T0 + 30_000, T0 + 45_000]);
    expect(p.etaSeconds).toBeCloseTo(1 / (3 / 15), 10);
  });

  it('starts a new measurement when the count goes backwards or the unit changes', () => {
    const s1 = run([[T0, started('t')], [T0 + 10_000, progress('t', 100, 100, 0, 'batches')]]);
    expect(stage(s1, 't').progress!.rate).toBeCloseTo(10, 10);
    // a new epoch restarts the batch count: the 10/s of the last phase must not leak in
    const s2 = reduce(s1, progress('t', 2, 100, 0, 'batches'), T0 + 11_000);
    expect(stage(s2, 't').progress!.rate).toBeNull();
    const s3 = reduce(s2, progress('t', 6, 100, 0, 'batches'), T0 + 12_000);
    expect(stage(s3, 't').progress!.rate).toBeCloseTo(4, 10);
    const s4 = reduce(s3, progress('t', 50, 100, 0, 'files'), T0 + 13_000);
    expect(stage(s4, 't').progress!.rate).toBeNull();
    expect(stage(s4, 't').progress!.unit).toBe('files');
  });

  it('says ETA 0 when all items are done, and counts the ETA down between events', () => {
    const s = run([[T0, started('a')], [T0 + 4000, progress('a', 4, 8)]]);
    const p = stage(s, 'a').progress!;
    expect(p.etaSeconds).toBeCloseTo(4, 10);
    expect(etaAt(p, T0 + 5500)).toBeCloseTo(2.5, 10);
    expect(etaAt(p, T0 + 60_000)).toBe(0);
    const done = reduce(s, progress('a', 8, 8), T0 + 8000);
    expect(stage(done, 'a').progress!.etaSeconds).toBe(0);
  });

  it('keeps phase, cached and totals as reported', () => {
    const s = run([[T0, started('a')], [T0 + 1000, { type: 'progress', stage: 'a', unit: 'batches', done: 3, total: 40, cached: 0, phase: 'epoch 2/10' }]]);
    const p = stage(s, 'a').progress!;
    expect([p.unit, p.done, p.total, p.cached, p.phase]).toEqual(['batches', 3, 40, 0, 'epoch 2/10']);
  });
});

describe('reduce: training metrics', () => {
  const step = (epoch: number, batch: number, values: Record<string, number>): EngineEvent => ({
    type: 'metrics',
    stage: 'train@ViT',
    reason: 'step',
    step: { epoch, epochs: 3, batch, batches: 10 },
    values,
  });
  const epochEnd = (epoch: number, values: Record<string, number>): EngineEvent => ({
    type: 'metrics',
    stage: 'train@ViT',
    reason: 'epoch',
    step: { epoch, epochs: 3 },
    values,
  });

  it('tracks epoch, batch, loss and images/s from steps', () => {
    const s = run([[T0, started('train@ViT')], [T0 + 1, step(1, 4, { loss: 0.9, images_per_s: 120.5 })]]);
    const t = stage(s, 'train@ViT').training!;
    expect([t.epoch, t.epochs, t.batch, t.batches, t.loss, t.imagesPerSecond]).toEqual([1, 3, 4, 10, 0.9, 120.5]);
    expect(t.lastEpoch).toBeNull();
    expect(t.lossPerEpoch).toEqual([]);
  });

  it("shows the stage's own forecast (stage_eta_s: training and validation left) in the headline, in days when it is", () => {
    const s = run([[T0, started('train@ViT')], [T0 + 1, step(1, 4, { loss: 0.9, images_per_s: 0.37, stage_eta_s: 12.5 * 86_400 })]]);
    const t = stage(s, 'train@ViT').training!;
    expect(t.stageEtaSeconds).toBe(12.5 * 86_400);
    expect(trainingHeadline(t)).toBe('epoch 1/3 · batch 4/10 · loss 0.9 · 0.37 img/s · stage ETA 12d 12h');
  });

  it('keeps the last epoch\'s values and the loss of each epoch', () => {
    const s = run([
      [T0, started('train@ViT')],
      [T0 + 1, step(1, 10, { loss: 0.95 })],
      [T0 + 2, epochEnd(1, { loss: 0.9, val_loss: 1.1, val_auroc_TP53: 0.55 })],
      [T0 + 3, step(2, 10, { loss: 0.7 })],
      [T0 + 4, epochEnd(2, { loss: 0.6, val_loss: 0.8, val_auroc_TP53: 0.61, val_auroc_IDH: 0.9 })],
    ]);
    const t = stage(s, 'train@ViT').training!;
    expect(t.lossPerEpoch).toEqual([0.9, 0.6]);
    expect(t.lastEpoch).toEqual({ loss: 0.6, val_loss: 0.8, val_auroc_TP53: 0.61, val_auroc_IDH: 0.9 });
    expect(t.epoch).toBe(2);
  });

  it('uses the last step\'s loss for an epoch that reports none', () => {
    const s = run([
      [T0, started('train@ViT')],
      [T0 + 1, step(1, 10, { loss: 0.42 })],
      [T0 + 2, epochEnd(1, { val_loss: 0.5 })],
    ]);
    expect(stage(s, 'train@ViT').training!.lossPerEpoch).toEqual([0.42]);
  });

  it('replaces an epoch reported twice (resumed training) instead of appending', () => {
    const s = run([
      [T0, started('train@ViT')],
      [T0 + 1, epochEnd(1, { loss: 0.9 })],
      [T0 + 2, epochEnd(2, { loss: 0.8 })],
      [T0 + 3, epochEnd(2, { loss: 0.75 })],
      [T0 + 4, epochEnd(3, { train_loss: 0.7 })],
    ]);
    expect(stage(s, 'train@ViT').training!.lossPerEpoch).toEqual([0.9, 0.75, 0.7]);
  });
});

describe('reduce: footer data', () => {
  it('counts stage cache hits and misses live, then takes the engine\'s totals', () => {
    const s1 = run([
      [T0, { type: 'stage', reason: 'cached', stage: 'a', key: 'k', restored: [] }],
      [T0, { type: 'stage', reason: 'cached', stage: 'b', key: 'k', restored: [] }],
      [T0, started('c')],
    ]);
    expect(s1.cache).toEqual({ hits: 2, misses: 1 });
    const s2 = reduce(s1, { type: 'run', reason: 'finished', ok: true, seconds: 12.5, stages: [], cacheHits: 120, cacheMisses: 7 }, T0 + 12_600);
    expect(s2.cache).toEqual({ hits: 120, misses: 7 });
    expect(s2.finished).toBe(true);
    expect(s2.ok).toBe(true);
    expect(runElapsed(s2, T0 + 99_999)).toBe(12.5);
  });

  it('follows the worker pool', () => {
    const s = run([
      [T0, { type: 'pool', busy: 0, size: 4 }],
      [T0, { type: 'pool', busy: 3, size: 4 }],
    ]);
    expect(s.pool).toEqual({ busy: 3, size: 4 });
  });

  it('measures total elapsed from run start', () => {
    const s = run([[T0, { type: 'run', reason: 'started', runId: 'r', stages: [], cacheDir: '/c' }]]);
    expect(runElapsed(initialUiState(), T0)).toBeNull();
    expect(runElapsed(s, T0 + 61_000)).toBeCloseTo(61, 10);
  });

  it('keeps the last MAX_NOTICES warnings and errors, ignoring info and debug', () => {
    let s = initialUiState();
    s = reduce(s, { type: 'log', level: 'info', message: 'hello' }, T0);
    s = reduce(s, { type: 'log', level: 'debug', message: 'dbg' }, T0);
    for (let i = 0; i < MAX_NOTICES + 2; i++) s = reduce(s, { type: 'log', level: i % 2 ? 'warn' : 'error', message: `m${i}`, item: `i${i}` }, T0);
    expect(s.notices.map((n) => n.message)).toEqual(Array.from({ length: MAX_NOTICES }, (_, k) => `m${k + 2}`));
  });
});

describe('reduce: interruption', () => {
  it('freezes clocks and settles running stages when the run is interrupted', () => {
    const s1 = run([
      [T0, { type: 'run', reason: 'started', runId: 'r', stages: ['a', 'b'], cacheDir: '/c' }],
      [T0 + 1000, started('a')],
    ]);
    const s2 = markInterruptRequested(s1);
    expect(s2.interruptRequested).toBe(true);
    expect(markInterruptRequested(s2)).toBe(s2);
    const s3 = reduce(s2, { type: 'run', reason: 'interrupted', message: 'interrupted — resume later' }, T0 + 4000);
    expect(s3.interrupted).toBe('interrupted — resume later');
    expect(s3.ok).toBe(false);
    expect(stage(s3, 'a').status).toBe('skipped');
    expect(stage(s3, 'a').skippedBecause).toBe('interrupted');
    expect(stageElapsed(stage(s3, 'a'), T0 + 50_000)).toBeCloseTo(3, 10);
    expect(stage(s3, 'b').status).toBe('queued');
    expect(runElapsed(s3, T0 + 50_000)).toBeCloseTo(4, 10);
  });
});
