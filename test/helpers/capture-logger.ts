import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** Folder where every captured log line of the test run is also appended, for the final secret grep. */
export const CAPTURED_OUTPUT_DIR = join(process.cwd(), '.tmp', 'test-output');

/** Appends text produced by the code under test (log lines, CLI output) to the run's capture folder. */
export function recordOutput(kind: string, text: string): void {
  mkdirSync(CAPTURED_OUTPUT_DIR, { recursive: true });
  appendFileSync(join(CAPTURED_OUTPUT_DIR, `${kind}-${process.pid}.log`), text.endsWith('\n') ? text : `${text}\n`);
}

/** A real pino logger whose JSON lines are kept in memory (and recorded for the secret grep). */
export function captureLogger(level = 'debug'): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const s = chunk.toString('utf8');
      chunks.push(s);
      recordOutput('log', s);
      cb();
    },
  });
  const logger = createLogger(level, stream);
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
