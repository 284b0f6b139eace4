/**
 * The Kubernetes manifests (deploy/kubernetes): the base and the rendered `sharded` overlay are
 * valid against the Kubernetes and Prometheus Operator schemas, and agree with each other on
 * names, labels, selectors, ports, mounts and the exporter's own configuration.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigMap, Namespace, Secret, Service, type IService } from 'kubernetes-models/v1';
import { Deployment, StatefulSet, type IDeployment, type IStatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import {
  PrometheusRule,
  ServiceMonitor,
  type IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { objectKey, readYamlDocuments, renderKustomization, repoRootFrom, type K8sObject } from '../helpers/kustomize-lite.js';
import { PROMETHEUS_RULE_PATH, renderFromRepo, RULE_SOURCES } from '../../scripts/gen-prometheus-rule.js';
import { shardIndexFromPodName } from '../../src/sharding/shard-identity.js';

const ROOT = repoRootFrom(import.meta.url);
const DIRS = { base: join(ROOT, 'deploy/kubernetes/base'), sharded: join(ROOT, 'deploy/kubernetes/overlays/sharded') } as const;
const NAMESPACE = 'aicc-exporter';
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** Model classes by `apiVersion kind`: every rendered object must be one of these. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1 Namespace': Namespace,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
  'apps/v1 Deployment': Deployment,
  'apps/v1 StatefulSet': StatefulSet,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1 PrometheusRule': PrometheusRule,
};

type Workload = IDeployment | IStatefulSet;

/** The parts of the exporter's configuration file the manifests must agree with. */
interface ExporterYaml {
  listen: { port: number };
  cms: { url: string; secretKeyFile: string };
  shard?: unknown;
}

const cache = new Map<string, K8sObject[]>();
function rendered(name: keyof typeof DIRS): K8sObject[] {
  if (!cache.has(name)) cache.set(name, renderKustomization(DIRS[name]));
  return cache.get(name)!;
}

function ofKind<T>(objects: K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as unknown as T[];
}

function byName<T>(objects: K8sObject[], kind: string, name: string | undefined): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found as unknown as T;
}

/** Whether every key/value of `selector` is among `labels`. An empty selector selects all. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function workloadOf(objects: K8sObject[]): Workload {
  const workloads = [...ofKind<Workload>(objects, 'Deployment'), ...ofKind<Workload>(objects, 'StatefulSet')];
  expect(workloads).toHaveLength(1);
  return workloads[0]!;
}

function containerOf(w: Workload) {
  const containers = w.spec!.template.spec!.containers;
  expect(containers).toHaveLength(1);
  return containers[0]!;
}

/** The exporter's configuration as mounted: [config object, path of --config]. */
function exporterConfig(objects: K8sObject[]): { config: ExporterYaml; configPath: string } {
  const w = workloadOf(objects);
  const c = containerOf(w);
  const args = c.args ?? [];
  const configPath = args[args.indexOf('--config') + 1];
  expect(configPath, 'container args name --config FILE').toBeDefined();
  const mount = (c.volumeMounts ?? []).find((m) => configPath!.startsWith(`${m.mountPath}/`));
  expect(mount, `a volume is mounted above ${configPath}`).toBeDefined();
  const volume = w.spec!.template.spec!.volumes!.find((v) => v.name === mount!.name)!;
  const cm = byName<{ data: Record<string, string> }>(objects, 'ConfigMap', volume.configMap?.name);
  const key = configPath!.slice(mount!.mountPath.length + 1);
  expect(Object.keys(cm.data)).toContain(key);
  return { config: parse(cm.data[key]!) as ExporterYaml, configPath: configPath! };
}

function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  expect(parts).toHaveLength(4);
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4ToInt(base) / size) === Math.floor(ipv4ToInt(ip) / size);
}

describe.each(['base', 'sharded'] as const)('deploy/kubernetes %s', (name) => {
  it('renders, and every object validates against the Kubernetes / Prometheus Operator schema', () => {
    const objects = rendered(name);
    expect(objects.length).toBeGreaterThanOrEqual(8);
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion} ${o.kind}`];
      expect(Model, `${o.apiVersion} ${o.kind} has a model`).toBeDefined();
      expect(() => new Model!(o as never).validate(), objectKey(o)).not.toThrow();
    }
  });

  it('puts every namespaced object into the aicc-exporter namespace', () => {
    for (const o of rendered(name)) {
      if (o.kind === 'Namespace') expect(o.metadata.name).toBe(NAMESPACE);
      else expect(o.metadata.namespace, objectKey(o)).toBe(NAMESPACE);
    }
  });

  it('has labels, selectors and port names that agree', () => {
    const objects = rendered(name);
    const w = workloadOf(objects);
    const podLabels = w.spec!.template.metadata!.labels;
    expect(selects(w.spec!.selector.matchLabels, podLabels)).toBe(true);
    const containerPorts = containerOf(w).ports ?? [];

    for (const svc of ofKind<IService>(objects, 'Service')) {
      expect(selects(svc.spec!.selector, podLabels), `Service ${svc.metadata!.name} selects the pods`).toBe(true);
      for (const p of svc.spec!.ports ?? []) {
        const target = containerPorts.find((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort);
        expect(target, `Service ${svc.metadata!.name} targetPort ${p.targetPort}`).toBeDefined();
        expect(p.port).toBe(target!.containerPort);
      }
    }

    const [sm] = ofKind<IServiceMonitor>(objects, 'ServiceMonitor');
    expect(sm).toBeDefined();
    const scraped = ofKind<IService>(objects, 'Service').filter((s) => selects(sm!.spec.selector.matchLabels, s.metadata!.labels));
    expect(scraped.map((s) => s.metadata!.name), 'exactly one Service is scraped: no pod twice').toEqual(['aicc-exporter']);
    expect(scraped[0]!.spec!.type ?? 'ClusterIP').toBe('ClusterIP');
    for (const ep of sm!.spec.endpoints ?? []) {
      expect(scraped[0]!.spec!.ports!.map((p) => p.name)).toContain(ep.port);
      expect(ep.path ?? '/metrics').toBe('/metrics');
      expect(ep.interval).toBe('30s');
    }

    const [np] = ofKind<INetworkPolicy>(objects, 'NetworkPolicy');
    expect(selects(np!.spec!.podSelector.matchLabels, podLabels)).toBe(true);
  });

  it('probes the health and readiness endpoints on a declared port', () => {
    const c = containerOf(workloadOf(rendered(name)));
    const portNames = (c.ports ?? []).map((p) => p.name);
    expect(c.livenessProbe?.httpGet?.path).toBe('/-/healthy');
    expect(c.readinessProbe?.httpGet?.path).toBe('/-/ready');
    for (const probe of [c.livenessProbe, c.readinessProbe]) {
      expect(portNames).toContain(probe!.httpGet!.port);
    }
  });

  it('mounts what exists, and the exporter config agrees with the manifests', () => {
    const objects = rendered(name);
    const w = workloadOf(objects);
    const pod = w.spec!.template.spec!;
    const c = containerOf(w);
    const volumes = pod.volumes ?? [];
    for (const m of c.volumeMounts ?? []) expect(volumes.map((v) => v.name), m.name).toContain(m.name);
    for (const v of volumes) {
      if (v.configMap) byName(objects, 'ConfigMap', v.configMap.name);
      if (v.secret) byName(objects, 'Secret', v.secret.secretName);
    }

    const { config } = exporterConfig(objects);
    const httpPort = c.ports!.find((p) => p.name === 'http-metrics')!;
    expect(config.listen.port).toBe(httpPort.containerPort);
    expect(httpPort.containerPort).toBe(10125);

    // The secret key file is a key of a mounted Secret.
    const skFile = config.cms.secretKeyFile;
    const skMount = (c.volumeMounts ?? []).find((m) => skFile.startsWith(`${m.mountPath}/`));
    expect(skMount, `a Secret is mounted above ${skFile}`).toBeDefined();
    const skVolume = volumes.find((v) => v.name === skMount!.name)!;
    const secret = byName<{ stringData?: Record<string, string>; data?: Record<string, string> }>(objects, 'Secret', skVolume.secret?.secretName);
    expect(Object.keys({ ...secret.data, ...secret.stringData })).toContain(skFile.slice(skMount!.mountPath.length + 1));

    // The NetworkPolicy lets in the scrape port and lets out the CMS's address and port.
    const np = ofKind<INetworkPolicy>(objects, 'NetworkPolicy')[0]!;
    const ingressPorts = (np.spec!.ingress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
    expect(ingressPorts).toEqual([httpPort.containerPort]);
    const cms = new URL(config.cms.url);
    const cmsPort = Number(cms.port || (cms.protocol === 'https:' ? 443 : 80));
    const cmsRule = (np.spec!.egress ?? []).find((r) => (r.ports ?? []).some((p) => p.port === cmsPort));
    expect(cmsRule, `an egress rule for the CMS port ${cmsPort}`).toBeDefined();
    const cidrs = (cmsRule!.to ?? []).map((peer) => peer.ipBlock?.cidr).filter((x): x is string => x !== undefined);
    expect(cidrs.some((cidr) => cidrContains(cidr, cms.hostname)), `${cidrs.join(',')} contains ${cms.hostname}`).toBe(true);
    const dnsPorts = (np.spec!.egress ?? []).flatMap((r) => (r.ports ?? []).filter((p) => p.port === 53).map((p) => p.protocol));
    expect(dnsPorts.sort()).toEqual(['TCP', 'UDP']);
  });

  it('runs hardened: non-root uid 1000, read-only root, no privileges, seccomp, /tmp on an emptyDir, sized', () => {
    const w = workloadOf(rendered(name));
    const pod = w.spec!.template.spec!;
    const c = containerOf(w);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
    expect(pod.volumes!.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(c.resources).toEqual({ requests: { cpu: '150m', memory: '320Mi' }, limits: { memory: '768Mi' } });
  });

  it('runs the image of this version', () => {
    expect(containerOf(workloadOf(rendered(name))).image).toBe(`aicc-exporter:${PKG.version}`);
  });
});

describe('deploy/kubernetes base', () => {
  it('is a single Recreate Deployment, with no shard settings', () => {
    const w = workloadOf(rendered('base')) as IDeployment;
    expect(w.kind).toBe('Deployment');
    expect(w.spec!.replicas).toBe(1);
    expect(w.spec!.strategy?.type).toBe('Recreate');
    expect(containerOf(w).env ?? []).toEqual([]);
    expect(exporterConfig(rendered('base')).config.shard).toBeUndefined();
  });
});

describe('deploy/kubernetes overlays/sharded', () => {
  const sts = () => workloadOf(rendered('sharded')) as IStatefulSet;
  const envOf = (w: Workload) => new Map((containerOf(w).env ?? []).map((e) => [e.name, e]));

  it('replaces the Deployment by a StatefulSet whose shard count is its replica count', () => {
    const w = sts();
    expect(w.kind).toBe('StatefulSet');
    expect(ofKind(rendered('sharded'), 'Deployment')).toEqual([]);
    const env = envOf(w);
    expect(w.spec!.replicas).toBe(3);
    expect(Number(env.get('AICC_SHARD_TOTAL')?.value)).toBe(w.spec!.replicas);
    expect(env.get('AICC_SHARD_FROM_POD_NAME')?.value).toBe('true');
    expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
  });

  it("names its pods so that each resolves to a distinct shard of the total", () => {
    const w = sts();
    const total = Number(envOf(w).get('AICC_SHARD_TOTAL')!.value);
    const indices = Array.from({ length: w.spec!.replicas! }, (_, ordinal) => shardIndexFromPodName(`${w.metadata!.name}-${ordinal}`));
    expect(indices).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('is governed by a headless Service that selects its pods and is not scraped', () => {
    const w = sts();
    const headless = byName<IService>(rendered('sharded'), 'Service', w.spec!.serviceName);
    expect(headless.spec!.clusterIP).toBe('None');
    expect(selects(headless.spec!.selector, w.spec!.template.metadata!.labels)).toBe(true);
  });

  it("keeps its pod template equal to the base Deployment's, but for the shard env vars", () => {
    const base = workloadOf(rendered('base'));
    const template = structuredClone(sts().spec!.template);
    for (const c of template.spec!.containers) delete c.env;
    expect(template).toEqual(base.spec!.template);
    expect(sts().spec!.selector).toEqual(base.spec!.selector);
  });
});

describe('PrometheusRule', () => {
  it(`${PROMETHEUS_RULE_PATH} is what scripts/gen-prometheus-rule.ts makes of ${RULE_SOURCES.join(' and ')}`, () => {
    const committed = readFileSync(join(ROOT, PROMETHEUS_RULE_PATH), 'utf8');
    expect(committed, 'out of date: run npx tsx scripts/gen-prometheus-rule.ts').toBe(renderFromRepo(ROOT));
  });

  it('holds every group of the rule files, unchanged', () => {
    const rule = readYamlDocuments(join(ROOT, PROMETHEUS_RULE_PATH))[0] as { spec: { groups: unknown[] } };
    const groups = RULE_SOURCES.flatMap((p) => (parse(readFileSync(join(ROOT, p), 'utf8')) as { groups: unknown[] }).groups);
    expect(groups.length).toBeGreaterThan(0);
    expect(rule.spec.groups).toEqual(groups);
  });
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 10_000 });
describe.skipIf(kubectl.status !== 0)('kustomize-lite against kubectl kustomize', () => {
  it.each(['base', 'sharded'] as const)('%s renders the same objects', (name) => {
    const out = spawnSync('kubectl', ['kustomize', DIRS[name]], { encoding: 'utf8', timeout: 30_000 });
    expect(out.status, out.stderr).toBe(0);
    const sortByKey = (objs: K8sObject[]) => [...objs].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    const theirs = out.stdout
      .split(/^---$/m)
      .map((doc) => parse(doc) as K8sObject | null)
      .filter((o): o is K8sObject => o !== null);
    expect(sortByKey(rendered(name))).toEqual(sortByKey(theirs));
  });
});
