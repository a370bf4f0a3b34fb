// Sequence classes for real TCGA-GBM SeriesDescriptions (from the issue), plus timing tie-breaks.
import { describe, expect, it } from 'vitest';
import { classifySequence, type SequenceClass, type SequenceFields } from '../../src/dicom/index.js';

const vague = { repetitionTime: null, echoTime: null, inversionTime: null, contrastAgent: null, scanningSequence: null };
const f = (seriesDescription: string, over: Partial<SequenceFields> = {}): SequenceFields => ({ seriesDescription, ...vague, ...over });

const TABLE: [string, SequenceClass][] = [
  ['AX T1', 'T1'],
  ['AXIAL T1 PRE GD', 'T1'],
  ['t1tra preFIL', 'T1'],
  ['AX T1 POST GD FLAIR', 'T1post'],
  ['AX 3D SPGR GAD', 'T1post'],
  ['MP RAGE AXIAL', 'T1'],
  ['AX T1C', 'T1post'],
  ['AX T2 FSE', 'T2'],
  ['T2WTSE', 'T2'],
  ['AX FLAIR', 'FLAIR'],
  ['T2 FLAIR', 'FLAIR'],
  ['SAG T1 FLAIR', 'T1'],
  ['Ax Flair irFSE H', 'FLAIR'],
  ['DTI ASSET', 'other'],
  ['AXIAL PERFUSION', 'other'],
  ['3 PLANE LOC', 'other'],
  ['Apparent Diffusion Coefficien', 'other'],
];

describe('classifySequence', () => {
  it.each(TABLE)('%s → %s', (description, expected) => {
    expect(classifySequence(f(description))).toBe(expected);
  });

  it('makes MP RAGE post-contrast when the contrast agent tag is set, and not when it says none', () => {
    expect(classifySequence(f('MP RAGE AXIAL', { contrastAgent: 'MAGNEVIST' }))).toBe('T1post');
    expect(classifySequence(f('MP RAGE AXIAL', { contrastAgent: 'NONE' }))).toBe('T1');
    expect(classifySequence(f('AXIAL T1 PRE GD', { contrastAgent: 'GAD' }))).toBe('T1'); // the description says pre
  });

  it('does not let a contrast tag turn a FLAIR or T2 into T1post', () => {
    expect(classifySequence(f('AX FLAIR', { contrastAgent: 'GAD' }))).toBe('FLAIR');
    expect(classifySequence(f('AX T2 FSE', { contrastAgent: 'GAD' }))).toBe('T2');
  });

  it('matches tokens, not substrings', () => {
    expect(classifySequence(f('T10 SURVEY'))).toBe('other');
    expect(classifySequence(f('POSTERIOR FOSSA'))).toBe('other'); // no weighting named, no timing
  });

  it.each([
    ['ep2d_diff', 'other'],
    ['ep2d_perf', 'other'],
    ['t2_tirm_tra_dark-fluid', 'FLAIR'],
    ['AX T1 +C', 'T1post'],
    ['t1_se_tra_post', 'T1post'],
    ['t1_mpr_sag_iso', 'T1'],
    ['T2 MPR', 'T2'],
    ['AX T2* GRE', 'other'],
    ['AX SWAN', 'other'],
    ['T1 MAP', 'other'],
  ] as [string, SequenceClass][])('other common spellings: %s → %s', (description, expected) => {
    expect(classifySequence(f(description, { repetitionTime: 5000, echoTime: 90 }))).toBe(expected);
  });

  it('breaks ties with TR/TE/TI when the description names no weighting', () => {
    expect(classifySequence(f('AX IR FSE', { repetitionTime: 9000, echoTime: 120, inversionTime: 2200 }))).toBe('FLAIR');
    expect(classifySequence(f('AX FSE', { repetitionTime: 4000, echoTime: 100 }))).toBe('T2');
    expect(classifySequence(f('AX SE', { repetitionTime: 500, echoTime: 12 }))).toBe('T1');
    expect(classifySequence(f('AX SE', { repetitionTime: 500, echoTime: 12, contrastAgent: 'GADAVIST' }))).toBe('T1post');
    expect(classifySequence(f('3D', { repetitionTime: 2000, echoTime: 3, inversionTime: 900 }))).toBe('T1');
    expect(classifySequence(f('SERIES 5', { repetitionTime: 2500, echoTime: 15 }))).toBe('other'); // PD-like: not ours
  });

  it('tolerates empty and odd descriptions', () => {
    expect(classifySequence(f(''))).toBe('other');
    expect(classifySequence(f('\u00ff\ufffd\u0000'))).toBe('other');
  });
});
