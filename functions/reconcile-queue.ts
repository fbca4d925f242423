import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEventPath } from '../lib/dispatch/event-path-deps';
import { dispatchBatch, queueRecordsFromSqs } from '../lib/dispatch/reconcile-batch';
import { logger } from '../lib/logger';

/**
 * Reconcile queue consumer: each record names a pool (an S3 or spec-table event, a resync, a
 * requeue); each pool is reconciled once per batch. Partial batch failures report only the pools
 * whose reconcile failed transiently; SQS retries those, then moves them to the DLQ.
 */
const eventPath = createEventPath();

// Every line of the invocation carries the Lambda context (request id, cold start); a pass adds
// its pool id (lib/logger.ts). resetKeys: no key appended in one invocation leaks into the next.
export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const result = await dispatchBatch(
      queueRecordsFromSqs(event.Records),
      // The remaining time lets the batch hand back pools it cannot finish before it is stopped.
      eventPath.dispatchDeps(context.awsRequestId, () => context.getRemainingTimeInMillis()),
    );
    return { batchItemFailures: result.batchItemFailures };
  });
