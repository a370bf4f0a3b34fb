// Short random hex for temporary file names and run ids, which are unique beside the pid and a timestamp and never
// secrets. Math.random, not node:crypto: loading crypto cost ~2.5 ms of every CLI start, a tenth of what a no-op run
// does on its own.
export function randomHex(chars: number): string {
  let out = '';
  while (out.length < chars) out += Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return out.slice(0, chars);
}
