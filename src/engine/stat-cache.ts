// Content hashes without re-reading unchanged files: (path, size, mtime, inode) → hash, like
// git's index. A file modified in the same clock tick as its hashing would fool the check, so
// entries hashed less than RACY_MS after their mtime are re-hashed next time ("racy git" rule).
import { readFileSync, statSync } from 'node:fs';
import { hashFile } from './hash.js';
import { writeFileAtomic } from './atomic.js';

const RACY_MS = 2_000;

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
  hashedAt: number;
}

export class StatCache {
  private loaded: Map<string, Entry> | undefined;
  private dirty = false;
  hits = 0;
  misses = 0;

  /** Reads its file on first use only: a no-op run whose dep signatures match never needs it. */
  constructor(private readonly file: string) {}

  private get entries(): Map<string, Entry> {
    if (!this.loaded) {
      try {
        this.loaded = new Map(Object.entries(JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Entry>));
      } catch {
        this.loaded = new Map(); // missing or unreadable: start empty, it is only an accelerator
      }
    }
    return this.loaded;
  }

  /** The file's content hash, read from disk only when its stat changed (`stats`: when the caller just took them). */
  async hash(path: string, stats?: { size: number; mtimeMs: number; ino: number }): Promise<{ hash: string; size: number }> {
    const st = stats ?? statSync(path);
    const known = this.entries.get(path);
    if (
      known &&
      known.size === st.size &&
      known.mtimeMs === st.mtimeMs &&
      known.ino === st.ino &&
      known.hashedAt - st.mtimeMs > RACY_MS
    ) {
      this.hits++;
      return { hash: known.hash, size: known.size };
    }
    this.misses++;
    const { hash, size } = await hashFile(path, st.size);
    this.entries.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash, hashedAt: Date.now() });
    this.dirty = true;
    return { hash, size: size };
  }

  /** The recorded hash of a file whose stat is as recorded (and was not hashed within the racy window); nothing is recorded. */
  lookup(path: string, st: { size: number; mtimeMs: number; ino: number }): { hash: string; hashedAt: number } | undefined {
    const known = this.entries.get(path);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.ino === st.ino && known.hashedAt - st.mtimeMs > RACY_MS) return { hash: known.hash, hashedAt: known.hashedAt };
    return undefined;
  }

  /** Records a hash the caller already knows (e.g. a file just written from a known object). */
  remember(path: string, hash: string): void {
    try {
      const st = statSync(path);
      this.entries.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash, hashedAt: Date.now() });
      this.dirty = true;
    } catch {
      // the file vanished: nothing to remember
    }
  }

  async save(): Promise<void> {
    if (!this.dirty || !this.loaded) return;
    await writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.entries)));
    this.dirty = false;
  }
}
