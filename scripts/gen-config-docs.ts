/**
 * Writes docs/configuration.md and the README's configuration reference section from the
 * configuration schema (src/config/schema.ts).
 * Usage: npx tsx scripts/gen-config-docs.ts [--check]
 *   --check: write nothing; exit 1 when either file is out of date (for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { embedConfigReference, renderConfigReference } from '../src/config/config-reference.js';

const docs = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const reference = renderConfigReference();
const targets: Array<[string, string]> = [
  [docs, reference],
  [readme, embedConfigReference(readFileSync(readme, 'utf8'), reference)],
];

for (const [target, expected] of targets) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing file is out of date
  }
  if (process.argv.includes('--check')) {
    if (current !== expected) {
      console.error(`${target} is out of date: run npx tsx scripts/gen-config-docs.ts`);
      process.exitCode = 1;
    }
  } else if (current !== expected) {
    writeFileSync(target, expected);
    console.log(`wrote ${target}`);
  }
}
