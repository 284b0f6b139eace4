/**
 * Which exporter replica polls what. Each (ccId, VDN) pair belongs to exactly one shard, chosen by
 * a stable hash of the pair alone: adding or removing a VDN moves no other VDN, and changing the
 * shard count from n to n+1 moves only about 1/(n+1) of them (jump consistent hash). The CTI
 * clock of a call center (one value per call center, not per VDN) is polled by one shard only.
 */
import type { CallCenterConfig, ShardConfig } from '../config/types.js';
import { jumpConsistentHash, stableKey64 } from './stable-hash.js';

/** A resolved shard: this process is shard `index` (0-based) of `total`. */
export type Shard = Pick<ShardConfig, 'index' | 'total'>;

/** The shard, in [0, totalShards), that owns VDN `vdn` of call center `ccId`. */
export function shardOf(ccId: number, vdn: number, totalShards: number): number {
  if (totalShards === 1) return 0;
  return jumpConsistentHash(stableKey64(`${ccId}:${vdn}`), totalShards);
}

/** Whether `shard` polls VDN `vdn` of call center `ccId`. With one shard, always true. */
export function ownsVdn(shard: Shard, ccId: number, vdn: number): boolean {
  return shard.total === 1 || shardOf(ccId, vdn, shard.total) === shard.index;
}

/**
 * The shard that polls the CTI clock (ctiservertime) of call center `ccId`. Hashed with its own
 * prefix so that the clocks of many call centers spread over the shards independently of VDNs.
 */
export function ctiClockShard(ccId: number, totalShards: number): number {
  if (totalShards === 1) return 0;
  return jumpConsistentHash(stableKey64(`cti-clock:${ccId}`), totalShards);
}

/** Whether `shard` polls the CTI clock of call center `ccId`. */
export function ownsCtiClock(shard: Shard, ccId: number): boolean {
  return shard.total === 1 || ctiClockShard(ccId, shard.total) === shard.index;
}

/**
 * The call centers and VDNs `shard` polls, from the configured list:
 * - a call center with explicit VDNs keeps only the VDNs this shard owns (their access codes and
 *   agents with them), and is left out when it keeps none;
 * - a call center in discovery mode (`vdns` empty) is kept as it is: the VDNs are only known once
 *   sysindex answers, and the collector filters them with `discoveredVdnFilter`.
 * The CTI clock is not covered by this list (a call center may have none of its VDNs here and
 * still have its clock here): decide it with `ownsCtiClock` over the full configured list.
 * The input is not modified; with one shard it is returned unchanged.
 */
export function filterCallCentersForShard(callCenters: readonly CallCenterConfig[], shard: Shard): CallCenterConfig[] {
  if (shard.total === 1) return [...callCenters];
  const kept: CallCenterConfig[] = [];
  for (const cc of callCenters) {
    if (cc.vdns.length === 0) {
      kept.push(cc);
      continue;
    }
    const vdns = cc.vdns.filter((v) => ownsVdn(shard, cc.ccId, v.id));
    if (vdns.length > 0) kept.push({ ...cc, vdns });
  }
  return kept;
}

/**
 * A predicate for VDNs found by discovery (sysindex) in call center `ccId`: true for those this
 * shard exports. Answers are memoised, since the same VDNs come back on every run.
 */
export function discoveredVdnFilter(shard: Shard, ccId: number): (vdn: number) => boolean {
  if (shard.total === 1) return () => true;
  const memo = new Map<number, boolean>();
  return (vdn) => {
    let owned = memo.get(vdn);
    if (owned === undefined) {
      owned = ownsVdn(shard, ccId, vdn);
      memo.set(vdn, owned);
    }
    return owned;
  };
}
