// The all-gather that synchronised batch norm's threads block on (src/train/batch-stats-exchange.ts), between this
// thread (rank 0) and a worker thread (rank 1) running the built module: values come back in rank order, the
// buffers alternate over many exchanges, threads out of step (different tags) fail instead of mixing their numbers,
// and an abort on one side ends the other's wait.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BatchStatsExchange, ExchangeAborted } from '../../src/train/batch-stats-exchange.js';

const built = fileURLToPath(new URL('../../dist/train/batch-stats-exchange.js', import.meta.url));

/** A worker that makes `rounds` exchanges as rank 1: values [round, 10·round + 1], tag `tag(round)`; abort at `abortAt`. */
function partner(buffer: SharedArrayBuffer, rounds: number, tags: number[], abortAt = -1): Promise<{ got: number[][][]; error?: string }> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.built).then(({ BatchStatsExchange }) => {
      const ex = new BatchStatsExchange(workerData.buffer, 1, 2, 20000);
      const got = [];
      try {
        for (let r = 0; r < workerData.rounds; r++) {
          if (r === workerData.abortAt) { ex.abort(); break; }
          got.push(ex.allGather(Float64Array.of(r, 10 * r + 1), workerData.tags[r]).map((a) => Array.from(a)));
        }
        parentPort.postMessage({ got });
      } catch (e) { parentPort.postMessage({ got, error: e.message }); }
    });`;
  const w = new Worker(code, { eval: true, workerData: { buffer, rounds, tags, abortAt, built } });
  return new Promise((resolve, reject) => {
    w.once('message', (m) => { void w.terminate(); resolve(m as { got: number[][][]; error?: string }); });
    w.once('error', reject);
  });
}

describe('batch statistics exchange', () => {
  it('gathers both threads\' values in rank order, 50 exchanges in a row', async () => {
    const buffer = BatchStatsExchange.buffer(2);
    const tags = Array.from({ length: 50 }, (_, r) => 100 + r);
    const other = partner(buffer, 50, tags);
    const ex = new BatchStatsExchange(buffer, 0, 2, 20000);
    const mine: number[][][] = [];
    for (let r = 0; r < 50; r++) mine.push(ex.allGather(Float64Array.of(-r, -10 * r - 1), tags[r]!).map((a) => Array.from(a)));
    const theirs = await other;
    expect(theirs.error).toBeUndefined();
    for (let r = 0; r < 50; r++) {
      expect(mine[r]).toEqual([[-r, -10 * r - 1], [r, 10 * r + 1]]);
      expect(theirs.got[r]).toEqual(mine[r]);
    }
  });

  it('threads out of step (another tag at the same exchange) fail on both sides', async () => {
    const buffer = BatchStatsExchange.buffer(2);
    const other = partner(buffer, 1, [8]);
    const ex = new BatchStatsExchange(buffer, 0, 2, 20000);
    let mine = '';
    try {
      ex.allGather(Float64Array.of(1, 2), 7);
    } catch (e) {
      mine = (e as Error).message;
    }
    const theirs = (await other).error ?? '';
    // whichever side checks first says why and aborts; the other may see that abort first
    expect(mine).toMatch(/out of step|another thread/);
    expect(theirs).toMatch(/out of step|another thread/);
    expect(`${mine} ${theirs}`).toMatch(/out of step/);
  });

  it('an abort on the other side ends this side\'s wait with an error', async () => {
    const buffer = BatchStatsExchange.buffer(2);
    const other = partner(buffer, 3, [1, 2, 3], 1); // one exchange, then abort
    const ex = new BatchStatsExchange(buffer, 0, 2, 20000);
    expect(ex.allGather(Float64Array.of(0, 0), 1)).toHaveLength(2);
    expect(() => ex.allGather(Float64Array.of(0, 0), 2)).toThrow(ExchangeAborted);
    await other;
  });
});
