/**
 * Audits everything the exporter writes: JSON log lines on stdout (counted by level and
 * message; error/fatal lines must carry context), and stderr, which should stay empty (Node
 * writes crashes, unhandled rejections and warnings such as MaxListenersExceededWarning there).
 */

/** pino's own fields; any other field of a line is context. */
const BASE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);
const CRASH_TEXT = /unhandled|uncaught|rejection|FATAL ERROR|heap out of memory|Warning:/i;
const KEEP = 20;

/** A pino JSON line as parsed. */
export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** Counts and checks the exporter's output line by line (see the module comment). */
export class LogAudit {
  /** The metrics URL from the "serving metrics" line, once seen. */
  listenUrl: string | undefined;
  readonly byLevel: Record<string, number> = {};
  /** warn/error/fatal messages (templated text) with their counts. */
  readonly messages = new Map<string, { level: string; count: number; example: LogLine }>();
  /** error/fatal lines with no field beyond pino's own (first few). */
  readonly withoutContext: LogLine[] = [];
  readonly notJson: string[] = [];
  readonly stderr: string[] = [];
  /** stderr lines that look like a crash, an unhandled rejection or a process warning. */
  readonly crashLines: string[] = [];
  secretLeaks = 0;
  lines = 0;

  constructor(private readonly secrets: readonly string[]) {}

  stdoutLine(text: string): void {
    this.lines++;
    this.checkSecrets(text);
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      if (this.notJson.length < KEEP) this.notJson.push(text.slice(0, 500));
      return;
    }
    const level = String(line.level);
    this.byLevel[level] = (this.byLevel[level] ?? 0) + 1;
    if (line.msg === 'aicc-exporter serving metrics' && typeof line.url === 'string') {
      this.listenUrl = line.url.replace(/\/metrics$/, '');
    }
    if (level === 'warn' || level === 'error' || level === 'fatal') {
      const key = `${level}: ${String(line.msg).replace(/\d+(\.\d+)?/g, 'N')}`;
      const entry = this.messages.get(key);
      if (entry) entry.count++;
      else this.messages.set(key, { level, count: 1, example: line });
    }
    if ((level === 'error' || level === 'fatal') && !Object.keys(line).some((k) => !BASE_FIELDS.has(k))) {
      if (this.withoutContext.length < KEEP) this.withoutContext.push(line);
    }
  }

  stderrLine(text: string): void {
    this.checkSecrets(text);
    if (this.stderr.length < 200) this.stderr.push(text.slice(0, 500));
    if (CRASH_TEXT.test(text) && this.crashLines.length < KEEP) this.crashLines.push(text.slice(0, 500));
  }

  private checkSecrets(text: string): void {
    for (const s of this.secrets) if (text.includes(s)) this.secretLeaks++;
  }
}
