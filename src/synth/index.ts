export { generateCohort, LABELS, PREVALENCE } from './cohort.js';
export type { CohortOptions, CohortSummary, Label, PatientSummary, SeriesSummary } from './cohort.js';
export { TRANSFER_SYNTAX } from './dicom-file.js';
export type { TransferSyntaxUid } from './dicom-file.js';
export { SIGNAL } from './phantom.js';
export type { ImageTraits, Sequence } from './phantom.js';
