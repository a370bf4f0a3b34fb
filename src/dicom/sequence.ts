// MR sequence class from SeriesDescription plus acquisition tags. Descriptions are free text typed by technologists
// ("AX T1 POST GD FLAIR", "t1tra preFIL", "Ax Flair irFSE H"), so we look at whole tokens, never raw substrings:
// "FLAIR" inside a T1-FLAIR description must not make it a FLAIR, and "T1" must not match "T10".
import type { SequenceClass, SequenceFields } from './types.js';

/** Descriptions that are not anatomical T1/T2/FLAIR stacks whatever else they say. */
const OTHER_TOKENS = new Set([
  'DTI', 'DWI', 'DIFF', 'DIFFUSION', 'ADC', 'EP2D', 'B0', 'B1000', 'APPARENT', 'TRACE', 'TRACEW', 'EXP', 'EXPONENTIAL', 'FA', 'TENSOR',
  'PERFUSION', 'PERF', 'DSC', 'DCE', 'CBV', 'CBF', 'MTT', 'TTP', 'RCBV', 'ASL', 'PCASL',
  'LOC', 'LOCALIZER', 'LOCALISER', 'SCOUT', 'SURVEY', 'TRI', 'CAL', 'CALIBRATION',
  'SWI', 'SWAN', 'MRA', 'TOF', 'MRV', 'SPECTRO', 'MRS', 'CSI', 'SVS', 'PRESS', 'FMRI', 'BOLD', 'EPI',
  'MIP', 'REFORMAT', 'SUB', 'SUBTRACTION', 'FIELDMAP', 'MAP', 'PHASE',
]);
/** Spelled-out multi-word names, matched on the description with separators removed. */
const OTHER_COMPACT = ['APPARENTDIFFUSION', 'PLANELOC', '3PLANE', 'DIFFUSIONWEIGHTED'];

/** Sequence names that are T1-weighted by construction. */
const T1_SEQUENCE_TOKENS = new Set(['SPGR', 'FSPGR', 'BRAVO', 'MPRAGE', 'MPR', 'VIBE', 'TFE', 'T1W', 'T1WI', 'IRSPGR']);
const T1_COMPACT = ['MPRAGE'];
/** Quantitative or dynamic series built on a T1 sequence ("T1 MAP", "DCE T1"): not a T1 anatomical stack. */
const T1_NOT_ANATOMICAL = new Set(['MAP', 'MAPPING', 'DCE', 'PERFUSION', 'PERF', 'DSC']);
const FLAIR_TOKENS = new Set(['FLAIR', 'DARKFLUID', 'TIRM', 'FLAIR3D', '3DFLAIR', 'TIRMTRA', 'TIRMCOR']);
const FLAIR_COMPACT = ['DARKFLUID'];
const POST_TOKENS = new Set([
  'POST', 'GD', 'GAD', 'GADO', 'GADOLINIUM', 'CONTRAST', 'C+', '+C', '+GD', '+GAD', 'CE', 'ENHANCED',
  'MAGNEVIST', 'DOTAREM', 'GADAVIST', 'MULTIHANCE', 'PROHANCE', 'OMNISCAN',
]);
const PRE_TOKENS = new Set(['PRE', 'WO', 'NONCONTRAST', 'NONCON', 'PLAIN']);

function tokensOf(description: string): string[] {
  return description
    .toUpperCase()
    .split(/[^A-Z0-9+*]+/)
    .filter((t) => t.length > 0);
}

/** "T1", "T1TRA", "T1C", "3DT1", "T1W" — but not "T10" or "T12". */
const T1_TOKEN = /^(3D)?T1(?![0-9])/;
const T2_TOKEN = /^(3D)?T2(?![0-9])/;
/** Contrast written into the T1 token itself: T1C, T1CE, T1GD, T1POST, T1+C. */
const T1_POST_SUFFIX = /^(3D)?T1(C|CE|GD|GAD|POST|\+C|\+GD|\+)(?![A-Z])/;

function hasContrastTag(agent: string | null): boolean {
  if (agent === null) return false;
  const a = agent.trim().toUpperCase();
  return a !== '' && !/^(NONE|NO|N\/A|NA|0|-)$/.test(a);
}

/** Class from TR/TE/TI alone, for descriptions that name no weighting. Thresholds in ms, typical 1.5–3 T values. */
function fromTiming(f: SequenceFields): SequenceClass | null {
  const { repetitionTime: tr, echoTime: te, inversionTime: ti } = f;
  if (ti !== null && ti >= 1500 && te !== null && te >= 70) return 'FLAIR';
  if (ti !== null && ti >= 300 && ti <= 1300 && (te === null || te < 30)) return 'T1';
  if (tr !== null && te !== null) {
    if (tr < 1000 && te < 30) return 'T1';
    if (tr >= 2000 && te >= 60) return 'T2';
  }
  return null;
}

export function classifySequence(f: SequenceFields): SequenceClass {
  const tokens = tokensOf(f.seriesDescription ?? '');
  const compact = tokens.join('');
  const has = (set: ReadonlySet<string>): boolean => tokens.some((t) => set.has(t));

  const flair = has(FLAIR_TOKENS) || tokens.some((t) => t.startsWith('FLAIR')) || FLAIR_COMPACT.some((c) => compact.includes(c));
  const t2Token = tokens.some((t) => T2_TOKEN.test(t) && !t.includes('*')) && !(f.seriesDescription ?? '').includes('T2*');
  // An explicit "T1" always counts; a T1-type sequence name (MPR, SPGR…) only when no other weighting is named,
  // so a "T2 MPR" reformat stays a T2.
  const t1Explicit = tokens.some((t) => T1_TOKEN.test(t));
  const t1Sequence = has(T1_SEQUENCE_TOKENS) || T1_COMPACT.some((c) => compact.includes(c));
  const t1Token = t1Explicit || (t1Sequence && !t2Token && !flair);

  // Diffusion, perfusion, localisers… are never one of the four anatomical classes, even if they say "T2" (b0 = T2w).
  if (!t1Token && !flair && (has(OTHER_TOKENS) || OTHER_COMPACT.some((c) => compact.includes(c)))) return 'other';
  if (has(T1_NOT_ANATOMICAL)) return 'other';

  const pre = tokens.some((t) => PRE_TOKENS.has(t) || t.startsWith('PRE'));
  const post =
    !pre &&
    (tokens.some((t) => T1_POST_SUFFIX.test(t)) ||
      has(POST_TOKENS) ||
      tokens.some((t) => t.startsWith('POST')) ||
      hasContrastTag(f.contrastAgent));

  // T1-weighted FLAIR (T1 + FLAIR in one description) is a T1: the inversion nulls CSF on a T1 contrast.
  if (t1Token) return post ? 'T1post' : 'T1';
  if (flair) return 'FLAIR';
  if (t2Token) return 'T2';
  if (tokens.some((t) => t === 'PD' || t.startsWith('PDW') || t === 'GRE' || t.includes('*'))) return 'other';

  const timed = fromTiming(f);
  if (timed === 'T1') return post ? 'T1post' : 'T1';
  return timed ?? 'other';
}
