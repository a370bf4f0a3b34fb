// File reads for the ingest item functions, into one buffer reused for file after file. Why: a fresh Buffer per DICOM
// file (tens of kB, outside the JS heap) counts as external memory, and 8,000 of them per ingest made V8 stop for
// garbage collection every few hundred files. The buffer is leased: a read while it is out (another task awaiting on
// this thread) gets a buffer of its own, so a lease is never overwritten while in use.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface FileBytes {
  bytes: Uint8Array;
  /** Gives the buffer back; `bytes` and every view of it must not be used afterwards. */
  release(): void;
}

let shared = Buffer.allocUnsafeSlow(0);
let leased = false;

export function readFileBytes(path: string): FileBytes {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const own = leased;
    let buffer = shared;
    if (own) buffer = Buffer.allocUnsafeSlow(size);
    else if (buffer.length < size) buffer = shared = Buffer.allocUnsafeSlow(Math.max(size, 2 * buffer.length));
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break; // the file shrank while we read: parse what is there
      read += n;
    }
    if (!own) leased = true;
    let released = false;
    return {
      bytes: buffer.subarray(0, read),
      release: () => {
        if (released || own) return;
        released = true;
        leased = false;
      },
    };
  } finally {
    closeSync(fd);
  }
}
