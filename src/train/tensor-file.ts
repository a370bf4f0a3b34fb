// A small self-describing tensor file (weights, optimizer state): "GFT1", uint32 header length, JSON header
// { meta, shapes }, zero padding to 4 bytes, then float32 little-endian data. Written to a temp file and renamed, so a
// killed process leaves either the old file or the new one, never half of one.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';

const MAGIC = 'GFT1';

export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** A tensor to write whose values may be read only when its turn comes (one weight-sized copy at a time). */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | (() => Float32Array);
}

export interface TensorFile<M> {
  meta: M;
  tensors: TensorData[];
}

export async function writeTensorFile<M>(path: string, meta: M, tensors: readonly TensorToWrite[]): Promise<void> {
  const header = Buffer.from(JSON.stringify({ meta, shapes: tensors.map((t) => t.shape) }), 'utf8');
  const pad = (4 - ((8 + header.length) % 4)) % 4;
  const prefix = Buffer.alloc(8 + header.length + pad);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, 4);
  header.copy(prefix, 8);
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.write(prefix);
    for (const t of tensors) {
      if (!isLittleEndian) throw new Error('big-endian hosts are not supported');
      const data = typeof t.data === 'function' ? t.data() : t.data;
      await fh.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export async function readTensorFile<M>(path: string): Promise<Result<TensorFile<M>, GlioflowError>> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    return err({ kind: 'checkpoint-unreadable', message: `cannot read ${path}: ${(e as Error).message}`, location: { file: path } });
  }
  const bad = (why: string) => err({ kind: 'checkpoint-corrupt', message: `${path}: ${why}`, location: { file: path } });
  if (buf.length < 8 || buf.toString('ascii', 0, 4) !== MAGIC) return bad('not a glioflow tensor file');
  const hl = buf.readUInt32LE(4);
  let header: { meta: M; shapes: number[][] };
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + hl)) as { meta: M; shapes: number[][] };
  } catch {
    return bad('header is not JSON');
  }
  let off = 8 + hl + ((4 - ((8 + hl) % 4)) % 4);
  const tensors: TensorData[] = [];
  for (const shape of header.shapes) {
    const n = shape.reduce((p, d) => p * d, 1);
    if (off + 4 * n > buf.length) return bad('truncated');
    // Copy out: Buffer pools may not be 4-byte aligned.
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(buf.subarray(off, off + 4 * n));
    tensors.push({ shape, data });
    off += 4 * n;
  }
  if (off !== buf.length) return bad('trailing bytes');
  return ok({ meta: header.meta, tensors });
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true });
}
