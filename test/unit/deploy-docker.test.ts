/**
 * The Dockerfile, checked without a Docker engine: its stages, what it copies (present in the
 * repository and not excluded by .dockerignore), the runtime user, port, entrypoint and labels,
 * and its HEALTHCHECK command, run against a local server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORTER_NODE_OPTIONS } from '../../bench/exporter-node-options.js';
import { repoRootFrom } from '../helpers/kustomize-lite.js';

const ROOT = repoRootFrom(import.meta.url);
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string; scripts: Record<string, string> };

interface Instruction {
  op: string;
  args: string;
  /** Index of the stage (FROM) it belongs to; -1 before the first FROM. */
  stage: number;
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const op = full.split(/\s+/, 1)[0]!;
    const instruction = { op: op.toUpperCase(), args: full.slice(op.length).trim(), stage };
    if (instruction.op === 'FROM') instruction.stage = ++stage;
    out.push(instruction);
  }
  return out;
}

const instructions = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const argDefaults = new Map(
  instructions
    .filter((i) => i.op === 'ARG' && i.args.includes('='))
    .map((i) => [i.args.slice(0, i.args.indexOf('=')), i.args.slice(i.args.indexOf('=') + 1)] as const),
);
const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, name: string) => argDefaults.get(name) ?? '');
const stages = instructions
  .filter((i) => i.op === 'FROM')
  .map((i) => {
    const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args)!;
    return { index: i.stage, image: expand(m[1]!), name: m[2] ?? String(i.stage) };
  });
const stageNamed = (name: string) => stages.find((s) => s.name === name)!;
const inStage = (name: string) => instructions.filter((i) => i.stage === stageNamed(name).index);
const final = stages[stages.length - 1]!;
const inFinal = instructions.filter((i) => i.stage === final.index);
const single = (op: string) => {
  const found = inFinal.filter((i) => i.op === op);
  expect(found, `one ${op} in the runtime stage`).toHaveLength(1);
  return found[0]!;
};

/** .dockerignore patterns as regular expressions over repository-relative paths. */
function dockerignore(): RegExp[] {
  return readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((pattern) => {
      expect(pattern.startsWith('!'), 'no exception patterns (this checker does not model them)').toBe(false);
      // Docker matches from the context root; `**` spans directories; a match covers a directory's contents.
      const body = pattern
        .replace(/^\/+/, '')
        .replace(/[.+^$()|[\]{}\\]/g, '\\$&')
        .replace(/\*\*\//g, '<ANYDIRS>')
        .replace(/\*\*/g, '<ANY>')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/<ANYDIRS>/g, '(?:.*/)?')
        .replace(/<ANY>/g, '.*');
      return new RegExp(`^${body}(?:/.*)?$`);
    });
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => filesUnder(join(path, entry)));
}

describe('Dockerfile', () => {
  it('builds in stages from one pinned Node.js LTS slim image', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    const images = new Set(stages.map((s) => s.image));
    expect(images.size).toBe(1);
    const m = /^node:(\d+)-bookworm-slim$/.exec([...images][0]!);
    expect(m, [...images][0]).not.toBeNull();
    const major = Number(m![1]);
    expect(major % 2, 'LTS lines are even').toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it('compiles with dev dependencies and ships production dependencies only', () => {
    const buildRuns = inStage('build').filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(buildRuns.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(buildRuns).toContain('npm run build');
    const depsRuns = inStage('deps').filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(depsRuns.some((r) => /^npm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(inFinal.filter((i) => i.op === 'RUN'), 'the runtime stage installs nothing').toEqual([]);
    const copies = inFinal.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=deps /app/node_modules ./node_modules');
    expect(copies).toContain('--from=build /app/dist ./dist');
    expect(copies, 'package.json: "type": "module" at run time').toContain('package.json ./');
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const ignored = dockerignore();
    const sources = instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.replace(/--\S+\s+/g, '').split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src']));
    for (const source of sources) {
      const path = join(ROOT, source);
      expect(existsSync(path), source).toBe(true);
      for (const file of filesUnder(path)) {
        const rel = relative(ROOT, file);
        expect(ignored.find((re) => re.test(rel)), `${rel} is excluded by .dockerignore`).toBeUndefined();
      }
    }
    // The build inputs are complete: tsconfig.build.json's `extends` is copied too.
    const buildConfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { extends?: string };
    if (buildConfig.extends) expect(sources).toContain(buildConfig.extends.replace(/^\.\//, ''));
    // and the context leaves out what must not be baked into an image.
    for (const path of ['node_modules/x', '.git/HEAD', 'dist/cli.js', 'deploy/compose/secrets/aicc-sk', 'test/unit/a.test.ts']) {
      expect(ignored.some((re) => re.test(path)), path).toBe(true);
    }
  });

  it('runs dist/cli.js (src/cli.ts compiled) as uid 1000 on port 10125 with the default config path', () => {
    expect(single('USER').args).toMatch(/^(1000(:1000)?|node)$/);
    const userAt = inFinal.findIndex((i) => i.op === 'USER');
    expect(inFinal.slice(userAt).filter((i) => i.op === 'COPY' || i.op === 'RUN'), 'nothing after USER').toEqual([]);
    expect(single('EXPOSE').args).toBe('10125');
    expect(single('WORKDIR').args).toBe('/app');
    expect(JSON.parse(single('ENTRYPOINT').args)).toEqual(['node', ...EXPORTER_NODE_OPTIONS, '/app/dist/cli.js']);
    expect(JSON.parse(single('CMD').args)).toEqual(['--config', '/etc/aicc-exporter/config.yml']);
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(join(ROOT, 'src/cli.ts'))).toBe(true);
    expect(instructions.some((i) => i.op === 'VOLUME'), 'no VOLUME: the root filesystem may be read-only').toBe(false);
  });

  it('runs the exporter with the Node options the benchmark measured, as `npm start` does', () => {
    expect(EXPORTER_NODE_OPTIONS.length).toBeGreaterThan(0);
    expect(JSON.parse(single('ENTRYPOINT').args).slice(1, -1)).toEqual(EXPORTER_NODE_OPTIONS);
    expect(PKG.scripts.start).toBe(['node', ...EXPORTER_NODE_OPTIONS, 'dist/cli.js'].join(' '));
  });

  it('carries the OCI labels, with the version and licence of package.json', () => {
    const labelText = inFinal.filter((i) => i.op === 'LABEL').map((i) => i.args).join(' ');
    const labels = new Map([...labelText.matchAll(/(\S+)="([^"]*)"/g)].map((m) => [m[1]!, expand(m[2]!)]));
    for (const key of ['title', 'description', 'source', 'licenses', 'version']) {
      expect(labels.get(`org.opencontainers.image.${key}`), key).toBeTruthy();
    }
    expect(labels.get('org.opencontainers.image.version')).toBe(PKG.version);
    expect(labels.get('org.opencontainers.image.licenses')).toBe(PKG.license);
    expect(labels.get('org.opencontainers.image.title')).toBe('aicc-exporter');
  });
});

describe('Dockerfile HEALTHCHECK', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const healthcheck = () => {
    const h = single('HEALTHCHECK');
    const cmd = /CMD\s+(\[.*\])$/.exec(h.args);
    expect(cmd, 'exec-form CMD').not.toBeNull();
    const argv = JSON.parse(cmd![1]!) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    expect(argv[2]).toContain('http://127.0.0.1:10125/-/healthy');
    return argv[2]!;
  };

  /** Runs the healthcheck script against `port` instead of 10125; resolves to its exit code. */
  const runAgainst = (port: number) =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', healthcheck().replace('127.0.0.1:10125', `127.0.0.1:${port}`)], { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

  const serve = (status: number) =>
    new Promise<number>((resolve) => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/-/healthy' ? status : 404;
        res.end();
      });
      server.listen(0, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
    });

  it('passes when /-/healthy answers 200', async () => {
    expect(await runAgainst(await serve(200))).toBe(0);
  });

  it('fails when /-/healthy answers 503', async () => {
    expect(await runAgainst(await serve(503))).toBe(1);
  });

  it('fails when nothing listens', async () => {
    const port = await serve(200);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    expect(await runAgainst(port)).toBe(1);
  });
});
