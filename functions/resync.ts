import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createEventPath } from '../lib/dispatch/event-path-deps';
import { enqueueAllPools } from '../lib/dispatch/resync';

/** The scheduled sweep: queues a reconcile for every known pool (drift, lost events, deletions). */
const eventPath = createEventPath();

export const handler = middy<ScheduledEvent, { enqueued: number }>().handler(async () => {
  const poolIds = await enqueueAllPools(eventPath.resyncDeps());
  return { enqueued: poolIds.length };
});
