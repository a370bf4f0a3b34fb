import { describe, expect, it } from 'vitest';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { DagView, StatusView, dagText, layoutDag, renderDag, renderStatus, statusText, type DagNode } from '../../src/ui/static.js';

const stages = [
  { name: 'ingest', fresh: true, reasons: [] },
  { name: 'preprocess', fresh: false, reasons: ['param size changed: 64 → 96', 'code changed'] },
  { name: 'train@ViT', fresh: false, reasons: ['upstream preprocess is stale'] },
];

describe('status view', () => {
  it('writes one plain line per stage with its freshness and reasons, then a summary', () => {
    const text = statusText(stages, 80);
    expect(text.split('\n')).toEqual([
      '≡ ingest      fresh',
      '● preprocess  stale: param size changed: 64 → 96; code changed',
      '● train@ViT   stale: upstream preprocess is stale',
      '2 of 3 stages to run',
    ]);
    expect(text).not.toContain('\u001b');
    expect(statusText([{ name: 'a', fresh: true, reasons: [] }])).toBe('≡ a     fresh\nall 1 stages fresh');
    expect(statusText([{ name: 'a', fresh: true, reasons: ['model.json will be restored from the cache'] }]).split('\n')[0]).toBe(
      '≡ a     fresh: model.json will be restored from the cache',
    );
  });

  it('renders the same lines through Ink on a TTY', () => {
    const frame = render(<StatusView stages={stages} columns={80} />).lastFrame()!;
    expect(stripVTControlCharacters(frame).split('\n').map((l) => l.trimEnd())).toEqual(statusText(stages, 80).split('\n'));
    expect(stripVTControlCharacters(renderStatus(stages, { columns: 80 })).split('\n').map((l) => l.trimEnd())).toEqual(statusText(stages, 80).split('\n'));
    expect(renderStatus(stages, { plain: true })).toBe(statusText(stages, 80));
  });

  it('truncates long reasons to the width', () => {
    const long = [{ name: 'preprocess', fresh: false, reasons: ['x'.repeat(200)] }];
    for (const line of statusText(long, 60).split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
    for (const line of stripVTControlCharacters(renderStatus(long, { columns: 60 })).split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
  });
});

describe('dag view', () => {
  const nodes: DagNode[] = [
    { name: 'train@ViT', needs: ['splits', 'tensors'] },
    { name: 'ingest', needs: [] },
    { name: 'labels', needs: [] },
    { name: 'tensors', needs: ['preprocess'] },
    { name: 'preprocess', needs: ['ingest'] },
    { name: 'splits', needs: ['labels', 'ingest'] },
  ];

  it('orders every stage after all it needs, keeping the given order among equals', () => {
    const rows = layoutDag(nodes);
    const position = new Map(rows.map((r, i) => [r.name, i]));
    for (const n of nodes) for (const need of n.needs) expect(position.get(need)!).toBeLessThan(position.get(n.name)!);
    expect(rows.map((r) => r.name)).toEqual(['ingest', 'labels', 'preprocess', 'tensors', 'splits', 'train@ViT']);
    // depth = longest chain of needs below the stage
    expect(Object.fromEntries(rows.map((r) => [r.name, r.depth]))).toEqual({ ingest: 0, labels: 0, preprocess: 1, tensors: 2, splits: 1, 'train@ViT': 3 });
  });

  it('reports cycles and unknown needs instead of failing', () => {
    const rows = layoutDag([
      { name: 'a', needs: ['b'] },
      { name: 'b', needs: ['a'] },
      { name: 'c', needs: ['ghost'] },
    ]);
    expect(rows.map((r) => [r.name, r.cyclic, r.missing])).toEqual([
      ['c', false, ['ghost']],
      ['a', true, []],
      ['b', true, []],
    ]);
    expect(dagText([{ name: 'c', needs: ['ghost'] }])).toBe('c  ← ghost (missing)');
  });

  it('draws plain text indented by depth with arrows to what each stage needs', () => {
    // the name column is as wide as the deepest indented name: 3 levels × 2 + 'train@ViT' = 15
    expect(dagText(nodes).split('\n')).toEqual([
      'ingest',
      'labels',
      '  preprocess     ← ingest',
      '    tensors      ← preprocess',
      '  splits         ← labels, ingest',
      '      train@ViT  ← splits, tensors',
    ]);
  });

  it('renders the same lines through Ink on a TTY', () => {
    const frame = render(<DagView nodes={nodes} columns={80} />).lastFrame()!;
    expect(stripVTControlCharacters(frame).split('\n').map((l) => l.trimEnd())).toEqual(dagText(nodes).split('\n'));
    expect(renderDag(nodes, { plain: true })).toBe(dagText(nodes));
    expect(stripVTControlCharacters(renderDag(nodes)).split('\n').map((l) => l.trimEnd())).toEqual(dagText(nodes).split('\n'));
  });
});
