/** A path with neither whitespace nor a control character: shown as it is. */
const PLAIN = /^[^\s\p{Cc}]*$/u;

/**
 * A file path as an error message shows it: as given, or JSON-quoted when it holds whitespace or
 * a control character. Every problem is one line (the CLI prints one per line, a log line is
 * one record), and a newline in a path would split the message.
 */
export function renderPath(path: string): string {
  return PLAIN.test(path) ? path : JSON.stringify(path);
}

/**
 * A path that a configuration document gave (`value`, as written; `resolved`, as read): shown
 * like renderPath when `value` is plain, not shown at all when it holds whitespace or a control
 * character. In YAML an indented line continues the value above it, so a document with one
 * indentation slip folds the next line into a path, and that line may be `secretKey: ...`.
 */
export function renderDocumentPath(value: string, resolved: string): string {
  return PLAIN.test(value) ? renderPath(resolved) : `(a path of ${[...value].length} characters with whitespace or a line break, not shown)`;
}
