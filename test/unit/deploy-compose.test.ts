/**
 * deploy/docker-compose.yml, checked without a Docker engine: every bind mount and secret file
 * exists, and the services agree with each other's configuration (ports, host names, keys, paths).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRootFrom } from '../helpers/kustomize-lite.js';
import { generateScenario } from '../../src/simulator/scenario.js';

const ROOT = repoRootFrom(import.meta.url);
const COMPOSE_DIR = join(ROOT, 'deploy');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
  environment?: Record<string, string>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file: string }>;
  volumes?: Record<string, unknown>;
}

/** Grafana provisioning files: datasources/*.yml and dashboards/*.yml. */
interface GrafanaProvisioning {
  datasources?: Array<{ type?: string; url?: string; jsonData?: { timeInterval?: string } }>;
  providers?: Array<{ options?: { path?: string } }>;
}

const compose = parse(readFileSync(join(COMPOSE_DIR, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
const service = (name: string): ComposeService => {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

/** Bind mounts of a service: [host path (absolute), container path]. Named volumes skipped. */
function bindMounts(s: ComposeService): Array<[string, string]> {
  return (s.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([src]) => src!.startsWith('.') || isAbsolute(src!))
    .map(([src, dst]) => [resolve(COMPOSE_DIR, src!), dst!]);
}

/** The host path of a path inside a service's container (through its bind mounts). */
function hostPathOf(s: ComposeService, containerPath: string): string {
  for (const [host, target] of bindMounts(s)) {
    if (containerPath === target) return host;
    if (containerPath.startsWith(`${target}/`)) return join(host, containerPath.slice(target.length + 1));
  }
  throw new Error(`${containerPath} is not under a bind mount`);
}

/** The value following `flag` in a command (`--flag value` or `--flag=value`). */
function flag(command: string[] | undefined, name: string): string | undefined {
  const args = command ?? [];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Container ports a service publishes, by host port. */
function published(s: ComposeService): Map<number, number> {
  return new Map(
    (s.ports ?? []).map((p) => {
      const [host, container] = p.split(':').map(Number);
      return [host!, container!];
    }),
  );
}

const exporterConfig = () =>
  parse(readFileSync(hostPathOf(service('exporter'), flag(service('exporter').command, '--config')!), 'utf8')) as {
    listen: { host: string; port: number };
    cms: { url: string; accessKey: string; secretKeyFile: string };
    callCenters: unknown[];
  };
const prometheusConfig = () =>
  parse(readFileSync(hostPathOf(service('prometheus'), flag(service('prometheus').command, '--config.file')!), 'utf8')) as {
    rule_files: string[];
    alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    scrape_configs: Array<{ job_name: string; scrape_interval?: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
  };

describe('deploy/docker-compose.yml', () => {
  it('has the whole demo stack, the exporter and simulator built from the repository Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'exporter', 'grafana', 'prometheus', 'simulator']);
    for (const name of ['exporter', 'simulator']) {
      const s = service(name);
      expect(existsSync(join(resolve(COMPOSE_DIR, s.build!.context), s.build!.dockerfile ?? 'Dockerfile')), name).toBe(true);
      expect(s.image).toBe(service('exporter').image);
    }
    expect(service('simulator').command?.[0]).toBe('simulate');
    for (const name of ['prometheus', 'alertmanager', 'grafana']) {
      expect(service(name).image, `${name} image pinned`).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
  });

  it('mounts files and directories that exist, and declares its named volumes and secrets', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [host] of bindMounts(s)) expect(existsSync(host), `${name}: ${host}`).toBe(true);
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (!src.startsWith('.') && !isAbsolute(src)) expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${src}`).toContain(src);
      }
      for (const secret of s.secrets ?? []) {
        const file = compose.secrets?.[secret]?.file;
        expect(file, `secret ${secret} declared`).toBeDefined();
        expect(existsSync(resolve(COMPOSE_DIR, file!)), `secret file ${file}`).toBe(true);
      }
    }
  });

  it('publishes each host port once, on the documented ports', () => {
    const hostPorts = Object.values(compose.services).flatMap((s) => [...published(s).keys()]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    expect(published(service('exporter')).get(10125)).toBe(10125);
    expect(published(service('prometheus')).get(9090)).toBe(9090);
    expect(published(service('alertmanager')).get(9093)).toBe(9093);
    expect(published(service('grafana')).get(3000)).toBe(3000);
  });

  it('points the exporter at the simulator, with the same access key and secret key file', () => {
    const config = exporterConfig();
    const sim = service('simulator');
    expect(config.listen.port).toBe(10125);
    expect(published(service('exporter')).get(10125)).toBe(config.listen.port);
    expect(config.listen.host).toBe('0.0.0.0');
    expect(flag(sim.command, '--host')).toBe('0.0.0.0');

    const cms = new URL(config.cms.url);
    expect(cms.hostname).toBe('simulator');
    expect(cms.port).toBe(flag(sim.command, '--port'));
    expect(config.cms.accessKey).toBe(flag(sim.command, '--access-key'));

    // Both read the same compose secret, at /run/secrets/<name>.
    const secretPaths = (s: ComposeService) => (s.secrets ?? []).map((name) => `/run/secrets/${name}`);
    expect(secretPaths(service('exporter'))).toContain(config.cms.secretKeyFile);
    expect(secretPaths(sim)).toContain(flag(sim.command, '--secret-key-file'));
    expect(flag(sim.command, '--secret-key-file')).toBe(config.cms.secretKeyFile);
    expect(readFileSync(resolve(COMPOSE_DIR, compose.secrets!['aicc-sk']!.file), 'utf8').trim().length).toBeGreaterThanOrEqual(16);
  });

  it('polls exactly the call centers, VDNs, access codes and agents the simulator simulates', () => {
    const command = service('simulator').command;
    const numeric = (name: string) => (flag(command, name) === undefined ? undefined : Number(flag(command, name)));
    const scenario = generateScenario({
      vdnsPerCallCenter: numeric('--vdns'),
      accessCodesPerVdn: numeric('--access-codes-per-vdn'),
      agentsPerVdn: numeric('--agents-per-vdn'),
    });
    expect(exporterConfig().callCenters).toEqual(scenario.callCenters);
  });

  it('has Prometheus scrape the exporter, load the project rule files and alert through Alertmanager', () => {
    const config = prometheusConfig();
    const job = config.scrape_configs.find((j) => j.job_name === 'aicc-exporter');
    expect(job, 'the rules assume job="aicc-exporter"').toBeDefined();
    expect(job!.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job!.static_configs.flatMap((c) => c.targets)).toEqual([`exporter:${exporterConfig().listen.port}`]);

    const amTargets = config.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets));
    expect(amTargets).toEqual(['alertmanager:9093']);
    expect([...published(service('alertmanager')).values()]).toContain(9093);

    const ruleHosts = config.rule_files.map((f) => hostPathOf(service('prometheus'), f));
    expect(ruleHosts.sort()).toEqual([join(ROOT, 'deploy/prometheus/alerts.yml'), join(ROOT, 'deploy/prometheus/recording.yml')]);
    for (const host of ruleHosts) expect(existsSync(host), host).toBe(true);

    const am = service('alertmanager');
    expect(existsSync(hostPathOf(am, flag(am.command, '--config.file')!))).toBe(true);
  });

  it('provisions Grafana with the Prometheus datasource and the dashboards where the compose file mounts them', () => {
    const grafana = service('grafana');
    const provisioning = hostPathOf(grafana, '/etc/grafana/provisioning');
    const dashboardsMount = bindMounts(grafana).find(([host]) => host === join(ROOT, 'grafana/dashboards'));
    expect(dashboardsMount, 'grafana/dashboards is mounted').toBeDefined();
    expect(readdirSync(dashboardsMount![0]).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);

    const yamlIn = (dir: string) =>
      existsSync(dir) && statSync(dir).isDirectory()
        ? readdirSync(dir)
            .filter((f) => /\.ya?ml$/.test(f))
            .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as GrafanaProvisioning)
        : [];
    const datasources = yamlIn(join(provisioning, 'datasources')).flatMap((d) => d.datasources ?? []);
    const prom = datasources.filter((d) => d.type === 'prometheus');
    expect(prom.map((d) => d.url)).toEqual([`http://prometheus:${[...published(service('prometheus')).values()][0]}`]);
    // $__rate_interval is derived from timeInterval: it should be the scrape interval.
    const job = prometheusConfig().scrape_configs.find((j) => j.job_name === 'aicc-exporter')!;
    expect(prom[0]!.jsonData?.timeInterval).toBe(job.scrape_interval);

    const providers = yamlIn(join(provisioning, 'dashboards')).flatMap((d) => d.providers ?? []);
    expect(providers.map((p) => p.options?.path)).toContain(dashboardsMount![1]);
  });
});

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8', timeout: 10_000 });
describe.skipIf(promtool.status !== 0)('deploy/compose/prometheus.yml with promtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aicc-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check config, its rule files included', () => {
    // The rule files' container paths rewritten to where they are in the repository.
    const config = prometheusConfig() as unknown as Record<string, unknown> & { rule_files: string[] };
    config.rule_files = config.rule_files.map((f) => hostPathOf(service('prometheus'), f));
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, stringify(config));
    const out = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8', timeout: 60_000 });
    expect(out.status, `${out.stdout}\n${out.stderr}`).toBe(0);
  });
});
