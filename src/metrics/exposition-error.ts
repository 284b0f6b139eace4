/** Stable codes of the metrics layer's errors; callers branch on these, never on message text. */
export type ExpositionErrorCode =
  /** A family fails validation (name, type, label names, sample width). */
  | 'INVALID_FAMILY'
  /** A family's name is one of the exporter's own metrics, or its type differs from another key's. */
  | 'FAMILY_CONFLICT';

/**
 * A snapshot the metrics layer refuses to serve because Prometheus would reject the exposition.
 * Always a programming error in a collector; the message names the family, never a value.
 */
export class ExpositionError extends Error {
  readonly code: ExpositionErrorCode;

  constructor(code: ExpositionErrorCode, message: string) {
    super(message);
    this.name = 'ExpositionError';
    this.code = code;
  }
}
