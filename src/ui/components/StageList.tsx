// The DAG as an ordered list: one line per stage with its glyph, name, elapsed time and a short
// detail (progress for a running stage, counts for a finished one, the reason for a skipped one).
import { Box, Text } from 'ink';
import type { StageView } from '../state.js';
import { stageElapsed } from '../state.js';
import { formatDuration, formatMetric, truncate } from '../format.js';
import { sparkline } from '../sparkline.js';
import { STATUS_STYLE } from './glyphs.js';
import { ProgressBar } from './ProgressBar.js';

const MAX_NAME = 28;
const ELAPSED_WIDTH = 8;

/** What follows the elapsed time (for a running stage without training, the ProgressBar does). */
export function stageDetail(stage: StageView): string {
  switch (stage.status) {
    case 'queued':
      return '';
    case 'running':
      return stage.training ? `epoch ${stage.training.epoch}/${stage.training.epochs}` : '';
    case 'cached':
      return 'cached';
    case 'done': {
      // A finished training stage keeps its story in the final frame: epochs and the loss curve.
      const t = stage.training;
      if (t && t.lossPerEpoch.length > 0) {
        const l = t.lossPerEpoch;
        return `${t.epochs} epochs · loss ${sparkline(l, 20)} ${formatMetric(l[0]!)} → ${formatMetric(l[l.length - 1]!)}`;
      }
      const items = stage.items;
      if (!items || items.total === 0) return '';
      const extra = [items.cached > 0 && `${items.cached} cached`, items.failed > 0 && `${items.failed} failed`].filter(Boolean);
      return `${items.total} items${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
    }
    case 'failed':
      return stage.error ? `${stage.error.kind}: ${stage.error.message}` : 'failed';
    case 'skipped':
      return stage.skippedBecause ?? 'skipped';
  }
}

export interface StageLineProps {
  stage: StageView;
  now: number;
  nameWidth: number;
  columns: number;
}

export function StageLine({ stage, now, nameWidth, columns }: StageLineProps) {
  const style = STATUS_STYLE[stage.status];
  const elapsed = stageElapsed(stage, now);
  const elapsedText = (elapsed === null || stage.status === 'cached' ? '' : formatDuration(elapsed)).padStart(ELAPSED_WIDTH);
  const name = truncate(stage.name, nameWidth).padEnd(nameWidth);
  // glyph + space + name + elapsed + two spaces
  const rest = Math.max(0, columns - 2 - nameWidth - ELAPSED_WIDTH - 2);
  const detailColor = stage.status === 'failed' ? 'red' : undefined;
  return (
    <Box>
      {/* the fixed columns never shrink; only the detail gives way on narrow terminals */}
      <Box flexShrink={0}>
        <Text>
          <Text color={style.color} dimColor={style.dim}>
            {style.glyph}
          </Text>{' '}
          <Text dimColor={style.dim} bold={stage.status === 'running'}>
            {name}
          </Text>
          <Text dimColor>{elapsedText}</Text>
          {'  '}
        </Text>
      </Box>
      {stage.status === 'running' && stage.progress && !stage.training ? (
        <ProgressBar progress={stage.progress} now={now} width={rest} />
      ) : (
        <Text color={detailColor} dimColor={!detailColor} wrap="truncate-end">
          {truncate(stageDetail(stage), rest)}
        </Text>
      )}
    </Box>
  );
}

export type StageRow = { kind: 'stage'; stage: StageView } | { kind: 'summary'; glyph: string; text: string };

/**
 * Fits the list into `maxLines` lines. A frame taller than the terminal makes Ink redraw the
 * whole screen and flicker, so what needs no attention folds first: finished stages (done or
 * cached) into one line at the top, then queued ones into one line at the end; running, failed
 * and skipped stages keep their own lines as long as there is room.
 */
export function stageRows(stages: readonly StageView[], maxLines: number): StageRow[] {
  let rows: StageRow[] = stages.map((stage) => ({ kind: 'stage', stage }));
  if (rows.length <= maxLines) return rows;
  const finished = stages.filter((s) => s.status === 'done' || s.status === 'cached');
  if (finished.length > 1) {
    const cached = finished.filter((s) => s.status === 'cached').length;
    const text = `${finished.length} stages finished (${finished.length - cached} done, ${cached} cached)`;
    rows = [{ kind: 'summary', glyph: '✓', text }, ...rows.filter((r) => r.kind !== 'stage' || !finished.includes(r.stage))];
  }
  if (rows.length <= maxLines) return rows;
  const queued = stages.filter((s) => s.status === 'queued');
  if (queued.length > 1) {
    rows = [...rows.filter((r) => r.kind !== 'stage' || r.stage.status !== 'queued'), { kind: 'summary', glyph: '◌', text: `${queued.length} stages queued` }];
  }
  if (rows.length <= maxLines) return rows;
  const keep = Math.max(1, maxLines - 1);
  return [...rows.slice(0, keep), { kind: 'summary', glyph: '…', text: `${rows.length - keep} more` }];
}

export interface StageListProps {
  stages: readonly StageView[];
  now: number;
  columns: number;
  /** lines the list may take (default: as many as it has stages) */
  maxLines?: number;
}

export function StageList({ stages, now, columns, maxLines = Infinity }: StageListProps) {
  const rows = stageRows(stages, maxLines);
  const longest = rows.reduce((n, r) => Math.max(n, r.kind === 'stage' ? r.stage.name.length : 0), 0);
  // Names get up to a third of the width, so the detail column never vanishes.
  const nameWidth = Math.max(4, Math.min(MAX_NAME, longest, Math.floor(columns / 3)));
  return (
    <Box flexDirection="column">
      {rows.map((row) =>
        row.kind === 'stage' ? (
          <StageLine key={row.stage.name} stage={row.stage} now={now} nameWidth={nameWidth} columns={columns} />
        ) : (
          <Text key={`summary ${row.glyph}`} dimColor wrap="truncate-end">
            {`${row.glyph} ${row.text}`}
          </Text>
        ),
      )}
    </Box>
  );
}
