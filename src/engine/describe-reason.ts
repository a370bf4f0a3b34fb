// Stale reasons as one line for people; shared by `status`, the plain log and the terminal UI.
import type { StaleReason } from './events.js';

/** One line for people: `param size changed: 224 → 64`. */
export function describeReason(r: StaleReason): string {
  switch (r.reason) {
    case 'never-ran':
      return 'never ran';
    case 'forced':
      return 'forced (--force)';
    case 'code-changed':
      return `code changed (${r.from} → ${r.to})`;
    case 'param-changed':
      return `param ${r.param} changed: ${JSON.stringify(r.from)} → ${JSON.stringify(r.to)}`;
    case 'deps-changed':
      return `files changed: ${r.files.map((f) => `${f.path} (${f.change})`).join(', ')}${r.more > 0 ? ` and ${r.more} more` : ''}`;
    case 'upstream-changed':
      return `output of ${r.stage} changed`;
    case 'upstream-stale':
      return `${r.stage} is stale and runs first`;
    case 'environment-changed':
      return `${r.what} changed: ${r.from} → ${r.to}`;
    case 'output-missing':
      return `output ${r.output} missing from the cache`;
    case 'last-run-failed':
      return 'its last run failed';
  }
}
