/**
 * Which shard a StatefulSet pod is: pod `aicc-exporter-2` is shard 2. The config loader applies
 * this when `shard.fromPodName` is set (src/config/).
 */

/**
 * The ordinal at the end of a StatefulSet pod name (`name-<ordinal>`), or null when the name does
 * not end in `-` followed by a decimal number written as Kubernetes writes ordinals (no leading
 * zero, at most 9 digits).
 */
export function shardIndexFromPodName(name: string): number | null {
  const match = /-(0|[1-9][0-9]{0,8})$/.exec(name.trim());
  return match?.[1] === undefined ? null : Number(match[1]);
}
