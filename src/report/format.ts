// Number formatting shared by plots, the HTML report and the terminal table.
import type { ConfidenceInterval } from '../metrics/types.js';

export const NA = '—';

export function num(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NA : v.toFixed(digits);
}

export function ciText(ci: ConfidenceInterval | null, digits = 2): string {
  if (!ci) return '';
  if (!ci.defined) return `[CI n/a: ${ci.reason}]`;
  return `[${ci.low.toFixed(digits)}, ${ci.high.toFixed(digits)}]`;
}

/** 85,806,340 → `85.8M`; 61,100 → `61.1k`. */
export function countText(n: number): string {
  if (!Number.isFinite(n)) return NA;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
