// Entry point of the live terminal UI for `glioflow run`. The CLI passes `listener` to the engine,
// wires `onInterrupt` to its AbortController, and calls `stop()` when the run has settled.
import type { ReactElement } from 'react';
import { render } from 'ink';
import type { EngineListener } from '../engine/events.js';
import { markInterruptRequested } from './state.js';
import { createUiStore } from './store.js';
import { App } from './components/App.js';

/** What the CLI prints after an interrupted run (the plain logger and the screen show the engine's own message). */
export const INTERRUPTED_MESSAGE = 'interrupted — the next `glioflow run` resumes from the finished work';

export interface InkUiOptions {
  stdout: NodeJS.WriteStream;
  /** defaults to process.stdin; Ctrl-C is read from it when it is a TTY */
  stdin?: NodeJS.ReadStream;
  title: string;
  /** frames per second at most (default 10) */
  fps?: number;
  /** clock, for tests */
  now?: () => number;
  /**
   * Also take over the process's SIGINT while the UI runs (default true), so Ctrl-C in a terminal
   * whose stdin is not in raw mode, or `kill -INT`, goes to `onInterrupt` instead of killing the process.
   */
  handleSigint?: boolean;
}

/** `presses` counts Ctrl-C presses (1, 2, …), so the CLI can escalate on a repeated press. */
export type InterruptHandler = (presses: number) => void;

export interface InkUi {
  listener: EngineListener;
  /** registers what to do on Ctrl-C; returns a function that unregisters it */
  onInterrupt(cb: InterruptHandler): () => void;
  /** draws the final frame, unmounts and leaves that frame on screen; idempotent */
  stop(): Promise<void>;
}

export function startInkUi(options: InkUiOptions): InkUi {
  const now = options.now ?? Date.now;
  const store = createUiStore(now);
  const handlers = new Set<InterruptHandler>();
  let presses = 0;
  let stopped: Promise<void> | null = null;

  const interrupt = (): void => {
    presses++;
    store.update(markInterruptRequested);
    if (handlers.size === 0) {
      // Nobody to abort the run: behave like an ordinary Ctrl-C rather than swallow it.
      void stop().then(() => {
        process.off('SIGINT', onSigint);
        process.kill(process.pid, 'SIGINT');
      });
      return;
    }
    for (const cb of handlers) cb(presses);
  };
  const onSigint = (): void => interrupt();

  const element = (): ReactElement => (
    <App store={store} title={options.title} now={now} onCtrlC={interrupt} {...(options.fps !== undefined ? { fps: options.fps } : {})} />
  );
  const instance = render(element(), {
    stdout: options.stdout,
    stdin: options.stdin ?? process.stdin,
    // Ink's default would unmount on Ctrl-C and leave the engine running headless; the run must be
    // aborted by the CLI instead, so workers end and nothing is left half-written.
    exitOnCtrlC: false,
    patchConsole: options.stdout === process.stdout,
    // Our own timer already limits frames to `fps`; Ink's default cap (30) then adds no delay.
  });
  const handleSigint = options.handleSigint ?? true;
  if (handleSigint) process.on('SIGINT', onSigint);

  const stop = (): Promise<void> => {
    if (stopped) return stopped;
    stopped = (async () => {
      if (handleSigint) process.off('SIGINT', onSigint);
      // Re-render from the store's latest state so the frame left on screen is the final one,
      // not the last timer tick's.
      instance.rerender(element());
      instance.unmount();
      await instance.waitUntilExit();
    })();
    return stopped;
  };

  return {
    listener: (event) => store.dispatch(event),
    onInterrupt(cb) {
      handlers.add(cb);
      return () => {
        handlers.delete(cb);
      };
    },
    stop,
  };
}
