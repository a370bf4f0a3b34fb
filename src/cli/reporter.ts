// Chooses how a run is shown: the live Ink UI on a terminal, plain lines otherwise (CI, pipes,
// --no-ui, NO_COLOR, TERM=dumb). Ink and React are imported only in the first case.
import type { EngineListener } from '../engine/events.js';
import { createPlainLogger, shouldUsePlain } from '../ui/plain-logger.js';

export interface Reporter {
  listener: EngineListener;
  onInterrupt(cb: (presses: number) => void): void;
  stop(): Promise<void>;
}

export async function createReporter(options: { noUi: boolean; json: boolean; title: string }): Promise<Reporter> {
  // With --json, stdout carries exactly one JSON object; people's lines go to stderr.
  const out = options.json ? process.stderr : process.stdout;
  const plain = options.json || shouldUsePlain({ isTTY: process.stdout.isTTY, noUi: options.noUi, env: process.env });
  if (plain) {
    const listener = createPlainLogger((line) => out.write(`${line}\n`));
    return {
      listener,
      onInterrupt(cb) {
        let presses = 0;
        process.on('SIGINT', () => cb(++presses));
      },
      stop: async () => undefined,
    };
  }
  const { startInkUi } = await import('../ui/ink-ui.js');
  const ui = startInkUi({ stdout: process.stdout, stdin: process.stdin, title: options.title });
  return { listener: ui.listener, onInterrupt: (cb) => void ui.onInterrupt(cb), stop: () => ui.stop() };
}
