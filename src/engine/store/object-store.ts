// The content-addressed store: an object's name is the hash of its bytes. Objects are written
// under a temporary name and renamed, so a name that exists always holds complete content.
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor, writeFileAtomic } from '../atomic.js';
import { hashBytes, hashFile } from '../hash.js';

export class ObjectStore {
  constructor(readonly dir: string) {}

  path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash.slice(2));
  }

  has(hash: string): boolean {
    return existsSync(this.path(hash));
  }

  /** Size of a stored object, or undefined when it is absent. */
  size(hash: string): number | undefined {
    return statSync(this.path(hash), { throwIfNoEntry: false })?.size;
  }

  async put(data: Uint8Array | string): Promise<{ hash: string; size: number }> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const hash = hashBytes(bytes);
    if (!this.has(hash)) await writeFileAtomic(this.path(hash), bytes);
    return { hash, size: bytes.byteLength };
  }

  /** Moves a finished file into the store (copies when it lives on another file system). */
  async putFile(file: string): Promise<{ hash: string; size: number }> {
    const { hash, size } = await hashFile(file);
    const target = this.path(hash);
    if (this.has(hash)) {
      await rm(file, { force: true });
      return { hash, size };
    }
    await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true });
    const temp = tempPathFor(target);
    try {
      await rename(file, temp);
    } catch {
      await copyFile(file, temp);
      await rm(file, { force: true });
    }
    await rename(temp, target);
    return { hash, size };
  }

  async read(hash: string): Promise<Buffer> {
    return readFile(this.path(hash));
  }

  /** Re-hashes an object: 'ok' when its bytes still match its name. */
  async verify(hash: string): Promise<'ok' | 'missing' | 'altered'> {
    if (!this.has(hash)) return 'missing';
    const actual = await hashFile(this.path(hash));
    return actual.hash === hash ? 'ok' : 'altered';
  }
}
