// Which patients go into which shard file. The rule is built so that a change in one patient rewrites only that
// patient's shard(s):
// - patients are sorted by id; a shard is a run of consecutive patients, or one part of a patient too big for one;
// - a run ends after patient p when hash(p.id) < 1/K ("content-defined chunking": the cut points depend on ids
//   only, so a patient whose rows change, or one that is added or removed, moves no cut but its own); K = the
//   power of two that makes K median-sized patients fit the target, so shards are about `shardMb`;
// - a run is also cut before it would pass the target size; such a forced cut depends on sizes, so a patient that
//   grows can shift the runs after it up to the next hash cut (rare: K is chosen so that runs fit);
// - a patient of at least the target size gets its own file(s), split by rows into equal parts.
// K itself moves only when the median patient size crosses a power of two.
// File names come from the first patient of the run, so an unchanged run keeps its name and bytes.
import { createHash } from 'node:crypto';
import { unitHash } from '../splits/hash.js';

export interface PlannedShard {
  file: string;
  patients: string[];
  /** For a patient split over several files: which rows [start, end) of it this file holds. */
  part: { index: number; of: number; rowStart: number; rowEnd: number } | null;
  rows: number;
}

export function safeName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9._-]/g, '_');
  // Two ids that differ only in replaced characters must not share a file.
  return s === id ? s : `${s}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

export function planShards(patients: readonly { patient: string; rowCount: number }[], rowBytes: number, targetBytes: number): PlannedShard[] {
  const sorted = [...patients].sort((a, b) => (a.patient < b.patient ? -1 : a.patient > b.patient ? 1 : 0));
  const small = sorted.filter((p) => p.rowCount * rowBytes < targetBytes).map((p) => p.rowCount * rowBytes).sort((a, b) => a - b);
  const median = small.length > 0 ? Math.max(rowBytes, small[Math.floor(small.length / 2)]!) : targetBytes;
  const K = 2 ** Math.max(0, Math.floor(Math.log2(targetBytes / median)));

  const out: PlannedShard[] = [];
  let run: { patient: string; rowCount: number }[] = [];
  let runBytes = 0;
  const flush = (): void => {
    if (run.length === 0) return;
    out.push({ file: `run-${safeName(run[0]!.patient)}.arrow`, patients: run.map((p) => p.patient), part: null, rows: run.reduce((n, p) => n + p.rowCount, 0) });
    run = [];
    runBytes = 0;
  };
  for (const p of sorted) {
    const bytes = p.rowCount * rowBytes;
    if (bytes >= targetBytes) {
      flush();
      const of = Math.ceil(bytes / targetBytes);
      const per = Math.ceil(p.rowCount / of);
      for (let i = 0; i < of; i++) {
        const rowStart = i * per;
        const rowEnd = Math.min(p.rowCount, rowStart + per);
        if (rowEnd <= rowStart) break;
        out.push({ file: `patient-${safeName(p.patient)}.part${String(i + 1).padStart(3, '0')}of${String(of).padStart(3, '0')}.arrow`, patients: [p.patient], part: { index: i, of, rowStart, rowEnd }, rows: rowEnd - rowStart });
      }
      continue;
    }
    if (run.length > 0 && runBytes + bytes > targetBytes) flush();
    run.push(p);
    runBytes += bytes;
    if (unitHash(0, 'shard-cut', p.patient) < 1 / K) flush();
  }
  flush();
  return out;
}
