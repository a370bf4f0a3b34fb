// history.csv parsing and results.json checking.
import { describe, expect, it } from 'vitest';
import { checkModelResult, parseHistoryCsv } from '../../src/report/index.js';
import { LABELS } from '../../src/metrics/index.js';
import { makeResult } from './make-results.js';

const perLabel = LABELS.flatMap((l) => [`train_acc_${l}`, `train_auroc_${l}`, `val_acc_${l}`, `val_auroc_${l}`]);
const header = ['epoch', 'train_loss', 'val_loss', 'seconds', 'images_per_s', ...perLabel, 'extra'].join(',');

describe('parseHistoryCsv', () => {
  it('reads numbers, turns empty/NaN/null cells into null, ignores extra columns', () => {
    const row1 = ['1', '0.69', '0.71', '30.5', '412', ...perLabel.map((c) => (c === 'val_auroc_IDH' ? '' : c.includes('auroc_EGFR') ? 'NaN' : '0.6')), 'x'];
    const row2 = ['2', '0.5', 'null', '29', '420', ...perLabel.map(() => '0.7'), 'y'];
    const r = parseHistoryCsv([header, row1.join(','), row2.join(',')].join('\n'), 'history.csv');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toHaveLength(2);
    expect(r.value[0]).toMatchObject({ epoch: 1, train_loss: 0.69, val_loss: 0.71, seconds: 30.5, images_per_s: 412, train_acc_TP53: 0.6, val_auroc_IDH: null, train_auroc_EGFR: null });
    expect(r.value[1]?.val_loss).toBeNull();
    expect(r.value[0]).not.toHaveProperty('extra');
  });
  it('says which column is missing, and which line is bad', () => {
    const r = parseHistoryCsv('epoch,train_loss\n1,0.5\n', 'h.csv');
    expect(r).toMatchObject({ ok: false, error: { kind: 'history-csv', location: { file: 'h.csv', line: 1 }, message: expect.stringContaining('val_loss') } });
    const bad = ['1', 'abc', '0.7', '1', '1', ...perLabel.map(() => '0.5'), ''].join(',');
    expect(parseHistoryCsv(`${header}\n${bad}\n`, 'h.csv')).toMatchObject({ ok: false, error: { location: { line: 2 }, message: expect.stringContaining('train_loss') } });
  });
});

describe('checkModelResult', () => {
  it('accepts what evaluate produces, round-tripped through JSON', () => {
    const r = makeResult(0);
    expect(checkModelResult(JSON.parse(JSON.stringify(r)), 'results.json')).toEqual({ ok: true, value: r });
  });
  it('names the problem', () => {
    expect(checkModelResult({ schema: 'other' }, 'x.json')).toMatchObject({ ok: false, error: { kind: 'results-json', location: { file: 'x.json' } } });
    const { evaluation: _e, ...rest } = makeResult(0);
    expect(checkModelResult(rest, 'x.json')).toMatchObject({ ok: false, error: { message: 'evaluation missing' } });
  });
});
