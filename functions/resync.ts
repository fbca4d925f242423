import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { enqueueAllPools } from '../lib/dispatch/resync';
import { createResyncDeps } from '../lib/dispatch/resync-deps';

/** The scheduled sweep: queues a reconcile for every known pool (drift, lost events, deletions). */
const resyncDeps = createResyncDeps();

export const handler = middy<ScheduledEvent, { enqueued: number }>().handler(async () => {
  const poolIds = await enqueueAllPools(resyncDeps);
  return { enqueued: poolIds.length };
});
