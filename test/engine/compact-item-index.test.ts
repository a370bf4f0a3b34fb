// The compact in-memory item index must answer exactly as the Map of locations it replaces: every key found with its
// last location, absent keys absent, across growth and replaced keys.
import { describe, expect, it } from 'vitest';
import { CompactItemIndex } from '../../src/engine/store/compact-item-index.js';
import type { ItemLocation } from '../../src/engine/store/item-index.js';

describe('CompactItemIndex', () => {
  it('agrees with a Map of locations over 20,000 keys, replacements and misses', () => {
    let seed = 7;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const hex = (): string => rand().toString(16).padStart(8, '0') + rand().toString(16).padStart(8, '0');
    const compact = new CompactItemIndex(16);
    const map = new Map<string, ItemLocation>();
    const keys: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const key = i % 10 === 9 ? (keys[rand() % keys.length] as string) : hex(); // every tenth replaces an earlier key
      keys.push(key);
      const loc = { key, pack: `${(rand() % 50).toString(16).padStart(16, '0')}.pack`, offset: rand() * 4, length: rand() % 100_000 };
      compact.set(loc);
      map.set(key, loc);
    }
    expect(compact.size).toBe(map.size);
    for (const [key, loc] of map) expect(compact.get(key)).toEqual(loc);
    for (let i = 0; i < 1000; i++) {
      const key = hex();
      expect(compact.get(key)).toEqual(map.get(key));
    }
    // keys that differ in one half only are different keys
    compact.set({ key: '00000000ffffffff', pack: 'a.pack', offset: 1, length: 1 });
    expect(compact.get('ffffffff00000000')).toBeUndefined();
  });
});
