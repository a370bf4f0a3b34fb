import { describe, expect, it } from 'vitest';
import type { EngineEvent, StaleReason } from '../../src/engine/events.js';
import { createPlainLogger, shouldUsePlain, sanitizeLine } from '../../src/ui/plain-logger.js';

const T0 = Date.UTC(2026, 10, 26, 9, 30, 0);

/** A logger on an injected clock; `at(ms, event)` feeds an event at T0 + ms. */
function harness(options: { progressIntervalMs?: number; verbose?: boolean } = {}) {
  const lines: string[] = [];
  let t = T0;
  const log = createPlainLogger((l) => lines.push(l), { now: () => t, ...options });
  return {
    lines,
    at(ms: number, event: EngineEvent): void {
      t = T0 + ms;
      log(event);
    },
    /** lines without their timestamp */
    texts: (): string[] => lines.map((l) => l.slice(9)),
  };
}

const progress = (done: number, total = 100, cached = 0): EngineEvent => ({ type: 'progress', stage: 'preprocess', unit: 'series', done, total, cached });

describe('createPlainLogger', () => {
  it('prefixes every line with the local HH:MM:SS of the event', () => {
    const h = harness();
    h.at(0, { type: 'run', reason: 'started', runId: 'r1', stages: ['a'], cacheDir: '.glioflow/cache' });
    h.at(3_723_000, { type: 'stage', reason: 'cached', stage: 'a', key: 'k', restored: [] });
    expect(h.lines[0]!.slice(0, 9)).toBe(`${new Date(T0).toTimeString().slice(0, 8)} `);
    expect(h.lines[1]!.slice(0, 9)).toBe(`${new Date(T0 + 3_723_000).toTimeString().slice(0, 8)} `);
    expect(h.texts()).toEqual(['run r1: 1 stages (cache .glioflow/cache)', 'a: cached']);
  });

  it('writes at most one progress line per interval per stage, plus the first and the last', () => {
    const h = harness({ progressIntervalMs: 5000 });
    h.at(0, { type: 'stage', reason: 'started', stage: 'preprocess', key: 'k', why: [] });
    // one progress per second for 12 s, then done
    for (let s = 1; s <= 12; s++) h.at(s * 1000, progress(s * 5));
    h.at(13_000, progress(100));
    const lines = h.texts().filter((l) => l.startsWith('preprocess: ') && l.includes('/100'));
    // shown: t=1 s (first), 6 s, 11 s (5 s apart), 13 s (complete)
    expect(lines.map((l) => l.match(/(\d+)\/100/)![1])).toEqual(['5', '30', '55', '100']);
  });

  it('throttles each stage on its own', () => {
    const h = harness({ progressIntervalMs: 5000 });
    h.at(0, { type: 'progress', stage: 'a', unit: 'files', done: 1, total: 10, cached: 0 });
    h.at(100, { type: 'progress', stage: 'b', unit: 'files', done: 1, total: 10, cached: 0 });
    h.at(200, { type: 'progress', stage: 'a', unit: 'files', done: 2, total: 10, cached: 0 });
    expect(h.texts()).toEqual(['a: 1/10 files', 'b: 1/10 files']);
  });

  it('writes the held-back progress when a stage ends before it completes its count', () => {
    const h = harness({ progressIntervalMs: 5000 });
    h.at(0, { type: 'stage', reason: 'started', stage: 'preprocess', key: 'k', why: [] });
    h.at(1000, progress(40));
    h.at(2000, progress(97));
    h.at(3000, { type: 'stage', reason: 'finished', stage: 'preprocess', key: 'k', seconds: 3, items: { total: 100, ran: 97, cached: 0, failed: 3 } });
    const texts = h.texts();
    expect(texts.filter((l) => l.includes('/100 series'))).toHaveLength(2);
    expect(texts.at(-2)).toMatch(/^preprocess: 97\/100 series/);
    expect(texts.at(-1)).toBe('preprocess: done in 3.0s, 100 items (97 ran, 0 cached, 3 failed)');
  });

  it('reports rate and ETA like the screen does', () => {
    const h = harness();
    h.at(0, { type: 'stage', reason: 'started', stage: 'preprocess', key: 'k', why: [] });
    // 25 done, 5 cached: 20 computed in 4 s = 5/s; 75 left → 15 s
    h.at(4000, progress(25, 100, 5));
    expect(h.texts().at(-1)).toBe('preprocess: 25/100 series, 5 cached, 5.0/s, ETA 15s');
  });

  it('writes epoch lines always and step lines only when verbose', () => {
    const steps: EngineEvent[] = [
      { type: 'metrics', stage: 'train@ViT', reason: 'step', step: { epoch: 1, epochs: 5, batch: 3, batches: 9 }, values: { loss: 0.71234 } },
      { type: 'metrics', stage: 'train@ViT', reason: 'epoch', step: { epoch: 1, epochs: 5 }, values: { loss: 0.7, val_loss: 0.8, val_auroc_IDH: 0.91, images_per_s: 50 } },
    ];
    const quiet = harness();
    for (const e of steps) quiet.at(0, e);
    expect(quiet.texts()).toEqual(['train@ViT: epoch 1/5: loss 0.7, val_loss 0.8, val_auroc_IDH 0.91']);
    const loud = harness({ verbose: true });
    for (const e of steps) loud.at(0, e);
    expect(loud.texts()[0]).toBe('train@ViT: epoch 1/5 batch 3/9: loss 0.7123');
  });

  it('writes failures with stage, item, file and hint on one line', () => {
    const h = harness();
    h.at(0, {
      type: 'stage',
      reason: 'failed',
      stage: 'preprocess',
      seconds: 1.5,
      error: { kind: 'dicom-parse', message: 'truncated', item: 'TCGA-02-0003', location: { file: 'data/a.dcm', line: 7 }, hint: 'remove it' },
    });
    expect(h.texts()).toEqual(['preprocess: FAILED after 1.5s: data/a.dcm:7: truncated (stage preprocess, item TCGA-02-0003) — hint: remove it']);
  });

  it('says why a stage runs, shortening long reason lists unless verbose', () => {
    const why: StaleReason[] = [
      { reason: 'param-changed', param: 'size', from: 64, to: 96 },
      { reason: 'deps-changed', files: [{ path: 'data/a.dcm', change: 'modified' }], more: 2 },
      { reason: 'code-changed', from: 'a', to: 'b' },
    ];
    const h = harness();
    h.at(0, { type: 'stage', reason: 'started', stage: 's', key: 'k', why });
    expect(h.texts()).toEqual(['s: started (param size changed: 64 → 96; files changed: data/a.dcm (modified) and 2 more; 1 more)']);
  });

  it('never writes an escape code, even for messages that carry some', () => {
    const h = harness({ verbose: true });
    const events: EngineEvent[] = [
      { type: 'run', reason: 'started', runId: 'r', stages: ['a', 'train@ViT'], cacheDir: '/c' },
      { type: 'stage', reason: 'queued', stage: 'a' },
      { type: 'stage', reason: 'started', stage: 'a', key: 'k', why: [{ reason: 'never-ran' }] },
      { type: 'pool', busy: 1, size: 2 },
      { type: 'progress', stage: 'a', unit: 'files', done: 1, total: 2, cached: 0 },
      { type: 'log', level: 'warn', message: 'odd \u001b[31mred\u001b[0m value \u0007', stage: 'a', item: 'x', file: 'f.dcm' },
      { type: 'log', level: 'debug', message: 'dbg' },
      { type: 'metrics', stage: 'train@ViT', reason: 'step', step: { epoch: 1, epochs: 1, batch: 1, batches: 1 }, values: { loss: 1 } },
      { type: 'metrics', stage: 'train@ViT', reason: 'epoch', step: { epoch: 1, epochs: 1 }, values: { loss: 1 } },
      { type: 'stage', reason: 'failed', stage: 'a', seconds: 1, error: { kind: 'k', message: '\u001b[1mbold\u001b[22m', hint: 'h' } },
      { type: 'stage', reason: 'skipped', stage: 'b', because: 'upstream a failed' },
      { type: 'run', reason: 'interrupted', message: 'interrupted — the next `glioflow run` resumes from the finished work' },
      { type: 'run', reason: 'finished', ok: false, seconds: 2, stages: [], cacheHits: 0, cacheMisses: 1 },
    ];
    events.forEach((e, i) => h.at(i * 10, e));
    expect(h.lines.length).toBeGreaterThanOrEqual(events.length - 1);
    for (const line of h.lines) {
      expect(line).not.toContain('\u001b');
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
    expect(h.texts()).toContain('warn: odd red value  (a, x, f.dcm)');
    expect(h.texts()).toContain('interrupted — the next `glioflow run` resumes from the finished work');
  });
});

describe('sanitizeLine', () => {
  it('removes CSI sequences and control characters, keeps unicode, makes one line', () => {
    expect(sanitizeLine('\u001b[31mred\u001b[0m ✓ ok\u0007')).toBe('red ✓ ok');
    expect(sanitizeLine('two\nlines\tand tab')).toBe('two lines and tab');
  });
});

describe('shouldUsePlain', () => {
  const tty = { isTTY: true, env: { TERM: 'xterm-256color' } };
  it('uses the Ink UI only on a colour-capable TTY without --no-ui', () => {
    expect(shouldUsePlain(tty)).toBe(false);
    expect(shouldUsePlain({ ...tty, noUi: false })).toBe(false);
  });
  it('goes plain for a pipe, --no-ui, NO_COLOR (any value, even empty) or TERM=dumb', () => {
    expect(shouldUsePlain({ ...tty, isTTY: false })).toBe(true);
    expect(shouldUsePlain({ ...tty, isTTY: undefined })).toBe(true);
    expect(shouldUsePlain({ ...tty, noUi: true })).toBe(true);
    expect(shouldUsePlain({ ...tty, env: { TERM: 'xterm', NO_COLOR: '1' } })).toBe(true);
    expect(shouldUsePlain({ ...tty, env: { TERM: 'xterm', NO_COLOR: '' } })).toBe(true);
    expect(shouldUsePlain({ ...tty, env: { TERM: 'dumb' } })).toBe(true);
  });
});
