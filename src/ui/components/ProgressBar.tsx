// `████████░░░░  120/275 series · 4 cached · 3.4/s · ETA 45s`, fitted to the width it is given:
// the numbers always show; the bar takes what is left (and disappears on very narrow terminals).
import { Text } from 'ink';
import type { ProgressView } from '../state.js';
import { etaAt } from '../state.js';
import { formatEta, formatRate } from '../format.js';

export const MIN_BAR = 8;
export const MAX_BAR = 40;

/** The text after the bar: counts, cached, rate and ETA (parts without data are left out). */
export function progressText(progress: ProgressView, now: number): string {
  const parts = [`${progress.done}/${progress.total} ${progress.unit}`];
  if (progress.phase) parts.unshift(progress.phase);
  if (progress.cached > 0) parts.push(`${progress.cached} cached`);
  if (progress.rate !== null) parts.push(formatRate(progress.rate));
  const eta = etaAt(progress, now);
  // A countdown that ran out means the work stalled; a stale "ETA 0s" would mislead.
  if (eta !== null && eta > 0 && progress.done < progress.total) parts.push(`ETA ${formatEta(eta)}`);
  return parts.join(' · ');
}

/** The filled/empty cells for `done/total` in `width` cells (no partial-cell glyphs: calmer). */
export function barCells(done: number, total: number, width: number): { filled: number; empty: number } {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  return { filled, empty: width - filled };
}

export interface ProgressBarProps {
  progress: ProgressView;
  now: number;
  /** columns available for the whole bar and its text */
  width: number;
}

export function ProgressBar({ progress, now, width }: ProgressBarProps) {
  const text = progressText(progress, now);
  const barWidth = Math.min(MAX_BAR, width - text.length - 2);
  if (barWidth < MIN_BAR) return <Text wrap="truncate-end">{text}</Text>;
  const { filled, empty } = barCells(progress.done, progress.total, barWidth);
  return (
    <Text wrap="truncate-end">
      <Text color="cyan">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(empty)}</Text>
      {'  '}
      {text}
    </Text>
  );
}
