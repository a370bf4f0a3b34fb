// One calm status line: cache use, worker pool load, total time.
import { Text } from 'ink';
import type { UiState } from '../state.js';
import { runElapsed } from '../state.js';
import { formatDuration } from '../format.js';

export function footerText(state: UiState, now: number): string {
  const parts = [`cache ${state.cache.hits} hit${state.cache.hits === 1 ? '' : 's'} · ${state.cache.misses} miss${state.cache.misses === 1 ? '' : 'es'}`];
  // Pool load means nothing once the run has ended.
  if (state.pool && !state.finished) parts.push(`workers ${state.pool.busy}/${state.pool.size} busy`);
  const elapsed = runElapsed(state, now);
  if (elapsed !== null) parts.push(`elapsed ${formatDuration(elapsed)}`);
  return parts.join('   ');
}

export function Footer({ state, now }: { state: UiState; now: number }) {
  return (
    <Text dimColor wrap="truncate-end">
      {footerText(state, now)}
    </Text>
  );
}
