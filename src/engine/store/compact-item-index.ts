// A family's item index in memory, compactly: key → (pack, offset, length) in typed arrays behind an open-addressing
// hash table of the 64-bit keys, ~30 bytes an item where a Map of location objects took ~170 (a million files: 30 MB
// against 170 MB for the whole index stage). Read from the same append-only text index (item-index.ts).
import type { ItemLocation } from './item-index.js';

const EMPTY = 0xffffffff;

export class CompactItemIndex {
  private hi = new Uint32Array(0);
  private lo = new Uint32Array(0);
  private pack = new Uint32Array(0);
  private offset = new Float64Array(0);
  private length = new Float64Array(0);
  /** slot → row, EMPTY where free */
  private slots = new Uint32Array(0);
  private readonly packs: string[] = [];
  private readonly packIds = new Map<string, number>();
  size = 0;

  constructor(capacity = 1024) {
    this.grow(capacity);
  }

  private grow(rows: number): void {
    const copy = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(rows);
      b.set(a.subarray(0, this.size));
      return b;
    };
    this.hi = copy(this.hi, (n) => new Uint32Array(n));
    this.lo = copy(this.lo, (n) => new Uint32Array(n));
    this.pack = copy(this.pack, (n) => new Uint32Array(n));
    this.offset = copy(this.offset, (n) => new Float64Array(n));
    this.length = copy(this.length, (n) => new Float64Array(n));
    let slots = 1;
    while (slots < rows * 2) slots <<= 1;
    this.slots = new Uint32Array(slots).fill(EMPTY);
    for (let row = 0; row < this.size; row++) this.slots[this.find(this.hi[row] as number, this.lo[row] as number)] = row;
  }

  /** The slot holding this key, or the free slot where it would go. */
  private find(hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    let slot = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const row = this.slots[slot] as number;
      if (row === EMPTY || (this.hi[row] === hi && this.lo[row] === lo)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private static split(key: string): [number, number] {
    return [parseInt(key.slice(0, 8), 16) >>> 0, parseInt(key.slice(8, 16), 16) >>> 0];
  }

  get(key: string): ItemLocation | undefined {
    const [hi, lo] = CompactItemIndex.split(key);
    const row = this.slots[this.find(hi, lo)] as number;
    if (row === EMPTY) return undefined;
    return { key, pack: this.packs[this.pack[row] as number] as string, offset: this.offset[row] as number, length: this.length[row] as number };
  }

  /** Adds or replaces (the last location of a key wins, as in the text index). */
  set(loc: ItemLocation): void {
    const [hi, lo] = CompactItemIndex.split(loc.key);
    let packId = this.packIds.get(loc.pack);
    if (packId === undefined) {
      packId = this.packs.push(loc.pack) - 1;
      this.packIds.set(loc.pack, packId);
    }
    let slot = this.find(hi, lo);
    let row = this.slots[slot] as number;
    if (row === EMPTY) {
      if (this.size + 1 > this.hi.length || (this.size + 1) * 2 > this.slots.length) {
        this.grow(Math.max(1024, this.hi.length * 2));
        slot = this.find(hi, lo);
      }
      row = this.size++;
      this.slots[slot] = row;
      this.hi[row] = hi;
      this.lo[row] = lo;
    }
    this.pack[row] = packId;
    this.offset[row] = loc.offset;
    this.length[row] = loc.length;
  }
}
