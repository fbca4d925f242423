import type { RollProgressRecord, RollZoneProgress } from '../status/status-row';
import { expectedTemplate, launchedFrom } from './enclave-verification';
import { rollInProgress } from './fleet-reads';
import type { Observed, ObservedInstance } from './plan-types';

/**
 * The roll's progress for the status row (decision 0102). EKS reports an update's status and no
 * node counts, so the pass counts the group's instances while the roll runs: a live instance
 * launched from the version the group launches from (EKS points the group at it when the roll
 * starts) is replaced; any other live instance is still to go. Pure: the clock comes in as `now`.
 */

/** Instances that are, or are about to be, nodes: EC2 lists terminated ones for a while too. */
const LIVE = new Set(['pending', 'running']);

const MINUTE_MS = 60_000;

function zonesOf(live: readonly ObservedInstance[], replaced: ReadonlySet<string>): RollZoneProgress[] {
  const zones = new Map<string, RollZoneProgress>();
  for (const instance of live) {
    const zone = instance.availabilityZone ?? 'unknown';
    const entry = zones.get(zone) ?? { zone, replaced: 0, total: 0 };
    entry.total += 1;
    if (replaced.has(instance.instanceId)) entry.replaced += 1;
    zones.set(zone, entry);
  }
  return [...zones.values()].sort((a, b) => a.zone.localeCompare(b.zone));
}

function sameCounts(a: RollProgressRecord, b: Omit<RollProgressRecord, 'countedAt' | 'startedAt'>): boolean {
  return (
    a.updateId === b.updateId &&
    a.replaced === b.replaced &&
    a.total === b.total &&
    JSON.stringify(a.zones) === JSON.stringify(b.zones)
  );
}

/**
 * The record for the roll in flight at the end of the pass, or undefined when none runs. A pass
 * that did not list the instances during this roll keeps what an earlier pass counted for it; an
 * unchanged count keeps the earlier record whole (no status write only because the clock moved).
 */
export function rollProgressRecord(
  observed: Observed,
  previous: RollProgressRecord | undefined,
  now: Date,
): RollProgressRecord | undefined {
  const update = observed.update;
  if (!update || !rollInProgress(update)) return undefined;
  const earlier = previous?.updateId === update.id ? previous : undefined;
  const fleet = observed.fleet;
  if (!fleet || fleet.duringUpdateId !== update.id) return earlier;
  const expected = expectedTemplate(
    fleet,
    update.launchTemplateVersion,
    observed.nodegroup?.launchTemplate?.id,
  );
  const live = fleet.instances.filter((i) => LIVE.has(i.state));
  const onTarget = new Set(live.filter((i) => launchedFrom(i, expected)).map((i) => i.instanceId));
  const total = observed.nodegroup?.scaling?.desiredSize ?? fleet.autoScalingGroup.desiredCapacity;
  const counts = {
    updateId: update.id,
    ...(update.launchTemplateVersion !== undefined
      ? { launchTemplateVersion: update.launchTemplateVersion }
      : {}),
    replaced: Math.min(total, onTarget.size),
    total,
    zones: zonesOf(live, onTarget),
  };
  if (earlier && sameCounts(earlier, counts)) return earlier;
  const startedAt = update.createdAt ?? earlier?.startedAt ?? now.toISOString();
  const elapsedMs = Math.max(0, now.getTime() - Date.parse(startedAt));
  const record: RollProgressRecord = { ...counts, startedAt, countedAt: now.toISOString() };
  if (counts.replaced === 0 || elapsedMs === 0) return record;
  const nodesPerMinute = counts.replaced / (elapsedMs / MINUTE_MS);
  const remainingMs = ((counts.total - counts.replaced) / nodesPerMinute) * MINUTE_MS;
  return {
    ...record,
    nodesPerMinute: Math.round(nodesPerMinute * 100) / 100,
    etaAt: new Date(now.getTime() + Math.round(remainingMs)).toISOString(),
  };
}
