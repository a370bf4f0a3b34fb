import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { renderToString } from 'ink';
import type { EngineEvent } from '../../src/engine/events.js';
import { createEventSource, createUiStore } from '../../src/ui/store.js';
import { initialUiState, reduce, type UiState } from '../../src/ui/state.js';
import { App } from '../../src/ui/components/App.js';
import { StageList, stageRows } from '../../src/ui/components/StageList.js';
import { ProgressBar, barCells, progressText } from '../../src/ui/components/ProgressBar.js';
import { TrainingPanel } from '../../src/ui/components/TrainingPanel.js';
import { ErrorPanel } from '../../src/ui/components/ErrorPanel.js';
import { Footer } from '../../src/ui/components/Footer.js';

const T0 = 1_700_000_000_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stateOf(events: [number, EngineEvent][]): UiState {
  return events.reduce((s, [t, e]) => reduce(s, e, t), initialUiState());
}

/** The line of a frame that mentions `text`. */
function lineWith(frame: string, text: string): string {
  const line = frame.split('\n').find((l) => l.includes(text));
  if (line === undefined) throw new Error(`no line with ${JSON.stringify(text)} in:\n${frame}`);
  return line;
}

const runStarted: EngineEvent = { type: 'run', reason: 'started', runId: 'r1', stages: ['ingest', 'preprocess', 'train@ViT'], cacheDir: '/c' };

describe('StageList', () => {
  it('shows queued stages with ◌ and no time', () => {
    const s = stateOf([[T0, runStarted]]);
    const { lastFrame } = render(<StageList stages={s.stages} now={T0 + 5000} columns={80} />);
    const frame = lastFrame()!;
    expect(frame.split('\n')).toHaveLength(3);
    for (const name of ['ingest', 'preprocess', 'train@ViT']) {
      const line = lineWith(frame, name);
      expect(line.startsWith('◌ ')).toBe(true);
      expect(line).not.toMatch(/\d+(\.\d)?s/);
    }
  });

  it('shows a running stage with ●, elapsed time and the progress numbers', () => {
    const s = stateOf([
      [T0, runStarted],
      [T0, { type: 'stage', reason: 'started', stage: 'preprocess', key: 'k', why: [] }],
      // 30 done, 10 of them cached: 20 computed in 4 s = 5/s; 70 left → ETA 14 s
      [T0 + 4000, { type: 'progress', stage: 'preprocess', unit: 'series', done: 30, total: 100, cached: 10 }],
    ]);
    const { lastFrame } = render(<StageList stages={s.stages} now={T0 + 4000} columns={100} />);
    const line = lineWith(lastFrame()!, 'preprocess');
    expect(line.startsWith('● preprocess')).toBe(true);
    expect(line).toContain('4.0s');
    expect(line).toContain('30/100 series');
    expect(line).toContain('10 cached');
    expect(line).toContain('5.0/s');
    expect(line).toContain('ETA 14s');
    // the bar is 30% filled: count the cells
    const filled = (line.match(/█/g) ?? []).length;
    const empty = (line.match(/░/g) ?? []).length;
    expect(filled + empty).toBeGreaterThanOrEqual(8);
    expect(filled).toBe(Math.round(0.3 * (filled + empty)));
  });

  it('shows cached stages with ≡ and the word cached', () => {
    const s = stateOf([[T0, runStarted], [T0, { type: 'stage', reason: 'cached', stage: 'ingest', key: 'k', restored: ['files.json'] }]]);
    const { lastFrame } = render(<StageList stages={s.stages} now={T0} columns={80} />);
    expect(lineWith(lastFrame()!, 'ingest')).toMatch(/^≡ ingest\s+cached$/);
  });

  it('shows done, failed and skipped stages with their glyphs and details', () => {
    const s = stateOf([
      [T0, runStarted],
      [T0, { type: 'stage', reason: 'finished', stage: 'ingest', key: 'k', seconds: 75, items: { total: 275, ran: 5, cached: 270, failed: 0 } }],
      [T0, { type: 'stage', reason: 'failed', stage: 'preprocess', seconds: 2.5, error: { kind: 'dicom-parse', message: 'bad tag' } }],
      [T0, { type: 'stage', reason: 'skipped', stage: 'train@ViT', because: 'upstream preprocess failed' }],
    ]);
    const frame = render(<StageList stages={s.stages} now={T0} columns={100} />).lastFrame()!;
    expect(lineWith(frame, 'ingest')).toMatch(/^✓ ingest\s+1m 15s\s+275 items \(270 cached\)$/);
    expect(lineWith(frame, 'preprocess')).toMatch(/^✗ preprocess\s+2\.5s\s+dicom-parse: bad tag$/);
    expect(lineWith(frame, 'train@ViT')).toMatch(/^– train@ViT\s+upstream preprocess failed$/);
  });

  it('never draws a line wider than the terminal', () => {
    const s = stateOf([
      [T0, { type: 'stage', reason: 'started', stage: 'a-very-long-stage-name-that-goes-on-and-on', key: 'k', why: [] }],
      [T0 + 1000, { type: 'progress', stage: 'a-very-long-stage-name-that-goes-on-and-on', unit: 'files', done: 1, total: 100000, cached: 0 }],
    ]);
    for (const columns of [40, 60, 100]) {
      const out = renderToString(<StageList stages={s.stages} now={T0 + 1000} columns={columns} />, { columns });
      for (const line of out.split('\n')) expect([...line].length).toBeLessThanOrEqual(columns);
    }
  });
});

describe('stageRows (fitting the list to the terminal height)', () => {
  const many = stateOf([
    [T0, { type: 'run', reason: 'started', runId: 'r', stages: ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10'], cacheDir: '/c' }],
    [T0, { type: 'stage', reason: 'cached', stage: 's1', key: 'k', restored: [] }],
    [T0, { type: 'stage', reason: 'finished', stage: 's2', key: 'k', seconds: 1, items: { total: 0, ran: 0, cached: 0, failed: 0 } }],
    [T0, { type: 'stage', reason: 'finished', stage: 's3', key: 'k', seconds: 1, items: { total: 0, ran: 0, cached: 0, failed: 0 } }],
    [T0, { type: 'stage', reason: 'failed', stage: 's4', seconds: 1, error: { kind: 'k', message: 'm' } }],
    [T0, { type: 'stage', reason: 'started', stage: 's5', key: 'k', why: [] }],
  ]).stages;
  const describeRows = (maxLines: number): string[] =>
    stageRows(many, maxLines).map((r) => (r.kind === 'stage' ? r.stage.name : `${r.glyph} ${r.text}`));

  it('shows every stage when there is room', () => {
    expect(describeRows(10)).toHaveLength(10);
    expect(describeRows(Infinity)).toEqual(many.map((s) => s.name));
  });

  it('folds finished stages first, then queued ones, then cuts', () => {
    expect(describeRows(9)).toEqual(['✓ 3 stages finished (2 done, 1 cached)', 's4', 's5', 's6', 's7', 's8', 's9', 's10']);
    expect(describeRows(4)).toEqual(['✓ 3 stages finished (2 done, 1 cached)', 's4', 's5', '◌ 5 stages queued']);
    expect(describeRows(3)).toEqual(['✓ 3 stages finished (2 done, 1 cached)', 's4', '… 2 more']);
  });

  it('keeps the App frame within the terminal height', async () => {
    const store = createUiStore(() => T0);
    store.dispatch({ type: 'run', reason: 'started', runId: 'r', stages: Array.from({ length: 30 }, (_, i) => `stage${i}`), cacheDir: '/c' });
    store.dispatch({ type: 'stage', reason: 'started', stage: 'stage0', key: 'k', why: [] });
    const { lastFrame, stdout, unmount } = render(<App store={store} title="t" now={() => T0} />);
    expect(lastFrame()!.split('\n').length).toBeGreaterThanOrEqual(32);
    Object.defineProperty(stdout, 'rows', { configurable: true, get: () => 12 });
    stdout.emit('resize');
    await sleep(50);
    const frame = lastFrame()!;
    expect(frame.split('\n').length).toBeLessThan(12);
    expect(frame).toContain('● stage0');
    expect(frame).toContain('◌ 29 stages queued');
    unmount();
  });
});

describe('ProgressBar', () => {
  const progress = stateOf([
    [T0, { type: 'stage', reason: 'started', stage: 'a', key: 'k', why: [] }],
    [T0 + 2000, { type: 'progress', stage: 'a', unit: 'files', done: 50, total: 200, cached: 0 }],
  ]).stages[0]!.progress!;

  it('drops the ETA once its countdown ran out (stalled work) instead of showing 0s', () => {
    expect(progressText(progress, T0 + 2000)).toBe('50/200 files · 25.0/s · ETA 6s');
    expect(progressText(progress, T0 + 60_000)).toBe('50/200 files · 25.0/s');
  });

  it('fills cells in proportion to done/total', () => {
    expect(barCells(50, 200, 20)).toEqual({ filled: 5, empty: 15 });
    expect(barCells(0, 0, 10)).toEqual({ filled: 0, empty: 10 });
    expect(barCells(300, 200, 10)).toEqual({ filled: 10, empty: 0 });
  });

  it('grows the bar with the width and drops it when too narrow, keeping the numbers', () => {
    const cells = (width: number): number => {
      const out = renderToString(<ProgressBar progress={progress} now={T0 + 2000} width={width} />, { columns: width });
      expect(out).toContain('50/200 files');
      return (out.match(/[█░]/g) ?? []).length;
    };
    const narrow = cells(50);
    const wide = cells(80);
    expect(wide).toBeGreaterThan(narrow);
    expect(cells(200)).toBe(40);
    expect(cells(30)).toBe(0);
  });
});

describe('TrainingPanel', () => {
  it('shows the model, epoch, batch, loss, images/s, last validation values and the loss sparkline', () => {
    const stage = 'train@ViT';
    const epoch = (e: number, values: Record<string, number>): [number, EngineEvent] => [T0 + e, { type: 'metrics', stage, reason: 'epoch', step: { epoch: e, epochs: 10 }, values }];
    const s = stateOf([
      [T0, { type: 'stage', reason: 'started', stage, key: 'k', why: [] }],
      epoch(1, { loss: 0.8, val_loss: 0.9, val_auroc_TP53: 0.55 }),
      epoch(2, { loss: 0.4, val_loss: 0.7, val_auroc_TP53: 0.6 }),
      epoch(3, { loss: 0.66, val_loss: 0.65, val_auroc_TP53: 0.625, images_per_s: 90 }),
      [T0 + 4, { type: 'metrics', stage, reason: 'step', step: { epoch: 4, epochs: 10, batch: 7, batches: 32 }, values: { loss: 0.3512, images_per_s: 88.25 } }],
    ]);
    const frame = render(<TrainingPanel stage={s.stages[0]!} columns={100} />).lastFrame()!;
    const head = lineWith(frame, 'epoch 4/10');
    expect(head).toMatch(/^\s*ViT\s/);
    expect(head).toContain('batch 7/32');
    expect(head).toContain('loss 0.3512');
    expect(head).toContain('88.3 img/s');
    const last = lineWith(frame, 'last epoch');
    expect(last).toContain('val_loss 0.65');
    expect(last).toContain('val_auroc_TP53 0.625');
    expect(last).not.toContain('images_per_s');
    // losses 0.8, 0.4, 0.66 → max █, min ▁; 0.66 is at 0.65 of the range: floor(0.65 × 8) = bin 5 of 0..7 → ▆
    expect(lineWith(frame, 'loss/epoch')).toContain('█▁▆');
    expect(lineWith(frame, 'loss/epoch')).toContain('0.8 → 0.66');
  });
});

describe('finished training stage', () => {
  it('keeps epochs and the loss curve on its line in the final frame', () => {
    const stage = 'train@ResNet';
    const s = stateOf([
      [T0, { type: 'stage', reason: 'started', stage, key: 'k', why: [] }],
      [T0 + 1, { type: 'metrics', stage, reason: 'epoch', step: { epoch: 1, epochs: 2 }, values: { loss: 0.9 } }],
      [T0 + 2, { type: 'metrics', stage, reason: 'epoch', step: { epoch: 2, epochs: 2 }, values: { loss: 0.5 } }],
      [T0 + 3, { type: 'stage', reason: 'finished', stage, key: 'k', seconds: 30, items: { total: 0, ran: 0, cached: 0, failed: 0 } }],
    ]);
    const frame = render(<StageList stages={s.stages} now={T0} columns={100} />).lastFrame()!;
    expect(frame).toMatch(/^✓ train@ResNet\s+30s\s+2 epochs · loss █▁ 0\.9 → 0\.5$/);
  });
});

describe('ErrorPanel and Footer', () => {
  it('names the stage, item and file of a failure, with its hint', () => {
    const s = stateOf([
      [
        T0,
        {
          type: 'stage',
          reason: 'failed',
          stage: 'preprocess',
          seconds: 1,
          error: { kind: 'dicom-parse', message: 'pixel data truncated', item: 'TCGA-06-0122/T1', location: { file: 'data/dicom/0122/IM-0001.dcm', line: 4 }, hint: 'delete or replace the file' },
        },
      ],
      [T0, { type: 'log', level: 'warn', message: 'odd spacing', stage: 'preprocess', item: 'TCGA-06-0125/FLAIR' }],
    ]);
    const frame = render(<ErrorPanel failures={s.failures} notices={s.notices} />).lastFrame()!;
    expect(frame).toContain('✗ preprocess failed: pixel data truncated');
    expect(frame).toContain('stage preprocess · item TCGA-06-0122/T1 · file data/dicom/0122/IM-0001.dcm:4');
    expect(frame).toContain('hint: delete or replace the file');
    expect(frame).toContain('warning: odd spacing (preprocess, TCGA-06-0125/FLAIR)');
  });

  it('renders nothing when there is nothing wrong', () => {
    expect(render(<ErrorPanel failures={[]} />).lastFrame()).toBe('');
  });

  it('shows cache hits/misses, busy workers and total elapsed', () => {
    const s = stateOf([
      [T0, runStarted],
      [T0, { type: 'stage', reason: 'cached', stage: 'ingest', key: 'k', restored: [] }],
      [T0, { type: 'stage', reason: 'started', stage: 'preprocess', key: 'k', why: [] }],
      [T0, { type: 'pool', busy: 2, size: 4 }],
    ]);
    const frame = render(<Footer state={s} now={T0 + 125_000} />).lastFrame()!;
    expect(frame).toBe('cache 1 hit · 1 miss   workers 2/4 busy   elapsed 2m 05s');
  });
});

describe('App', () => {
  it('draws events from the store at the frame rate, not per event', async () => {
    let t = T0;
    const store = createUiStore(() => t);
    const { lastFrame, frames, unmount } = render(<App store={store} title="glioflow run" now={() => t} fps={10} />);
    store.dispatch(runStarted);
    store.dispatch({ type: 'stage', reason: 'started', stage: 'preprocess', key: 'k', why: [] });
    const before = frames.length;
    // 200 events in one burst, as a fast stage might send
    for (let i = 1; i <= 200; i++) {
      t += 10;
      store.dispatch({ type: 'progress', stage: 'preprocess', unit: 'series', done: i, total: 200, cached: 0 });
    }
    await sleep(500);
    const drawn = frames.length - before;
    expect(drawn).toBeGreaterThanOrEqual(1);
    // 500 ms at 10 fps: at most one frame per 100 ms tick, not one per event
    expect(drawn).toBeLessThanOrEqual(6);
    const frame = lastFrame()!;
    expect(frame.split('\n')[0]).toBe('glioflow run');
    expect(lineWith(frame, 'preprocess')).toContain('200/200 series');
    expect(lineWith(frame, 'train@ViT').startsWith('◌')).toBe(true);
    unmount();
  });

  it('subscribes to an event source while mounted and lets go on unmount', async () => {
    const source = createEventSource();
    const { lastFrame, unmount } = render(<App source={source} title="t" />);
    await sleep(20);
    source.emit({ type: 'stage', reason: 'cached', stage: 'labels', key: 'k', restored: [] });
    await sleep(250);
    expect(lineWith(lastFrame()!, 'labels')).toMatch(/^≡ labels\s+cached$/);
    unmount();
    let listeners = 0;
    const counting = { subscribe: () => { listeners++; return () => { listeners--; }; } };
    const second = render(<App source={counting} title="t" />);
    await sleep(20);
    expect(listeners).toBe(1);
    second.unmount();
    expect(listeners).toBe(0);
  });

  it('follows terminal resizes', async () => {
    let t = T0;
    const store = createUiStore(() => t);
    store.dispatch({ type: 'stage', reason: 'started', stage: 'a', key: 'k', why: [] });
    t += 1000;
    store.dispatch({ type: 'progress', stage: 'a', unit: 'files', done: 10, total: 100, cached: 0 });
    const { lastFrame, stdout, unmount } = render(<App store={store} title="t" now={() => t} />);
    const cells = (): number => (lineWith(lastFrame()!, '10/100').match(/[█░]/g) ?? []).length;
    const wide = cells();
    Object.defineProperty(stdout, 'columns', { configurable: true, get: () => 50 });
    stdout.emit('resize');
    await sleep(50);
    const narrow = cells();
    expect(narrow).toBeLessThan(wide);
    expect(Math.max(...lastFrame()!.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(50);
    unmount();
  });

  it('calls onCtrlC on Ctrl-C instead of exiting', async () => {
    const store = createUiStore();
    let presses = 0;
    const { stdin, lastFrame, unmount } = render(<App store={store} title="t" onCtrlC={() => presses++} />);
    await sleep(20);
    stdin.write('\u0003');
    await sleep(20);
    expect(presses).toBe(1);
    // still mounted and drawing
    store.dispatch({ type: 'stage', reason: 'queued', stage: 'late' });
    await sleep(250);
    expect(lastFrame()).toContain('late');
    unmount();
  });
});
