// Runs on a piscina worker thread (cohort.ts's writePatientsInParallel): writes a few patients of a synthetic cohort.
import { writePatients, type PatientTask, type WrittenPatient } from './cohort.js';

export default function writeSome(tasks: PatientTask[]): Promise<WrittenPatient[]> {
  return writePatients(tasks);
}
