import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they appear in a log object. A second line of defence: no code
 * path is meant to log the secret key or the Authorization header in the first place.
 */
export const REDACTED_PATHS = [
  'secretKey',
  '*.secretKey',
  '*.*.secretKey',
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
];

/**
 * The process logger: pino JSON lines on stdout (or `destination`, which tests use to capture
 * every line and grep it for secrets).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { name: 'aicc-exporter' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
