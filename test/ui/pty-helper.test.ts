import { afterEach, describe, expect, it } from 'vitest';
import { spawnPty, type PtySession } from './pty-helper.js';

const sessions: PtySession[] = [];
const start = (script: string, options: Parameters<typeof spawnPty>[2] = {}): PtySession => {
  const s = spawnPty(process.execPath, ['-e', script], options);
  sessions.push(s);
  return s;
};
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill('SIGKILL');
});

describe('spawnPty', () => {
  it('runs the command on a 100×40 terminal and collects its output', async () => {
    const s = start('console.log(`tty=${process.stdout.isTTY} size=${process.stdout.columns}x${process.stdout.rows}`)');
    expect(await s.waitForExit()).toEqual({ exitCode: 0 });
    expect(s.text()).toContain('tty=true size=100x40');
  });

  it('passes the environment, with CI switched off unless asked for', async () => {
    const s = start('console.log(`CI=${process.env.CI} TERM=${process.env.TERM} X=${process.env.X} PATH_SET=${process.env.PATH !== undefined}`)', { env: { X: 'y' } });
    await s.waitForExit();
    expect(s.text()).toContain('CI=0 TERM=xterm-256color X=y PATH_SET=true');
    const t = start('console.log(`CI=${process.env.CI}`)', { env: { CI: undefined } });
    await t.waitForExit();
    expect(t.text()).toContain('CI=undefined');
  });

  it('sends Ctrl-C that the terminal delivers as SIGINT', async () => {
    const s = start(
      "process.on('SIGINT', () => { console.log('got SIGINT, cleaning up'); process.exit(3); });" +
        "console.log('ready'); setInterval(() => {}, 1000);",
    );
    await s.waitFor('ready');
    s.ctrlC();
    await s.waitFor('got SIGINT, cleaning up');
    expect((await s.waitForExit()).exitCode).toBe(3);
  });

  it('delivers Ctrl-C as the byte 0x03 to a program in raw mode', async () => {
    const s = start(
      "process.stdin.setRawMode(true); process.stdin.on('data', (d) => { console.log('byte ' + d[0]); process.exit(0); });" +
        "console.log('raw ready');",
    );
    await s.waitFor('raw ready');
    s.ctrlC();
    await s.waitFor('byte 3');
    expect((await s.waitForExit()).exitCode).toBe(0);
  });

  it('rejects waitFor with the output so far when the text never comes', async () => {
    const s = start("console.log('only this')");
    await expect(s.waitFor('never printed', 2000)).rejects.toThrow(/only this/);
  });

  it('resizes the terminal', async () => {
    const s = start("process.stdout.on('resize', () => { console.log('now ' + process.stdout.columns); process.exit(0); }); console.log('go'); setInterval(() => {}, 1000);");
    await s.waitFor('go');
    s.resize(60, 20);
    await s.waitFor('now 60');
  });
});
