// Every file the engine writes goes to a temporary name first and is renamed into place, so a
// killed process leaves either the old file or the new one, never half of one. No fsync: that
// guards against power loss, costs milliseconds per file, and `glioflow verify` finds such damage.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomHex } from './random-hex.js';

export function tempPathFor(target: string): string {
  return `${target}.tmp-${process.pid}-${randomHex(8)}`;
}

const madeDirs = new Set<string>();

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(target);
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The same, synchronously: for small files written between other work (item results). */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const dir = dirname(target);
  if (!madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const temp = tempPathFor(target);
  try {
    writeFileSync(temp, data);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
