/**
 * Property-based tests of the configuration loader: random YAML/JSON documents (random trees,
 * trees shaped like the schema with random values, random text, the full example with random
 * characters inserted or deleted) either load or throw a ConfigError (code CONFIG_INVALID) whose
 * problems are non-empty single lines; never another exception. A distinctive secret placed at
 * cms.secretKey never shows in a problem. The CLI's --check-config exits 2 on such files with
 * the problems on stderr and no stack trace.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CONFIG_SCHEMA, ConfigError, loadConfig } from '../../src/config/index.js';
import { listLeaves } from '../../src/config/schema-types.js';
import { runCli } from '../helpers/run-cli.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIR = mkdtempSync(join(tmpdir(), 'aicc-fuzz-config-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const SECRET = 'FUZZ-SECRET-5b0c2e91-never-echo';
/** A part of SECRET that a few random edits rarely destroy. */
const SECRET_CORE = '5b0c2e91';
const LEAVES = listLeaves(CONFIG_SCHEMA).map(([path]) => path);

type Outcome = { ok: true } | { ok: false; problems: readonly string[] };

let fileNo = 0;
/** Writes `text` to a fresh file with `ext` and loads it with an empty environment. */
function load(text: string, ext: '.yml' | '.json'): Outcome {
  const file = join(DIR, `c${fileNo++}${ext}`);
  writeFileSync(file, text);
  try {
    loadConfig({ file, env: {} });
    return { ok: true };
  } catch (err) {
    expect(err, `not a ConfigError: ${String((err as Error)?.stack ?? err)}`).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) {
      expect(p.trim(), 'empty problem').not.toBe('');
      expect(p, 'multi-line problem').not.toMatch(/[\r\n]/);
    }
    expect(e.message).not.toMatch(/\n\s+at /);
    return { ok: false, problems: e.problems };
  } finally {
    rmSync(file, { force: true });
  }
}

const scalar = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 65535, 65536, 1.5, 1e308, '', 'x', 'true', '10', '0x10', '~', 'https://cms.test', '/a/b'),
  fc.integer(),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

/** Sets a dotted path in `tree`, creating mappings on the way (a non-mapping on the way is kept). */
function setPath(tree: Record<string, unknown>, path: string, v: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) return;
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = v;
}

/** A document shaped like the schema: some leaves set to random values, random call centers, a stray key. */
const schemaShaped = fc
  .record({
    leaves: fc.oneof(fc.constant([]), fc.uniqueArray(fc.tuple(fc.constantFrom(...LEAVES), value), { maxLength: 8, selector: ([p]) => p })),
    callCenters: fc.option(fc.oneof(
      value,
      fc.array(fc.record({ ccId: value, vdns: fc.oneof(value, fc.array(fc.record({ id: value, accessCodes: value, agents: value }, { requiredKeys: [] }), { maxLength: 3 })) }, { requiredKeys: [] }), { maxLength: 3 }),
    ), { nil: undefined, freq: 2 }),
    stray: fc.option(fc.tuple(fc.string({ maxLength: 12 }), value), { nil: undefined, freq: 2 }),
    base: fc.boolean(),
  })
  .map(({ leaves, callCenters, stray, base }) => {
    const tree: Record<string, unknown> = base ? { cms: { url: 'https://cms.test', accessKey: 'ak' }, callCenters: [{ ccId: 1 }] } : {};
    for (const [path, v] of leaves) if (path !== 'cms.secretKey') setPath(tree, path, v);
    if (callCenters !== undefined) tree.callCenters = callCenters;
    if (stray) setPath(tree, stray[0] === '' ? 'x' : stray[0], stray[1]);
    setPath(tree, 'cms.secretKey', SECRET);
    return tree;
  });

/** `text` with a few characters deleted or inserted at random places. */
function mutatedText(text: string, focus = text.indexOf('secretKey')): fc.Arbitrary<string> {
  // Half of the edits land on the secret key's line, where an echo would matter most.
  const at = fc.oneof(fc.nat({ max: text.length }), fc.integer({ min: Math.max(0, focus), max: Math.max(0, focus) + 50 }));
  const edit = fc.tuple(at, fc.nat({ max: 3 }), fc.constantFrom('', ':', '-', ' ', '\n', '"', "'", '[', '{', '&a', '*a', '!tag', '#', '\t', '%', '\u0000'));
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let out = text;
    for (const [at, del, insert] of edits) out = out.slice(0, at) + insert + out.slice(at + del);
    return out;
  });
}

describe('loadConfig under random documents', () => {
  it('random JSON trees, as YAML and as JSON: a Config or a ConfigError of single lines', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
        load(stringify(doc), '.yml');
        load(JSON.stringify(doc), '.json');
      }),
      { numRuns: 200 },
    );
  });

  it('schema-shaped documents with random values: never echo the secret key', () => {
    let loaded = 0;
    fc.assert(
      fc.property(schemaShaped, fc.boolean(), (doc, asJson) => {
        const outcome = asJson ? load(JSON.stringify(doc), '.json') : load(stringify(doc), '.yml');
        if (outcome.ok) loaded++;
        else for (const p of outcome.problems) expect(p).not.toContain(SECRET);
      }),
      { numRuns: 400 },
    );
    expect(loaded, 'the valid branch is exercised too').toBeGreaterThan(0);
  });

  it('random text, and YAML oddities (aliases, tags, several documents, alias bombs)', () => {
    const oddities = [
      'a: &x [1]\nb: *x\n',
      `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n`,
      'cms: !!binary aGVsbG8=\n',
      'cms: !custom {}\n',
      '---\ncms: {}\n---\ncms: {}\n',
      'cms:\n  url: x\ncms:\n  url: y\n',
      `cms: {secretKey: ${SECRET}\n`,
      '\uFEFF\u0000\u0001',
      '[' .repeat(10_000),
    ];
    for (const text of oddities) load(text, '.yml');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('.yml' as const, '.json' as const), (text, ext) => {
        load(text, ext);
      }),
      { numRuns: 300 },
    );
  });

  it('the full example with random characters inserted or deleted', () => {
    const full = readFileSync(join(ROOT, 'test/fixtures/config/valid-full.yml'), 'utf8').replace(
      /secretKeyFile: .*/,
      `secretKey: ${SECRET}`,
    );
    fc.assert(
      fc.property(mutatedText(full), (text) => {
        const outcome = load(text, '.yml');
        if (!outcome.ok) for (const p of outcome.problems) expect(p).not.toContain(SECRET_CORE);
      }),
      { numRuns: 500 },
    );
  });

  it('an unquoted secret starting with a YAML indicator (!, !!, |, >, *, &, %, @) is not quoted in the syntax error', () => {
    const indicator = fc.constantFrom('!', '!!', '!<', '|', '>', '|+', '>-', '*', '&', '%', '@', '`', '"', "'", '{', '[', '\\', '\\q');
    fc.assert(
      fc.property(indicator, fc.constantFrom('', ' ', '\\x'), (prefix, middle) => {
        const text = `cms:\n  url: https://cms.test\n  accessKey: ak\n  secretKey: ${prefix}${middle}${SECRET}\ncallCenters:\n  - ccId: 1\n`;
        for (const doc of [text, text.replace(`${prefix}${middle}${SECRET}`, `"${prefix}${middle}${SECRET}`)]) {
          const outcome = load(doc, '.yml');
          if (!outcome.ok) for (const p of outcome.problems) expect(p).not.toContain(SECRET_CORE);
        }
      }),
    );
  });
});


describe('--check-config on random invalid files', () => {
  it('exits 2 with the problems on stderr, no stack trace, no secret', async () => {
    const samples = fc.sample(
      fc.oneof(
        schemaShaped.map((d) => stringify(d)),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
        mutatedText(`cms:\n  url: https://cms.test\n  accessKey: ak\n  secretKey: ${SECRET}\ncallCenters:\n  - ccId: 1\n`),
      ),
      { numRuns: 40, seed: 20240301 },
    );
    const invalid = samples.filter((text) => !load(text, '.yml').ok).slice(0, 4);
    expect(invalid.length).toBeGreaterThan(0);
    for (const [i, text] of [...invalid, 'cms: [unclosed\n'].entries()) {
      const file = join(DIR, `cli-${i}.yml`);
      writeFileSync(file, text);
      const { code, stdout, stderr } = await runCli(['--check-config', '--config', file]);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^invalid configuration \(.*\), \d+ problems?:\n {2}- /);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stderr).not.toContain(SECRET);
    }
  }, 120_000);
});
