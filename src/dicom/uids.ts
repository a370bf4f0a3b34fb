// Transfer syntax UIDs glioflow knows, and what each needs for its pixels.

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLS: '1.2.840.10008.1.2.4.80',
  jpegLSNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
} as const;

export type PixelCodec = 'native' | 'rle' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'j2k';

const CODEC: Record<string, PixelCodec> = {
  [TS.implicitLE]: 'native',
  [TS.explicitLE]: 'native',
  [TS.deflatedLE]: 'native',
  [TS.explicitBE]: 'native',
  [TS.jpegBaseline]: 'jpeg',
  [TS.jpegExtended]: 'jpeg',
  [TS.jpegLossless]: 'jpeg-lossless',
  [TS.jpegLosslessSV1]: 'jpeg-lossless',
  [TS.jpegLS]: 'jpeg-ls',
  [TS.jpegLSNear]: 'jpeg-ls',
  [TS.j2kLossless]: 'j2k',
  [TS.j2k]: 'j2k',
  [TS.rle]: 'rle',
};

export function codecOf(transferSyntax: string): PixelCodec | undefined {
  return CODEC[transferSyntax];
}
