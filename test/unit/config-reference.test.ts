import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA, renderConfigReference, type LeafSchema, type SchemaSection } from '../../src/config/index.js';
import { envNameFor, listLeaves } from '../../src/config/schema-types.js';
import { embedConfigReference } from '../../src/config/config-reference.js';

const DOCS = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const leaves = listLeaves(CONFIG_SCHEMA as SchemaSection);

describe('docs/configuration.md', () => {
  it('is what scripts/gen-config-docs.ts generates from the schema (run it after changing the schema)', () => {
    expect(readFileSync(DOCS, 'utf8')).toBe(renderConfigReference());
  });

  it("is also the README's configuration reference section (run scripts/gen-config-docs.ts)", () => {
    const readme = readFileSync(README, 'utf8');
    expect(embedConfigReference(readme)).toBe(readme);
    for (const [path] of leaves) expect(readme).toContain(`| \`${path}\` |`);
  });

  it('lists every key with its environment variable, and never a secret default', () => {
    const docs = renderConfigReference();
    for (const [path, leaf] of leaves) expect(docs).toContain(`| \`${path}\` | \`${leaf.env}\` |`);
    const withSecret = renderConfigReference({ cms: { secretKey: { ...CONFIG_SCHEMA.cms.secretKey, default: 'leaked-default' } } });
    expect(withSecret).not.toContain('leaked-default');
    expect(withSecret).toContain('(secret: not shown)');
  });
});

describe('the schema', () => {
  it('gives every key a doc, a format, a default and an AICC_ environment variable named after its path', () => {
    for (const [path, leaf] of leaves) {
      const { doc, format, env } = leaf as LeafSchema;
      expect(doc.length, path).toBeGreaterThan(10);
      expect(format, path).toMatch(/^aicc:/);
      expect('default' in leaf, path).toBe(true);
      expect(env, path).toBe(envNameFor(path));
    }
    expect(new Set(leaves.map(([, leaf]) => leaf.env)).size).toBe(leaves.length);
    expect(leaves.map(([, leaf]) => leaf.env)).toEqual(
      expect.arrayContaining([
        'AICC_LISTEN_PORT',
        'AICC_CMS_URL',
        'AICC_CMS_ACCESS_KEY',
        'AICC_CMS_SECRET_KEY',
        'AICC_CMS_SECRET_KEY_FILE',
        'AICC_CALL_CENTERS',
        'AICC_COLLECTORS_SYSINDEX_INTERVAL_SECONDS',
        'AICC_LOG_LEVEL',
      ]),
    );
  });

  it('marks the secret key sensitive, so that convict masks it too', () => {
    expect(leaves.filter(([, leaf]) => leaf.sensitive === true).map(([path]) => path)).toEqual(['cms.secretKey']);
  });
});
