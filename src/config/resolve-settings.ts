import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { describeReadError } from './config-file.js';
import { checkLeaf } from './leaf-checks.js';
import type { Problem } from './problem.js';
import { CONFIG_SCHEMA } from './schema.js';
import { shardIndexFromPodName } from './shard-from-pod.js';
import type { CmsConfig, Config } from './types.js';
import type { Origin } from './value-sources.js';
import { renderDocumentPath } from '../render-path.js';

/** The merged settings as convict holds them: keys may still come from files, values unchecked. */
export interface RawConfig extends Omit<Config, 'cms' | 'callCenters'> {
  cms: Omit<CmsConfig, 'url' | 'accessKey' | 'secretKey'> & {
    url: string | null;
    accessKey: string | null;
    accessKeyFile: string | null;
    secretKey: string | null;
    secretKeyFile: string | null;
  };
  callCenters: unknown;
}

/** What resolveSettings needs to know besides the values. */
export interface ResolveContext {
  originOf(path: string): Origin;
  /** Relative paths from the config file are taken from its directory; others from the cwd. */
  fileDir: string;
  env: NodeJS.ProcessEnv;
  /** True for a setting that already has a problem: it is not looked at again. */
  invalid(path: string): boolean;
}

/** The settings whose final value needs more than the schema: files read, names derived. */
export interface ResolvedSettings {
  url: string;
  accessKey: string;
  secretKey: string;
  caFile: string | null;
  webConfigFile: string | null;
  shardIndex: number;
}

const ORIGIN_WORDS = (origin: Origin): string =>
  origin.kind === 'env' ? origin.name : origin.kind === 'override' ? 'the command line' : 'the config file';

/**
 * Reads the key files, checks the CA and web config files, derives the shard index, and checks
 * what spans settings (one of a key and its file; index below total). File contents never
 * appear in a problem, only paths and the reason a read failed.
 */
export function resolveSettings(raw: RawConfig, ctx: ResolveContext): { resolved: ResolvedSettings; problems: Problem[] } {
  const problems: Problem[] = [];
  const absolute = (path: string, value: string): string =>
    isAbsolute(value) ? value : resolve(ctx.originOf(path).kind === 'file' ? ctx.fileDir : process.cwd(), value);

  const readKey = (key: 'accessKey' | 'secretKey'): string => {
    const inlinePath = `cms.${key}`;
    const filePath = `cms.${key}File`;
    if (ctx.invalid(inlinePath) || ctx.invalid(filePath)) return '';
    const inline = raw.cms[key];
    const file = raw.cms[`${key}File`];
    const inlineSet = typeof inline === 'string' && inline !== '';
    if (inlineSet && typeof file === 'string') {
      const [inlineFrom, fileFrom] = [ORIGIN_WORDS(ctx.originOf(inlinePath)), ORIGIN_WORDS(ctx.originOf(filePath))];
      const from = inlineFrom === fileFrom ? '' : ` (${inlinePath} from ${inlineFrom}, ${filePath} from ${fileFrom})`;
      problems.push({ path: null, text: `${inlinePath} and ${filePath} are both set${from}; set only one of them` });
      return '';
    }
    if (inlineSet) return inline;
    const leaf = CONFIG_SCHEMA.cms[key];
    if (typeof file !== 'string') {
      const names = `${inlinePath}, ${filePath}, ${leaf.env} or ${CONFIG_SCHEMA.cms[`${key}File`].env}`;
      problems.push({ path: inlinePath, text: `required but missing (set one of ${names})` });
      return '';
    }
    const abs = absolute(filePath, file);
    const shown = renderDocumentPath(file, abs);
    let content: string;
    try {
      content = readFileSync(abs, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push({ path: filePath, text: `cannot read ${shown}: ${describeReadError(err)}` });
      return '';
    }
    if (content === '') {
      problems.push({ path: filePath, text: `${shown} is empty (allowed: a file holding the key)` });
      return '';
    }
    // An access key is no secret, but the secret key's file content must never be echoed.
    if (key === 'accessKey') {
      problems.push(...checkLeaf(leaf, content, `${filePath} (content of ${shown})`));
    }
    return content;
  };

  const checkFile = (path: string, value: string | null, mustHold?: { marker: string; what: string }): string | null => {
    if (value === null || ctx.invalid(path)) return null;
    const abs = absolute(path, value);
    const shown = renderDocumentPath(value, abs);
    let content: string;
    try {
      content = readFileSync(abs, 'utf8');
    } catch (err) {
      problems.push({ path, text: `cannot read ${shown}: ${describeReadError(err)}` });
      return abs;
    }
    if (mustHold !== undefined && !content.includes(mustHold.marker)) {
      problems.push({ path, text: `${shown} holds no PEM certificate (allowed: ${mustHold.what})` });
    }
    return abs;
  };

  const resolved: ResolvedSettings = {
    url: typeof raw.cms.url === 'string' ? raw.cms.url.replace(/\/+$/, '') : '',
    accessKey: readKey('accessKey'),
    secretKey: readKey('secretKey'),
    caFile: checkFile('cms.caFile', raw.cms.caFile, { marker: '-----BEGIN CERTIFICATE-----', what: 'a PEM bundle of CA certificates' }),
    webConfigFile: checkFile('web.configFile', raw.web.configFile),
    shardIndex: resolveShardIndex(raw, ctx, problems),
  };
  return { resolved, problems };
}

function resolveShardIndex(raw: RawConfig, ctx: ResolveContext, problems: Problem[]): number {
  const { index, total, fromPodName } = raw.shard;
  if (ctx.invalid('shard.index') || ctx.invalid('shard.total') || ctx.invalid('shard.fromPodName')) return 0;
  if (!fromPodName) {
    if (index >= total) {
      problems.push({ path: 'shard.index', text: `${index} is out of range (allowed: integer 0-${total - 1}, below shard.total ${total})` });
    }
    return index;
  }
  if (ctx.originOf('shard.index').kind !== 'default') {
    problems.push({ path: null, text: 'shard.index and shard.fromPodName are both set; set only one of them' });
    return index;
  }
  const fromPod = shardIndexFromPodName(ctx.env, total);
  if ('problem' in fromPod) {
    problems.push(fromPod.problem);
    return 0;
  }
  return fromPod.index;
}
