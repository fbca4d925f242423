import { logger } from '../logger';
import { TriggerKind } from './pool-trigger';

/**
 * The periodic sweep: every pool that has a spec or a status row gets a reconcile message. Status
 * rows matter too: a spec deleted while an event was lost still has resources to clean up. The
 * reconcile itself detects drift (a template or node group changed out of band) and converges it.
 */
export interface ResyncDeps {
  /** Each source lists pool ids (spec objects, spec items, status rows); duplicates are merged. */
  poolSources: Array<{ name: string; list(): Promise<string[]> }>;
  queue: {
    sendAll(
      messages: Array<{
        body: { poolId: string; trigger: TriggerKind; driftCheck?: true };
        delaySeconds?: number;
      }>,
    ): Promise<void>;
  };
  /** Spread the sweep over this many seconds so a large fleet doesn't hit EC2/EKS in one burst. */
  jitterSeconds: number;
  /** Which sweeps carry each pool's drift check (once per period); none when absent. */
  driftCheck?: DriftCheckSchedule;
  random?: () => number;
  /** Epoch milliseconds. */
  now?: () => number;
}

/**
 * A no-op pass trusts the status row for the launch template (docs/decisions/0082); once per
 * `periodSeconds` each pool's resync message says `driftCheck`, and that pass reads it from EC2.
 * Stateless: the sweeps of a period are numbered, and a pool's turn is a hash of its id, so the
 * checks of a large fleet spread evenly over the period instead of landing in one sweep.
 */
export interface DriftCheckSchedule {
  /** How often the sweep runs (serverless.yml resyncSchedule). */
  intervalSeconds: number;
  periodSeconds: number;
}

export const DEFAULT_DRIFT_CHECK_SECONDS = 3600;

/** FNV-1a: stable across processes and releases, unlike anything seeded. */
function poolHash(poolId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < poolId.length; i++) {
    hash ^= poolId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Whether the sweep running at `nowMs` carries this pool's drift check. */
export function driftCheckDue(poolId: string, nowMs: number, schedule: DriftCheckSchedule): boolean {
  const interval = Math.max(1, schedule.intervalSeconds);
  const sweepsPerPeriod = Math.max(1, Math.round(schedule.periodSeconds / interval));
  const sweep = Math.floor(nowMs / 1000 / interval);
  return sweep % sweepsPerPeriod === poolHash(poolId) % sweepsPerPeriod;
}

export async function enqueueAllPools(deps: ResyncDeps): Promise<string[]> {
  const random = deps.random ?? Math.random;
  const now = (deps.now ?? Date.now)();
  const schedule = deps.driftCheck;
  const listed = await Promise.all(
    deps.poolSources.map(async (source) => {
      const ids = await source.list();
      logger.info('resync-source-listed', { source: source.name, pools: ids.length });
      return ids;
    }),
  );
  const poolIds = [...new Set(listed.flat())].sort();
  await deps.queue.sendAll(
    poolIds.map((poolId) => ({
      body: {
        poolId,
        trigger: TriggerKind.Resync,
        ...(schedule && driftCheckDue(poolId, now, schedule) ? { driftCheck: true as const } : {}),
      },
      delaySeconds: Math.floor(random() * deps.jitterSeconds),
    })),
  );
  logger.info('resync-enqueued', { pools: poolIds.length });
  return poolIds;
}
