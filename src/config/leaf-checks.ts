import { isIP } from 'node:net';
import { CALL_CENTERS_ALLOWED, checkCallCenters } from './call-centers-check.js';
import { HIDDEN_VALUE, describeIntRange, intRangeText, renderValue, type Problem } from './problem.js';
import { leafKind, type LeafSchema } from './schema-types.js';

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const HTTP_PATH = /^\/[^\s?#]*$/;
// '/' separates the fields of the Authorization header; whitespace and controls break the header.
const BAD_ACCESS_KEY_CHARS = /[/\s\p{Cc}]/u;

/** What a setting accepts, as messages and the reference say it. */
export function describeAllowed(leaf: LeafSchema): string {
  switch (leafKind(leaf)) {
    case 'int':
      return describeIntRange(leaf.min ?? 0, leaf.max ?? Number.MAX_SAFE_INTEGER);
    case 'bool':
      return 'true or false';
    case 'enum':
      return (leaf.values ?? []).join(', ');
    case 'url':
      return 'an http:// or https:// URL: scheme, host, optional port and path prefix';
    case 'host':
      return 'an IP address or host name';
    case 'file':
      return 'the path of a readable file';
    case 'access-key':
      return 'a non-empty string without "/", whitespace or control characters';
    case 'secret':
      return 'a non-empty string';
    case 'http-path':
      return 'a path starting with "/", without whitespace, "?" or "#"';
    case 'signed-headers':
      return `a list of ${(leaf.values ?? []).join(', ')}; must include host`;
    case 'call-centers':
      return CALL_CENTERS_ALLOWED;
  }
}

/**
 * Every problem of one setting's value (`path` names the setting). `null` is accepted when the
 * leaf is nullable and reported as missing when the leaf has no default. A secret's value never
 * appears in the text. Existence of files is checked later, once relative paths are resolved.
 */
export function checkLeaf(leaf: LeafSchema, value: unknown, path: string): Problem[] {
  if (value === null && leaf.nullable === true) return [];
  const allowed = describeAllowed(leaf);
  if ((value === null || value === undefined) && leaf.default === null) {
    return [{ path, text: `required but missing (set ${path} or ${leaf.env}; allowed: ${allowed})` }];
  }
  const shown = renderValue(value, leaf.sensitive === true);
  const fail = (what: string): Problem[] => [{ path, text: `${shown} ${what} (allowed: ${allowed})` }];
  const kind = leafKind(leaf);
  switch (kind) {
    case 'int': {
      const text = intRangeText(value, leaf.min ?? 0, leaf.max ?? Number.MAX_SAFE_INTEGER);
      return text === null ? [] : [{ path, text }];
    }
    case 'bool':
      return typeof value === 'boolean' ? [] : fail('is not a boolean');
    case 'enum':
      return typeof value === 'string' && (leaf.values ?? []).includes(value) ? [] : fail('is not allowed');
    case 'call-centers':
      return checkCallCenters(value, path);
    case 'signed-headers':
      return checkSignedHeaders(leaf, value, path);
    default:
      break;
  }
  if (typeof value !== 'string') return fail('is not a string');
  if (value === '' && kind !== 'secret') return fail('is empty');
  switch (kind) {
    case 'url':
      return checkUrl(value, path, allowed);
    case 'host':
      return isIP(value) !== 0 || HOST_NAME.test(value) ? [] : fail('is not an IP address or host name');
    case 'access-key':
      return BAD_ACCESS_KEY_CHARS.test(value) ? fail('contains "/", whitespace or a control character') : [];
    case 'http-path':
      return HTTP_PATH.test(value) ? [] : fail('is not a path starting with "/"');
    default:
      return [];
  }
}

function checkUrl(value: string, path: string, allowed: string): Problem[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ path, text: `${renderValue(value)} is not a URL (allowed: ${allowed})` }];
  }
  // A user name or password may be a secret: say what is wrong without echoing the value.
  if (url.username !== '' || url.password !== '') {
    return [{ path, text: `${HIDDEN_VALUE} contains a user name or password (allowed: ${allowed}; the CMS authenticates with cms.accessKey and cms.secretKey)` }];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return [{ path, text: `${renderValue(value)} has the scheme ${url.protocol.slice(0, -1)} (allowed: ${allowed})` }];
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    return [{ path, text: `${renderValue(value)} has a query or fragment (allowed: ${allowed})` }];
  }
  return [];
}

function checkSignedHeaders(leaf: LeafSchema, value: unknown, path: string): Problem[] {
  const names = leaf.values ?? [];
  const allowed = describeAllowed(leaf);
  if (!Array.isArray(value)) return [{ path, text: `${renderValue(value)} is not a list (allowed: ${allowed})` }];
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || !names.includes(item)) {
      problems.push({ path: `${path}[${i}]`, text: `${renderValue(item)} is not allowed (allowed: ${names.join(', ')}, in lower case)` });
      return;
    }
    const first = seen.get(item);
    if (first !== undefined) problems.push({ path: `${path}[${i}]`, text: `${renderValue(item)} is a duplicate of ${path}[${first}]` });
    else seen.set(item, i);
  });
  if (!value.includes('host')) {
    problems.push({ path, text: `${renderValue(value)} does not include "host" (allowed: ${allowed})` });
  }
  return problems;
}
