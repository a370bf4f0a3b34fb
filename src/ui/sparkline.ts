// A sparkline is eight block characters scaled between the series' min and max; small enough
// that a dependency would cost more than it saves.
const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * One character per value, lowest value `▁`, highest `█`, linear in between. A flat series is a
 * row of `▄` (no trend to show). Non-finite values (a diverged loss) show as a space so they are
 * visible as gaps instead of distorting the scale. `width` keeps the most recent values.
 */
export function sparkline(values: readonly number[], width = Infinity): string {
  const shown = width < values.length ? values.slice(values.length - Math.max(0, width)) : values;
  const finite = shown.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return ' '.repeat(shown.length);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min;
  return shown
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      if (span === 0) return BARS[3];
      const index = Math.min(BARS.length - 1, Math.floor(((v - min) / span) * BARS.length));
      return BARS[index];
    })
    .join('');
}
