// Runs a command in a real pseudo-terminal (node-pty), the only way to see what a person sees:
// raw mode, Ctrl-C as a key, terminal width, the final frame left on screen.
import { stripVTControlCharacters } from 'node:util';
import * as pty from 'node-pty';

export interface PtyOptions {
  cwd?: string;
  /**
   * Added to the parent's environment; a value of `undefined` removes a variable. By default
   * `CI` and `CONTINUOUS_INTEGRATION` are set to `0`: the child should behave as for a person at
   * a terminal (Ink, for one, draws only the final frame when it thinks it runs in CI).
   */
  env?: Record<string, string | undefined>;
  /** default 100 */
  cols?: number;
  /** default 40 */
  rows?: number;
}

export interface PtyExit {
  exitCode: number;
  signal?: number;
}

export interface PtySession {
  readonly pid: number;
  /** everything the program wrote so far, escape codes included */
  output(): string;
  /** the output with escape codes removed (for assertions on text) */
  text(): string;
  /** resolves once the escape-free output matches; rejects after `timeoutMs` with the output so far */
  waitFor(match: string | RegExp, timeoutMs?: number): Promise<void>;
  write(data: string): void;
  /** presses Ctrl-C: the terminal turns it into SIGINT, or the program reads \x03 in raw mode */
  ctrlC(): void;
  resize(cols: number, rows: number): void;
  readonly exited: Promise<PtyExit>;
  /** resolves with the exit, or kills the process and rejects after `timeoutMs` */
  waitForExit(timeoutMs?: number): Promise<PtyExit>;
  kill(signal?: string): void;
}

export function spawnPty(file: string, args: readonly string[], options: PtyOptions = {}): PtySession {
  const env: Record<string, string> = {};
  const merged = { ...process.env, TERM: 'xterm-256color', CI: '0', CONTINUOUS_INTEGRATION: '0', ...options.env };
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) env[k] = v;
  const child = pty.spawn(file, [...args], {
    name: 'xterm-256color',
    cols: options.cols ?? 100,
    rows: options.rows ?? 40,
    cwd: options.cwd ?? process.cwd(),
    env,
  });
  let out = '';
  const waiters = new Set<() => void>();
  child.onData((data) => {
    out += data;
    for (const check of [...waiters]) check();
  });
  let done = false;
  const exited = new Promise<PtyExit>((resolve) => {
    child.onExit((e) => {
      done = true;
      for (const check of [...waiters]) check();
      resolve(e.signal ? { exitCode: e.exitCode, signal: e.signal } : { exitCode: e.exitCode });
    });
  });

  const text = (): string => stripVTControlCharacters(out);
  const session: PtySession = {
    pid: child.pid,
    output: () => out,
    text,
    waitFor(match, timeoutMs = 10_000) {
      const matches = (): boolean => (typeof match === 'string' ? text().includes(match) : match.test(text()));
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (matches()) finish(null);
          else if (done) finish(new Error(`process exited before ${String(match)} appeared; output:\n${text()}`));
        };
        const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${String(match)}; output:\n${text()}`)), timeoutMs);
        const finish = (error: Error | null): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    },
    write: (data) => child.write(data),
    ctrlC: () => child.write('\u0003'),
    resize: (cols, rows) => child.resize(cols, rows),
    exited,
    waitForExit(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          session.kill('SIGKILL');
          reject(new Error(`process did not exit within ${timeoutMs} ms; output:\n${text()}`));
        }, timeoutMs);
        void exited.then((e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
    },
    kill(signal) {
      if (!done) child.kill(signal);
    },
  };
  return session;
}
