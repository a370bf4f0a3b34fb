import { afterEach, describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { fileURLToPath } from 'node:url';
import { INTERRUPTED_MESSAGE, startInkUi, type InkUi } from '../../src/ui/ink-ui.js';
import { spawnPty, type PtySession } from './pty-helper.js';

/** A terminal-like stdout that keeps what is written. */
function fakeTerminal(columns = 100): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { columns: number; rows: number; isTTY: boolean };
  stream.columns = columns;
  stream.rows = 40;
  stream.isTTY = true;
  return { stream, text: () => stripVTControlCharacters(out) };
}

/** A stdin that is not a TTY: Ink will not enter raw mode, so Ctrl-C arrives as SIGINT. */
function fakeStdin(): NodeJS.ReadStream {
  return new Readable({ read() {} }) as unknown as NodeJS.ReadStream;
}

const uis: InkUi[] = [];
afterEach(async () => {
  for (const ui of uis.splice(0)) await ui.stop();
});

describe('startInkUi', () => {
  it('leaves the final frame on screen after stop()', async () => {
    const term = fakeTerminal();
    const ui = startInkUi({ stdout: term.stream, stdin: fakeStdin(), title: 'glioflow run · test' });
    uis.push(ui);
    ui.listener({ type: 'run', reason: 'started', runId: 'r', stages: ['ingest', 'preprocess'], cacheDir: '/c' });
    ui.listener({ type: 'stage', reason: 'cached', stage: 'ingest', key: 'k', restored: [] });
    ui.listener({ type: 'stage', reason: 'started', stage: 'preprocess', key: 'k', why: [] });
    ui.listener({ type: 'stage', reason: 'finished', stage: 'preprocess', key: 'k', seconds: 12, items: { total: 3, ran: 3, cached: 0, failed: 0 } });
    ui.listener({ type: 'run', reason: 'finished', ok: true, seconds: 12.4, stages: [], cacheHits: 1, cacheMisses: 1 });
    // stop right away: the final state must be drawn even though no frame tick happened since
    await ui.stop();
    const text = term.text();
    const lastFrame = text.slice(text.lastIndexOf('glioflow run · test'));
    expect(lastFrame).toContain('≡ ingest');
    expect(lastFrame).toMatch(/✓ preprocess\s+12s\s+3 items/);
    expect(lastFrame).toContain('cache 1 hit · 1 miss   elapsed 12s');
    // a second stop is harmless
    await ui.stop();
  });

  it('routes SIGINT to onInterrupt with a press count instead of dying, and lets go of SIGINT on stop', async () => {
    const before = process.listenerCount('SIGINT');
    const term = fakeTerminal();
    const ui = startInkUi({ stdout: term.stream, stdin: fakeStdin(), title: 't' });
    uis.push(ui);
    const presses: number[] = [];
    ui.onInterrupt((n) => presses.push(n));
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(presses).toEqual([1, 2]);
    ui.listener({ type: 'run', reason: 'interrupted', message: INTERRUPTED_MESSAGE });
    await ui.stop();
    expect(term.text()).toContain(INTERRUPTED_MESSAGE);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('stops calling a handler once it is unregistered', () => {
    const ui = startInkUi({ stdout: fakeTerminal().stream, stdin: fakeStdin(), title: 't', handleSigint: false });
    uis.push(ui);
    expect(INTERRUPTED_MESSAGE).toBe('interrupted — the next `glioflow run` resumes from the finished work');
    let calls = 0;
    const off = ui.onInterrupt(() => calls++);
    off();
    expect(calls).toBe(0);
  });
});

describe('startInkUi in a pseudo-terminal', () => {
  const demo = fileURLToPath(new URL('../fixtures/ui/ink-ui-demo.tsx', import.meta.url));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  let session: PtySession | undefined;
  afterEach(() => session?.kill('SIGKILL'));

  it('turns Ctrl-C (raw mode) into an interrupt: the run is aborted, the message shown, the process exits on its own', async () => {
    session = spawnPty(process.execPath, ['--import', 'tsx', demo], { cwd: root });
    await session.waitFor(/preprocess.*\d+\/100 series/, 30_000);
    session.ctrlC();
    await session.waitFor('after-stop: exiting 130', 15_000);
    const exit = await session.waitForExit(15_000);
    expect(exit.exitCode).toBe(130);
    const text = session.text();
    expect(text).toContain(INTERRUPTED_MESSAGE);
    // the last frame stays: the finished stage and the interrupted one (now settled as skipped)
    const last = text.slice(text.lastIndexOf('glioflow run · pty demo'));
    expect(last).toContain('✓ ingest');
    expect(last).toMatch(/– preprocess\s+\S+\s+interrupted/);
  });
});
