/**
 * A tiny kustomize renderer for the parts of kustomize that deploy/kubernetes uses, so the
 * manifests can be checked without kubectl: `resources` (files, or directories holding a
 * kustomization.yaml), `namespace`, and `patches` whose patch is a strategic-merge
 * `$patch: delete` of a whole object. Any other kustomization field or patch kind throws, so a
 * manifest change that needs more of kustomize fails loudly instead of rendering wrongly.
 * Where kubectl is installed, test/unit/deploy-kubernetes.test.ts compares this renderer's output
 * with `kubectl kustomize`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as parsed from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches']);
/** Kinds the namespace transformer leaves alone (those this project could use). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass']);

/** `kind/namespace/name`, the identity kustomize uses for conflicts and patches. */
export function objectKey(o: Pick<K8sObject, 'kind' | 'metadata'>): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Every YAML document of a file, empty documents skipped. Throws on a YAML error. */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

function asObject(file: string, doc: unknown): K8sObject {
  const o = doc as Partial<K8sObject>;
  if (!o || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
    throw new Error(`${file}: a document without apiVersion, kind or metadata.name`);
  }
  return o as K8sObject;
}

/** Renders the kustomization in `dir` to its list of objects, in resource order. */
export function renderKustomization(dir: string): K8sObject[] {
  const kfile = join(dir, 'kustomization.yaml');
  const k = parse(readFileSync(kfile, 'utf8')) as Record<string, unknown>;
  for (const field of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(field)) throw new Error(`${kfile}: kustomize-lite does not support '${field}'`);
  }
  let objects: K8sObject[] = [];
  for (const entry of (k.resources as string[] | undefined) ?? []) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new Error(`${kfile}: resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...readYamlDocuments(path).map((d) => asObject(path, d)));
  }
  for (const p of (k.patches as Array<Record<string, unknown>> | undefined) ?? []) {
    const text = typeof p.patch === 'string' ? p.patch : typeof p.path === 'string' ? readFileSync(resolve(dir, p.path), 'utf8') : null;
    if (text === null || p.target !== undefined) throw new Error(`${kfile}: kustomize-lite supports only inline or path patches without target`);
    const patch = parse(text) as Partial<K8sObject> & { $patch?: string };
    if (patch.$patch !== 'delete' || !patch.kind || !patch.metadata?.name) {
      throw new Error(`${kfile}: kustomize-lite supports only '$patch: delete' patches`);
    }
    const before = objects.length;
    objects = objects.filter((o) => !(o.kind === patch.kind && o.metadata.name === patch.metadata!.name));
    if (objects.length === before) throw new Error(`${kfile}: delete patch matches no ${patch.kind} ${patch.metadata.name}`);
  }
  if (typeof k.namespace === 'string') {
    objects = objects.map((o) => (CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace: k.namespace as string } }));
  }
  const seen = new Set<string>();
  for (const o of objects) {
    const key = objectKey(o);
    if (seen.has(key)) throw new Error(`${kfile}: ${key} defined twice`);
    seen.add(key);
  }
  return objects;
}

/** The repository root, for a test file two levels below it (test/unit/x.test.ts). */
export function repoRootFrom(testFileUrl: string): string {
  return resolve(dirname(fileURLToPath(testFileUrl)), '..', '..');
}
