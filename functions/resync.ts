import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { enqueueAllPools } from '../lib/dispatch/resync';
import { createResyncDeps } from '../lib/dispatch/resync-deps';
import { logger } from '../lib/logger';

/** The scheduled sweep: queues a reconcile for every known pool (drift, lost events, deletions). */
const resyncDeps = createResyncDeps();

export const handler = middy<ScheduledEvent, { enqueued: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const poolIds = await enqueueAllPools(resyncDeps);
    return { enqueued: poolIds.length };
  });
