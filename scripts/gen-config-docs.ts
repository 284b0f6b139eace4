/**
 * Writes docs/configuration.md from the configuration schema (src/config/schema.ts).
 * Usage: npx tsx scripts/gen-config-docs.ts [--check]
 *   --check: write nothing; exit 1 when the file is out of date (for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigReference } from '../src/config/config-reference.js';

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const expected = renderConfigReference();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing file is out of date
  }
  if (current !== expected) {
    console.error(`${target} is out of date: run npx tsx scripts/gen-config-docs.ts`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, expected);
  console.log(`wrote ${target}`);
}
