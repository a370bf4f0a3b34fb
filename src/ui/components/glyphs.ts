// One glyph and at most one colour per stage state: colour marks what needs attention (running,
// failed) or success; states where nothing happens (queued, cached, skipped) stay dim.
import type { StageStatus } from '../state.js';

export interface StatusStyle {
  glyph: string;
  color?: string;
  dim: boolean;
  label: string;
}

export const STATUS_STYLE: Record<StageStatus, StatusStyle> = {
  done: { glyph: '✓', color: 'green', dim: false, label: 'done' },
  running: { glyph: '●', color: 'cyan', dim: false, label: 'running' },
  queued: { glyph: '◌', dim: true, label: 'queued' },
  cached: { glyph: '≡', dim: true, label: 'cached' },
  failed: { glyph: '✗', color: 'red', dim: false, label: 'failed' },
  skipped: { glyph: '–', color: 'yellow', dim: true, label: 'skipped' },
};
