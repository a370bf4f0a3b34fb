// One `run` at a time per cache: a lock file holding the owner's pid. A lock whose process is
// gone (killed run) is taken over; a live one is waited for, or refused at once with --no-wait.
// Read-only commands (status, verify, explain) take no lock.
//
// Why link() rather than open(O_EXCL) + write: with O_EXCL the file exists, empty,
// before its owner is written, and a second process reading it then cannot tell "being written"
// from "garbage" — it removed the lock and both runs went ahead. Here the owner is written to a
// private file first and hard-linked into place (atomic, fails when the name exists), so the lock
// file is never seen half-written. Taking over a dead owner's lock happens under a break guard
// (one contender at a time) and checks it still holds the dead owner's text, so
// two waiters can't both "remove the stale lock" and then each remove the other's fresh one.
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { randomHex } from '../random-hex.js';
import { err, ok, type GlioflowError, type Result } from '../result.js';
import { processAlive } from '../process-alive.js';

interface Owner {
  pid: number;
  host: string;
  since: string;
}

/** A lock file that does not parse for this long is garbage (left by an older glioflow), not "being written". */
const GARBAGE_AFTER_MS = 2_000;

function parseOwner(text: string): Owner | 'unreadable' {
  try {
    const owner = JSON.parse(text) as Owner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function readOwner(file: string): Owner | 'absent' | 'unreadable' {
  try {
    return parseOwner(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

function isStale(file: string, owner: Owner | 'unreadable'): boolean {
  if (owner === 'unreadable') {
    const st = statSync(file, { throwIfNoEntry: false });
    return st !== undefined && Date.now() - st.mtimeMs > GARBAGE_AFTER_MS;
  }
  // our own pid in a lock we have not taken is a dead run's whose pid was reused for us
  return owner.host === hostname() && (owner.pid === process.pid || !processAlive(owner.pid));
}

/** A break guard older than this was left by a process killed while breaking a lock (held for microseconds). */
const GUARD_STALE_MS = 10_000;

/**
 * Removes a dead owner's lock — only while holding `FILE.break` (created exclusively), and only
 * when the lock still holds exactly the stale text we saw. Nobody else can change a dead owner's
 * lock meanwhile (creators only link when it is absent; other breakers wait for the guard), so a
 * fresh lock taken by another contender is never removed by mistake.
 */
function breakStale(file: string, seen: string, guardText: string): void {
  const guard = `${file}.break`;
  const mine = `${guard}.new-${process.pid}-${randomHex(8)}`;
  writeFileSync(mine, guardText);
  try {
    try {
      linkOrCreate(mine, guard, guardText);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const st = statSync(guard, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > GUARD_STALE_MS) rmSync(guard, { force: true });
      return; // someone else is breaking it: look again
    }
    try {
      let now: string | undefined;
      try {
        now = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (now === seen) rmSync(file, { force: true });
    } finally {
      rmSync(guard, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

/** link() where the file system has hard links; elsewhere O_EXCL (a half-written file then reads as "unreadable", which waits). */
function linkOrCreate(from: string, to: string, text: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    writeFileSync(to, text, { flag: 'wx' });
  }
}

function tryAcquire(file: string, owner: Owner): Owner | 'acquired' {
  mkdirSync(dirname(file), { recursive: true });
  const text = JSON.stringify(owner);
  const mine = `${file}.new-${process.pid}-${randomHex(8)}`;
  writeFileSync(mine, text);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkOrCreate(mine, file, text);
        return 'acquired';
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let seenText: string;
      try {
        seenText = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw error;
      }
      const current = parseOwner(seenText);
      if (!isStale(file, current)) {
        return current === 'unreadable' ? { pid: 0, host: '?', since: 'unknown (lock file being written)' } : current;
      }
      breakStale(file, seenText, text);
    }
    const last = readOwner(file);
    return typeof last === 'object' ? last : { pid: 0, host: '?', since: 'unknown' };
  } finally {
    rmSync(mine, { force: true });
  }
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
    const me: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const got = tryAcquire(file, me);
    if (got === 'acquired') {
      return ok({
        release: () => {
          // remove it only while it is still ours (a takeover by mistake must not be undone twice)
          let now: ReturnType<typeof readOwner>;
          try {
            now = readOwner(file);
          } catch {
            return; // unreadable now (permissions changed?): leave it; a later run sees our pid is gone
          }
          if (typeof now === 'object' && now.pid === me.pid && now.since === me.since) rmSync(file, { force: true });
        },
      });
    }
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
