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
      messages: Array<{ body: { poolId: string; trigger: TriggerKind }; delaySeconds?: number }>,
    ): Promise<void>;
  };
  /** Spread the sweep over this many seconds so a large fleet doesn't hit EC2/EKS in one burst. */
  jitterSeconds: number;
  random?: () => number;
}

export async function enqueueAllPools(deps: ResyncDeps): Promise<string[]> {
  const random = deps.random ?? Math.random;
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
      body: { poolId, trigger: TriggerKind.Resync },
      delaySeconds: Math.floor(random() * deps.jitterSeconds),
    })),
  );
  logger.info('resync-enqueued', { pools: poolIds.length });
  return poolIds;
}
