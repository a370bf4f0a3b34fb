// One `run` at a time per cache: a lock file created exclusively (O_EXCL) holding the owner's
// pid. A lock whose process is gone (killed run) is taken over; a live one is waited for, or
// refused at once with --no-wait. Read-only commands (status, verify, explain) take no lock.
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { err, ok, type GlioflowError, type Result } from '../result.js';

interface Owner {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryAcquire(file: string): Owner | 'acquired' {
  mkdirSync(dirname(file), { recursive: true });
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    closeSync(fd);
    return 'acquired';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let owner: Owner | undefined;
  try {
    owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
  } catch {
    owner = undefined; // being written right now, or garbage: treat as stale only if it stays so
  }
  if (!owner || (owner.host === hostname() && !alive(owner.pid))) {
    rmSync(file, { force: true });
    return tryAcquire(file);
  }
  return owner;
}

export interface RunLock {
  release(): void;
}

export async function acquireRunLock(
  file: string,
  options: { wait: boolean; onWait(owner: { pid: number; since: string }): void; signal?: AbortSignal },
): Promise<Result<RunLock, GlioflowError>> {
  let announced = false;
  for (;;) {
    const got = tryAcquire(file);
    if (got === 'acquired') return ok({ release: () => rmSync(file, { force: true }) });
    if (!options.wait) {
      return err({ kind: 'locked', message: `another glioflow run (pid ${got.pid}, since ${got.since}) is using this cache`, location: { file }, hint: 'wait for it to finish, or run without --no-wait to queue behind it' });
    }
    if (!announced) {
      options.onWait(got);
      announced = true;
    }
    if (options.signal?.aborted) return err({ kind: 'interrupted', message: 'interrupted while waiting for the run lock' });
    await new Promise((r) => setTimeout(r, 250));
  }
}
