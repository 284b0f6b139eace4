import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import convict from 'convict';
import { LineCounter, parseDocument } from 'yaml';
import type { Problem } from './problem.js';
import { renderPath } from '../render-path.js';

/**
 * A syntax error in a configuration document. Its message holds the position and the parser's
 * reason only, never the source text around it (that line might hold the secret key).
 */
export class DocumentSyntaxError extends Error {
  constructor(
    readonly language: 'YAML' | 'JSON',
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${language} syntax error${line === undefined ? '' : ` at line ${line}, column ${column ?? 1}`}: ${reason}`);
    this.name = 'DocumentSyntaxError';
  }
}

/**
 * Reasons for the yaml parser's error codes whose messages quote the source (`Unresolved tag:
 * !s3cret` for an unquoted secret starting with `!`, `Invalid escape sequence \\q...`).
 */
const YAML_SOURCE_QUOTING_CODES: Readonly<Record<string, string>> = {
  TAG_RESOLVE_FAILED: 'unknown or unresolvable tag (quote a value that starts with !)',
  BAD_DQ_ESCAPE: 'invalid escape sequence in a double-quoted string',
  BAD_DIRECTIVE: 'invalid directive',
  BAD_COLLECTION_TYPE: 'tag used on the wrong kind of node',
};

/**
 * The yaml parser's reason without any source text: a fixed phrase for the codes above, else
 * the message up to its first `: ` (after which the parser quotes the offending source, as in
 * `Block scalar header includes extra characters: |s3cret` or `Not a YAML token: ...`).
 */
export function yamlErrorReason(err: { code: string; message: string }): string {
  return YAML_SOURCE_QUOTING_CODES[err.code] ?? err.message.split(': ')[0] ?? 'invalid YAML';
}

/**
 * Parses a YAML (1.2, core schema) document. Duplicate keys, unknown tags and several documents
 * in one file are errors; the first one is thrown as a DocumentSyntaxError.
 */
export function parseYamlText(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'silent' });
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first !== undefined) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new DocumentSyntaxError('YAML', yamlErrorReason(first), line, col);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * The reason of a JSON.parse failure without the source text that V8 quotes in some messages
 * (`Unexpected token 'a', ..."secretKey": abc"... is not valid JSON`): that text may be a secret.
 */
export function jsonErrorReason(err: unknown): string {
  let reason = (err instanceof Error ? err.message : String(err)).replace(/ in JSON at position.*$/s, '');
  const snippet = reason.search(/, (?:\.\.\.)?"/);
  if (snippet >= 0) reason = reason.slice(0, snippet);
  return reason.replace(/token '.*?'/s, 'token').replace(/ is not valid JSON$/, '');
}

/** Parses a JSON document; a failure names its line and column when V8 gives the position. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = jsonErrorReason(err);
    const position = /at position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    if (position === undefined) throw new DocumentSyntaxError('JSON', reason);
    const before = text.slice(0, Number(position)).split('\n');
    throw new DocumentSyntaxError('JSON', reason, before.length, (before.at(-1)?.length ?? 0) + 1);
  }
}

/** Parsers by file extension; also registered with convict, so that its loadFile agrees. */
const PARSERS: Record<string, (text: string) => unknown> = {
  '.yml': parseYamlText,
  '.yaml': parseYamlText,
  '.json': parseJsonText,
};

convict.addParser([
  { extension: ['yml', 'yaml'], parse: parseYamlText },
  { extension: 'json', parse: parseJsonText },
]);

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

/** Why a file could not be read, in words (the error code's meaning, never the content). */
export function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? 'unreadable' : (READ_ERRORS[code] ?? code);
}

/**
 * Reads and parses a configuration file (.yml, .yaml or .json). A problem names the file;
 * its document is not validated here.
 */
export function readConfigFile(file: string): { document: unknown } | { problem: Problem } {
  const parse = PARSERS[extname(file).toLowerCase()];
  if (parse === undefined) {
    return { problem: { path: null, text: `config file ${renderPath(file)}: unsupported file extension ${JSON.stringify(extname(file))} (allowed: .yml, .yaml, .json)` } };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problem: { path: null, text: `config file ${renderPath(file)}: cannot read it: ${describeReadError(err)}` } };
  }
  try {
    return { document: parse(text.replace(/^\uFEFF/, '')) };
  } catch (err) {
    const reason = err instanceof DocumentSyntaxError ? err.message : 'cannot parse it';
    return { problem: { path: null, text: `config file ${renderPath(file)}: ${reason}` } };
  }
}
