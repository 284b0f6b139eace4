import { CALL_CENTER_LIMITS } from './call-centers-check.js';
import { describeAllowed } from './leaf-checks.js';
import { describeIntRange } from './problem.js';
import { CONFIG_SCHEMA } from './schema.js';
import { isLeaf, listLeaves, type LeafSchema, type SchemaSection } from './schema-types.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string): string => `\`${text}\``;

function renderDefault(leaf: LeafSchema): string {
  if (leaf.sensitive === true) return '(secret: not shown)';
  if (leaf.default === null) return leaf.nullable === true ? 'not set' : '**required**';
  return code(typeof leaf.default === 'string' ? leaf.default : JSON.stringify(leaf.default));
}

function renderRows(section: SchemaSection, prefix: string): string[] {
  return listLeaves(section, prefix).map(([path, leaf]) => {
    const doc = leaf.example === undefined ? leaf.doc : `${leaf.doc} Example: ${code(leaf.example)}.`;
    return `| ${code(path)} | ${code(leaf.env)} | ${cell(renderDefault(leaf))} | ${cell(describeAllowed(leaf))} | ${cell(doc)} |`;
  });
}

const TABLE_HEAD = ['| Key | Environment variable | Default | Allowed | Description |', '|---|---|---|---|---|'];

const INTRO = `# Configuration reference

<!-- Generated from src/config/schema.ts by scripts/gen-config-docs.ts: do not edit by hand. -->

aicc-exporter reads its settings from, in increasing precedence: the defaults below, the
configuration file (\`--config\`, YAML \`.yml\`/\`.yaml\` or JSON \`.json\`), the \`AICC_*\`
environment variables, and command-line flags. \`aicc-exporter --check-config\` validates a
configuration and exits. A commented example: [examples/config.example.yml](../examples/config.example.yml).

Rules:

- Validation is strict: an unknown key (anywhere, also inside \`callCenters\`), a value of the
  wrong type (\`port: "80"\` is a string, not a number) or out of range is an error. Every problem
  is reported, one line each, naming the key path, e.g.
  \`callCenters[0].vdns[1].id: 6000 is out of range (allowed: integer 1-5000)\`.
- A section key with no value (\`web:\` with nothing under it) is the same as leaving it out.
- Environment variables: an empty variable counts as unset; numbers and \`true\`/\`false\` are
  parsed; lists are JSON (\`AICC_CALL_CENTERS='[{"ccId":1}]'\`).
- Relative file paths in the configuration file are taken from the file's directory; those from
  the environment or flags from the working directory.
- Secrets: set the secret key with \`cms.secretKeyFile\` (e.g. a mounted Kubernetes Secret; one
  trailing newline is ignored) or \`AICC_CMS_SECRET_KEY\`, rather than in the file. A key and its
  \`...File\` variant are mutually exclusive. A secret is never shown in a message or a log line.
- A file path setting (\`...File\`, \`web.configFile\`) that holds whitespace or a line break is
  not shown in a message: in YAML an indented line continues the value above it, so one
  indentation slip can fold the next line, even the secret key, into a path. The configuration
  file's own path is shown, JSON-quoted when it holds whitespace.
`;

function renderCallCenters(): string {
  const { ccId, vdnId, accessCode, agent } = CALL_CENTER_LIMITS;
  const range = (limits: { min: number; max: number }): string => describeIntRange(limits.min, limits.max);
  return [
    '## Call centers (`callCenters`)',
    '',
    'Each item of `callCenters`; ids must be unique in their list (ccIds overall, VDN ids within a call',
    'center, access codes and agents within a VDN).',
    '',
    '| Key | Required | Allowed | Description |',
    '|---|---|---|---|',
    `| \`ccId\` | yes | ${range(ccId)} | Call center id. |`,
    `| \`vdns\` | no | a list of VDNs | VDNs to watch. Empty or absent: sysindex reports every VDN it finds for the call center. |`,
    `| \`vdns[].id\` | yes | ${range(vdnId)} | VDN id. |`,
    `| \`vdns[].accessCodes\` | no | a list of ${range(accessCode)} | Access code ids (innoIds) whose calls are counted. |`,
    `| \`vdns[].agents\` | no | a list of ${range(agent)} | Agent ids whose current calls are watched (the agentCalls collector). Cost per run: one request per listed agent plus one per call they are on, all in parallel under \`cms.concurrency\`; a run lasts about (agents + active calls) / concurrency × the CMS's answer time, e.g. 2,000 agents with 500 calls at concurrency 8 and 20 ms ≈ 6.3 s. Keep that well under \`collectors.agentCalls.intervalSeconds\` (a run still going when the next is due is skipped). |`,
    '',
    '```yaml',
    'callCenters:',
    '  - ccId: 1',
    '    vdns:',
    '      - id: 170',
    '        accessCodes: [1, 2]',
    '        agents: [101, 102]',
    '```',
  ].join('\n');
}

/** docs/configuration.md, generated from the schema (also used by the test that keeps it current). */
export function renderConfigReference(schema: SchemaSection = CONFIG_SCHEMA): string {
  const parts = [INTRO.trimEnd()];
  for (const [key, node] of Object.entries(schema)) {
    const rows = isLeaf(node) ? renderRows({ [key]: node }, '') : renderRows(node, key);
    parts.push([`## \`${key}\``, '', ...TABLE_HEAD, ...rows].join('\n'));
    if (key === 'callCenters') parts.push(renderCallCenters());
  }
  return `${parts.join('\n\n')}\n`;
}

const README_BEGIN = '<!-- BEGIN CONFIG REFERENCE';
const README_END = '<!-- END CONFIG REFERENCE -->';

/**
 * The README with the configuration reference placed between its BEGIN/END CONFIG REFERENCE
 * markers: the same text as docs/configuration.md, without its title, headings one level down
 * and links made relative to the repository root.
 */
export function embedConfigReference(readme: string, reference: string = renderConfigReference()): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error('README.md has no CONFIG REFERENCE markers');
  const beginLineEnd = readme.indexOf('\n', begin) + 1;
  const body = reference
    .split('\n')
    .filter((line, i) => !(i === 0 && line.startsWith('# ')) && !line.startsWith('<!-- Generated'))
    .map((line) => (line.startsWith('#') ? `#${line}` : line))
    .join('\n')
    .replaceAll('](../', '](')
    .trim();
  return `${readme.slice(0, beginLineEnd)}\n${body}\n\n${readme.slice(end)}`;
}
