// A codec that cannot be loaded is not a property of the file: decodeFrames throws CodecUnavailable (the item then
// fails and is retried next run) instead of returning a rejection that the item cache would keep.
import { vi, describe, expect, it } from 'vitest';

// Every require made through createRequire fails for the JPEG-LS codec, as it would with EMFILE or a broken install.
vi.mock('node:module', async (original) => {
  const actual = await original<typeof import('node:module')>();
  return {
    ...actual,
    createRequire: (from: string | URL) => {
      const real = actual.createRequire(from);
      return Object.assign((id: string) => {
        if (id.startsWith('@cornerstonejs/codec-charls')) throw new Error("EMFILE: too many open files, open 'charlswasm_decode.wasm'");
        return real(id);
      }, real);
    },
  };
});

const { CodecUnavailable, decodeFrames, parseDicom } = await import('../../src/dicom/index.js');
const { FIXTURES, readBytes } = await import('./helpers.js');

describe('a codec that cannot be loaded', () => {
  it('makes decodeFrames throw CodecUnavailable naming the codec, not reject the file', async () => {
    const parsed = parseDicom(readBytes(`${FIXTURES}MR_small_jpeg_ls_lossless.dcm`), 'MR_small_jpeg_ls_lossless.dcm');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const error = await decodeFrames(parsed.value).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CodecUnavailable);
    expect((error as Error).message).toMatch(/cannot load the @cornerstonejs\/codec-charls\S* codec: EMFILE/);
  });

  it('leaves the other codecs alone: a JPEG 2000 file still decodes', async () => {
    const parsed = parseDicom(readBytes(`${FIXTURES}MR_small_jp2klossless.dcm`), 'MR_small_jp2klossless.dcm');
    expect(parsed.ok && (await decodeFrames(parsed.value)).ok).toBe(true);
  });
});
