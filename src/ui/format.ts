// Small, pure text formatters shared by the Ink components, the plain logger and the static
// renderers, so a number reads the same way in every output mode.

/** `0.4s`, `12s`, `3m 07s`, `1h 02m`: precise when short, coarse when long. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

/** Time left, in whole seconds rounded up (a countdown showing tenths only jitters): `3s`, `2m 05s`. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  return seconds < 60 ? `${Math.ceil(seconds)}s` : formatDuration(Math.ceil(seconds));
}

/** Items per second with a precision that suits its size: `0.25/s`, `3.4/s`, `120/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '–';
  if (perSecond < 1) return `${perSecond.toFixed(2)}/s`;
  if (perSecond < 100) return `${perSecond.toFixed(1)}/s`;
  return `${Math.round(perSecond)}/s`;
}

/** A metric value: 4 significant digits, no exponent for the usual range of losses and AUROCs. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

/** Local wall-clock time as `HH:MM:SS`, for log lines. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The foreach element of a stage instance: `ViT` for `train@ViT`, undefined for `train`. */
export function stageElement(stage: string): string | undefined {
  const at = stage.indexOf('@');
  return at >= 0 ? stage.slice(at + 1) : undefined;
}

/** Shortens text to `width` columns with an ellipsis (ASCII-width text; stage names are ASCII). */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  return `${text.slice(0, width - 1)}…`;
}
