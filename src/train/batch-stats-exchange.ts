// An all-gather over shared memory for the threads that compute the pieces of one training step together (the main
// thread, rank 0, and its gradient workers): each thread hands in a few numbers and gets every thread's, in rank
// order, once all have handed theirs in. Synchronised batch norm uses it twice per layer and step (statistics in the
// forward pass, their gradients in the backward pass), so it blocks (Atomics.wait): the threads run tfjs synchronously
// between two exchanges, with no event loop turn in which to await.
//
// Every thread makes the same exchanges in the same order (the same model on pieces of one batch), so the k-th
// exchange of each thread is the same one: a shared arrival counter reaching (k + 1) · threads means all have written
// exchange k. Two buffers alternate: a thread can write exchange k + 1 while a slower one still reads k, never k + 2,
// since it cannot pass k + 1 before the slower one arrives there. A thread that fails sets the abort flag, so the
// others stop waiting and fail too instead of hanging; a thread that vanishes without it is caught by a timeout.

/** Most numbers one thread hands in per exchange (2 per channel + 1: 4,096 channels). */
export const MAX_EXCHANGE_VALUES = 8193;
const ARRIVALS = 0;
const ABORTED = 1;
const HEADER_BYTES = 16;
/** Per thread and buffer: a tag, a count, the values. */
const SLOT = MAX_EXCHANGE_VALUES + 2;

export class ExchangeAborted extends Error {}

export class BatchStatsExchange {
  private readonly control: Int32Array;
  private readonly data: Float64Array;
  private exchanges = 0;

  /** `buffer` from `BatchStatsExchange.buffer(threads)`, shared by all; `rank` 0 for the main thread. */
  constructor(buffer: SharedArrayBuffer, readonly rank: number, readonly threads: number, private readonly timeoutMs = 120_000) {
    this.control = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.data = new Float64Array(buffer, HEADER_BYTES);
  }

  static buffer(threads: number): SharedArrayBuffer {
    return new SharedArrayBuffer(HEADER_BYTES + 2 * threads * SLOT * 8);
  }

  /**
   * Hands in `values` and returns every thread's (index = rank), once all have. `tag` says what the values are (which
   * exchange of which layer, in what form): every thread must hand in the same at the same exchange, or they are out
   * of step (a bug, or threads running different code), and this throws instead of mixing their numbers.
   */
  allGather(values: Float64Array, tag: number): Float64Array[] {
    if (values.length > MAX_EXCHANGE_VALUES) throw new Error(`batch statistics exchange: ${values.length} values, at most ${MAX_EXCHANGE_VALUES}`);
    const parity = this.exchanges % 2;
    const at = (rank: number): number => (parity * this.threads + rank) * SLOT;
    this.data[at(this.rank)] = tag;
    this.data[at(this.rank) + 1] = values.length;
    this.data.set(values, at(this.rank) + 2);
    const target = (this.exchanges + 1) * this.threads;
    Atomics.add(this.control, ARRIVALS, 1);
    Atomics.notify(this.control, ARRIVALS);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      // arrivals first: an exchange every thread has written is complete, even if one aborts right after it
      const arrived = Atomics.load(this.control, ARRIVALS);
      if (arrived >= target) break;
      if (Atomics.load(this.control, ABORTED) !== 0) throw new ExchangeAborted('batch statistics exchange: another thread of this step failed');
      if (Date.now() > deadline) {
        this.abort();
        throw new ExchangeAborted(`batch statistics exchange: ${target - arrived} thread(s) did not arrive within ${this.timeoutMs / 1000} s`);
      }
      Atomics.wait(this.control, ARRIVALS, arrived, 1000);
    }
    this.exchanges++;
    for (let r = 0; r < this.threads; r++) {
      if (this.data[at(r)] !== tag || this.data[at(r) + 1] !== values.length) {
        this.abort();
        throw new ExchangeAborted(`batch statistics exchange ${this.exchanges - 1}: thread ${r} handed in ${this.data[at(r) + 1]} values tagged ${this.data[at(r)]}, thread ${this.rank} ${values.length} tagged ${tag}: the threads are out of step`);
      }
    }
    return Array.from({ length: this.threads }, (_, r) => this.data.slice(at(r) + 2, at(r) + 2 + values.length));
  }

  /** Makes every thread's current and future exchanges fail (this exchange is unusable afterwards). */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.notify(this.control, ARRIVALS);
  }
}
