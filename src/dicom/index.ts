// The DICOM library the index and ratios stages call: parse headers, decode pixels, group slices into stacks.
export type {
  DicomRejection,
  DicomRejectionReason,
  Orientation,
  Plane,
  SequenceClass,
  SequenceFields,
  SeriesGroup,
  SeriesSlice,
  SliceHeader,
  Vec3,
} from './types.js';
export { LIMITS } from './types.js';
export { parseDicom, parseHeader, type PixelLayout } from './header.js';
export { decodeFrames, storedFrames, type StoredFrame } from './decode.js';
export { CodecUnavailable } from './codecs.js';
export { planeOf, normalOf } from './geometry.js';
export { classifySequence } from './sequence.js';
export { groupIntoSeries } from './series.js';
