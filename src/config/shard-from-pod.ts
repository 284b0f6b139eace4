import { shardIndexFromPodName as ordinalOf } from '../sharding/shard-identity.js';
import type { Problem } from './problem.js';

/**
 * The shard index a StatefulSet pod derives from its name (`aicc-exporter-2` → 2): from
 * POD_NAME, else HOSTNAME (which Kubernetes sets to the pod name). A name without the
 * `-<ordinal>` suffix, or an ordinal not below `total`, is a problem naming the variable.
 */
export function shardIndexFromPodName(env: NodeJS.ProcessEnv, total: number): { index: number } | { problem: Problem } {
  const variable = env['POD_NAME'] ? 'POD_NAME' : env['HOSTNAME'] ? 'HOSTNAME' : undefined;
  if (variable === undefined) {
    return { problem: { path: 'shard.fromPodName', text: 'true, but neither POD_NAME nor HOSTNAME is set (allowed: a pod name ending in -<ordinal>)' } };
  }
  const name = env[variable] ?? '';
  const index = ordinalOf(name);
  if (index === null) {
    return { problem: { path: 'shard.fromPodName', text: `${variable} ${JSON.stringify(name)} has no -<ordinal> suffix (allowed: a StatefulSet pod name such as aicc-exporter-0)` } };
  }
  if (index >= total) {
    return { problem: { path: 'shard.fromPodName', text: `ordinal ${index} of ${variable} ${JSON.stringify(name)} is not below shard.total (${total})` } };
  }
  return { index };
}
