// Results cross module lines instead of thrown errors: a caller must look at `ok`
// before it can touch the value, so a failure can't be forgotten on the way up.
export type Result<T, E = GlioflowError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Where in a file a problem is: 1-based line and column, like editors show them. */
export interface Location {
  file: string;
  line?: number;
  column?: number;
}

/**
 * Every error glioflow reports. `kind` is a stable machine-readable code; the rest is context a
 * person needs to act: which file (and where in it), which stage, which item, and what to do.
 */
export interface GlioflowError {
  kind: string;
  message: string;
  location?: Location;
  stage?: string;
  item?: string;
  hint?: string;
}

/** An Error that carries a GlioflowError, for code paths where throwing is the only way out (workers, callbacks). */
export class GlioflowFailure extends Error {
  readonly detail: GlioflowError;
  constructor(detail: GlioflowError) {
    super(detail.message);
    this.name = 'GlioflowFailure';
    this.detail = detail;
  }
}

/** Turns anything thrown into a GlioflowError, keeping context that was attached on the way. */
export function toGlioflowError(cause: unknown, context: Partial<GlioflowError> = {}): GlioflowError {
  if (cause instanceof GlioflowFailure) return { ...context, ...cause.detail };
  if (isGlioflowError(cause)) return { ...context, ...cause };
  const message = cause instanceof Error ? cause.message : String(cause);
  return { kind: 'internal', message, ...context };
}

export function isGlioflowError(value: unknown): value is GlioflowError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as GlioflowError).kind === 'string' &&
    typeof (value as GlioflowError).message === 'string'
  );
}

/** One line for a person: `file:line:col: message (stage, item) — hint`. */
export function formatError(e: GlioflowError): string {
  const where = e.location
    ? `${e.location.file}${e.location.line !== undefined ? `:${e.location.line}` : ''}${e.location.column !== undefined ? `:${e.location.column}` : ''}: `
    : '';
  const ctx = [e.stage && `stage ${e.stage}`, e.item && `item ${e.item}`].filter(Boolean).join(', ');
  return `${where}${e.message}${ctx ? ` (${ctx})` : ''}${e.hint ? `\n  hint: ${e.hint}` : ''}`;
}
