// The non-TTY output (CI logs, pipes, --no-ui, NO_COLOR, TERM=dumb): one timestamped line per
// meaningful event, progress throttled per stage, and never an escape code, so logs stay greppable.
import type { EngineEvent, EngineListener } from '../engine/events.js';
import { formatError } from '../engine/result.js';
import { describeReason } from '../engine/describe-reason.js';
import { formatClock, formatDuration, formatEta, formatMetric, formatRate } from './format.js';
import { lastEpochText } from './training-text.js';
import { initialUiState, reduce, type UiState } from './state.js';

export interface PlainLoggerOptions {
  now?: () => number;
  /** at most one progress line per stage per this many ms (the last one always shows); default 5000 */
  progressIntervalMs?: number;
  /** also print debug logs, training steps and why each stage runs in full */
  verbose?: boolean;
}

/**
 * Makes text safe for one log line: drops ANSI CSI sequences and any other C0/C1 control
 * character (ESC included) that may hide in messages from files or libraries, and turns tabs and
 * line breaks into spaces so one event stays one line.
 */
export function sanitizeLine(text: string): string {
  return (
    text
      .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
      .replace(/[\t\n\r]/g, ' ')
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
  );
}


export function createPlainLogger(write: (line: string) => void, options: PlainLoggerOptions = {}): EngineListener {
  const now = options.now ?? Date.now;
  const interval = options.progressIntervalMs ?? 5000;
  const verbose = options.verbose ?? false;
  // The reducer gives rates and ETAs identical to the TTY screen's.
  let state: UiState = initialUiState();
  /** per stage: when its last progress line was written, and the progress held back since */
  const lastProgressAt = new Map<string, number>();
  const pending = new Map<string, string>();

  const line = (text: string): void => write(`${formatClock(now())} ${sanitizeLine(text)}`);
  const flushPending = (stage: string): void => {
    const held = pending.get(stage);
    if (held !== undefined) line(held);
    pending.delete(stage);
  };

  return (event: EngineEvent) => {
    const t = now();
    state = reduce(state, event, t);
    switch (event.type) {
      case 'run':
        if (event.reason === 'started') line(`run ${event.runId}: ${event.stages.length} stages (cache ${event.cacheDir})`);
        else if (event.reason === 'finished') {
          for (const stage of [...pending.keys()]) flushPending(stage);
          const ran = event.stages.filter((s) => s.status === 'ran').length;
          if (event.ok && ran === 0) line(`nothing to run: all ${event.stages.length} stages up to date (${formatDuration(event.seconds)})`);
          else {
            // The engine ends an interrupted run with ok: false too; a Ctrl-C is not a failure.
            const outcome = event.ok ? 'finished' : state.interrupted !== null ? 'interrupted' : 'failed';
            line(
              `run ${outcome} in ${formatDuration(event.seconds)}: ${ran} of ${event.stages.length} stages ran; ` +
                `cache ${event.cacheHits} hits, ${event.cacheMisses} misses`,
            );
          }
        } else {
          for (const stage of [...pending.keys()]) flushPending(stage);
          line(event.message);
        }
        return;
      case 'stage':
        switch (event.reason) {
          case 'queued':
            if (verbose) line(`${event.stage}: queued`);
            return;
          case 'started': {
            const why = event.why.map(describeReason);
            const shown = verbose || why.length <= 2 ? why : [...why.slice(0, 2), `${why.length - 2} more`];
            line(`${event.stage}: started${shown.length > 0 ? ` (${shown.join('; ')})` : ''}`);
            return;
          }
          case 'cached':
            line(`${event.stage}: cached${event.restored.length > 0 ? ` (restored ${event.restored.join(', ')} from the cache)` : ''}`);
            return;
          case 'finished': {
            flushPending(event.stage);
            const i = event.items;
            const items = i.total > 0 ? `, ${i.total} items (${i.ran} ran, ${i.cached} cached${i.failed > 0 ? `, ${i.failed} failed` : ''})` : '';
            line(`${event.stage}: done in ${formatDuration(event.seconds)}${items}`);
            return;
          }
          case 'failed':
            flushPending(event.stage);
            // A Ctrl-C is no failure: no FAILED for CI greps; the run's own line says what resumes.
            if (event.error.kind === 'interrupted') {
              line(`${event.stage}: interrupted after ${formatDuration(event.seconds)}`);
              return;
            }
            line(`${event.stage}: FAILED after ${formatDuration(event.seconds)}: ${formatError({ stage: event.stage, ...event.error }).replace(/\n\s*/g, ' — ')}`);
            return;
          case 'skipped':
            line(`${event.stage}: skipped (${event.because})`);
            return;
        }
        return;
      case 'progress': {
        const view = state.stages.find((s) => s.name === event.stage)?.progress;
        const parts = [`${event.done}/${event.total} ${event.unit}`];
        if (event.phase) parts.unshift(event.phase);
        if (event.cached > 0) parts.push(`${event.cached} cached`);
        if (view?.rate != null) parts.push(formatRate(view.rate));
        if (view?.etaSeconds != null && event.done < event.total) parts.push(`ETA ${formatEta(view.etaSeconds)}`);
        const text = `${event.stage}: ${parts.join(', ')}`;
        const last = lastProgressAt.get(event.stage);
        // The first and the completing progress always show; in between, one line per interval.
        if (last === undefined || t - last >= interval || event.done >= event.total) {
          lastProgressAt.set(event.stage, t);
          pending.delete(event.stage);
          line(text);
        } else {
          pending.set(event.stage, text);
        }
        return;
      }
      case 'metrics': {
        const s = event.step;
        if (event.reason === 'epoch') {
          const values = lastEpochText(event.values, ', ');
          line(`${event.stage}: epoch ${s.epoch}/${s.epochs}${values ? `: ${values}` : ''}`);
        } else if (verbose) {
          const values = Object.entries(event.values).map(([k, v]) => `${k} ${formatMetric(v)}`).join(', ');
          line(`${event.stage}: epoch ${s.epoch}/${s.epochs} batch ${s.batch ?? '?'}/${s.batches ?? '?'}${values ? `: ${values}` : ''}`);
        }
        return;
      }
      case 'log': {
        if (event.level === 'debug' && !verbose) return;
        const ctx = [event.stage, event.item, event.file].filter((x): x is string => x !== undefined);
        line(`${event.level === 'info' ? '' : `${event.level}: `}${event.message}${ctx.length > 0 ? ` (${ctx.join(', ')})` : ''}`);
        return;
      }
      case 'pool':
        if (verbose) line(`workers ${event.busy}/${event.size} busy`);
        return;
    }
  };
}

export interface PlainChoice {
  isTTY: boolean | undefined;
  noUi?: boolean;
  env: Record<string, string | undefined>;
}

/** Plain output when stdout is no TTY, on --no-ui, when NO_COLOR is set (any value, even empty), or TERM=dumb. */
export function shouldUsePlain({ isTTY, noUi, env }: PlainChoice): boolean {
  return isTTY !== true || noUi === true || env['NO_COLOR'] !== undefined || env['TERM'] === 'dumb';
}
