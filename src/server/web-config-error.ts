/** Stable codes of web config failures. */
export type WebConfigErrorCode =
  /** The file or a file it names cannot be read. */
  | 'WEB_CONFIG_UNREADABLE'
  /** Not YAML, an unknown key, a wrong type or value, a certificate/key that does not load. */
  | 'WEB_CONFIG_INVALID'
  /** Valid, but cannot be applied without a restart (switching between HTTP and HTTPS). */
  | 'WEB_CONFIG_NEEDS_RESTART';

/**
 * A web config that cannot be used. Messages name the file and the key at fault; they never
 * contain file contents, keys or password hashes.
 */
export class WebConfigError extends Error {
  readonly code: WebConfigErrorCode;

  constructor(code: WebConfigErrorCode, message: string) {
    super(message);
    this.name = 'WebConfigError';
    this.code = code;
  }
}
