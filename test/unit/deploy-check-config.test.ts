/**
 * What the image would run, without a Docker engine: the project is compiled as the Dockerfile's
 * build stage does (tsconfig.build.json) into the image's layout (/app/package.json,
 * /app/node_modules, /app/dist), and the entrypoint `node /app/dist/cli.js` validates every
 * configuration the repository ships with `--check-config`: the compose stack's, the example's,
 * and the Kubernetes ConfigMap's (plain, and with the sharded overlay's environment).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXPORTER_NODE_OPTIONS } from '../../bench/exporter-node-options.js';
import { renderKustomization, repoRootFrom } from '../helpers/kustomize-lite.js';

/** The parts of an exporter configuration file this test touches. */
interface ExporterYaml {
  cms?: { secretKeyFile?: string; [key: string]: unknown };
  [key: string]: unknown;
}

const ROOT = repoRootFrom(import.meta.url);
const WORK = mkdtempSync(join(tmpdir(), 'aicc-image-'));
const APP = join(WORK, 'app');
const CLI = join(APP, 'dist', 'cli.js');
let build: { status: number | null; output: string } = { status: null, output: 'not built' };

beforeAll(() => {
  mkdirSync(APP, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(APP, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(APP, 'node_modules'), 'dir');
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(APP, 'dist')],
    { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
  );
  build = { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}`.slice(0, 4000) };
}, 250_000);

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** The environment of the child: this one without AICC_* / POD_NAME, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AICC_') && k !== 'POD_NAME'));
  return { ...env, ...extra };
}

/** Runs the image's entrypoint with `args`; resolves to its exit code and output. */
function entrypoint(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...EXPORTER_NODE_OPTIONS, CLI, ...args], { cwd: WORK, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

/**
 * A copy of configuration `config` whose secret key file is `secretFile` (the shipped configs
 * name the path inside the container, /run/secrets/... or /etc/aicc-exporter/secrets/...).
 */
function localCopy(name: string, config: ExporterYaml, secretFile: string): string {
  const copy = structuredClone(config);
  if (copy.cms?.secretKeyFile !== undefined) copy.cms.secretKeyFile = secretFile;
  const file = join(WORK, `${name}.yml`);
  writeFileSync(file, stringify(copy));
  return file;
}

const dummySecret = () => {
  const file = join(WORK, 'secret-key');
  writeFileSync(file, 'a-made-up-secret-key-for-check-config');
  return file;
};

const kubernetesConfig = () => {
  const cm = renderKustomization(join(ROOT, 'deploy/kubernetes/base')).find((o) => o.kind === 'ConfigMap') as unknown as {
    data: Record<string, string>;
  };
  return parse(cm.data['config.yml']!) as ExporterYaml;
};

describe('the image entrypoint, built as the Dockerfile builds it', () => {
  it('compiles with tsconfig.build.json to dist/cli.js', () => {
    expect(build.status, build.output).toBe(0);
    expect(existsSync(CLI)).toBe(true);
  });

  it('accepts the compose stack configuration (deploy/compose/aicc-exporter.yml)', async () => {
    const config = parse(readFileSync(join(ROOT, 'deploy/compose/aicc-exporter.yml'), 'utf8')) as ExporterYaml;
    const file = localCopy('compose', config, resolve(ROOT, 'deploy/compose/secrets/aicc-sk'));
    const run = await entrypoint(['--check-config', '--config', file]);
    expect(run.code, run.output).toBe(0);
  });

  it.skipIf(!existsSync(join(ROOT, 'examples/config.example.yml')))('accepts examples/config.example.yml', async () => {
    const config = parse(readFileSync(join(ROOT, 'examples/config.example.yml'), 'utf8')) as ExporterYaml;
    // The example leaves the secret key to the environment (or a secretKeyFile it shows commented out).
    const secret = dummySecret();
    const run = await entrypoint(['--check-config', '--config', localCopy('example', config, secret)], { AICC_CMS_SECRET_KEY_FILE: secret });
    expect(run.code, run.output).toBe(0);
  });

  it('accepts the Kubernetes ConfigMap configuration', async () => {
    const run = await entrypoint(['--check-config', '--config', localCopy('k8s', kubernetesConfig(), dummySecret())]);
    expect(run.code, run.output).toBe(0);
  });

  it("accepts it in the sharded overlay's environment, and rejects a pod ordinal beyond the shard count", async () => {
    const file = localCopy('k8s-sharded', kubernetesConfig(), dummySecret());
    const shardEnv = { AICC_SHARD_TOTAL: '3', AICC_SHARD_FROM_POD_NAME: 'true' };
    const ok = await entrypoint(['--check-config', '--config', file], { ...shardEnv, POD_NAME: 'aicc-exporter-2' });
    expect(ok.code, ok.output).toBe(0);
    // Shows that the two variables are the ones the config loader reads.
    const bad = await entrypoint(['--check-config', '--config', file], { ...shardEnv, POD_NAME: 'aicc-exporter-3' });
    expect(bad.code, bad.output).toBe(2);
  });

  it('rejects a broken configuration with exit code 2', async () => {
    const config = { ...kubernetesConfig(), listen: { host: '0.0.0.0', port: 'not-a-port' } };
    const run = await entrypoint(['--check-config', '--config', localCopy('broken', config, dummySecret())]);
    expect(run.code, run.output).toBe(2);
  });
});
