import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, poolLogger, setLogSink } from '../../lib/logger';

const context = {
  awsRequestId: 'req-1',
  functionName: 'enclave-pools-reconcile',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:enclave-pools-reconcile',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

describe('operator logs', () => {
  let lines: Record<string, unknown>[];
  let previous: ReturnType<typeof setLogSink>;
  beforeEach(() => {
    lines = [];
    previous = setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  });
  afterEach(() => setLogSink(previous));

  it('writes one JSON line per event, named in message, with its fields', () => {
    logger.warn('message-rejected', { messageId: 'm-1', reason: 'not JSON' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      message: 'message-rejected',
      service: 'enclave-pools',
      messageId: 'm-1',
      reason: 'not JSON',
    });
  });

  it('puts the pool id on every line of a pass, also when passes interleave', async () => {
    const handler = middy<unknown, void>()
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .handler(async () => {
        const blue = poolLogger('blue');
        const green = poolLogger('green');
        blue.info('reconcile.action', { action: 'CreateNodegroup' });
        green.info('reconcile.action', { action: 'RollNodegroup' });
        blue.info('reconcile.outcome', { outcome: 'requeue' });
        logger.info('batch-done');
      });
    await handler({}, context);
    expect(lines.map((l) => [l.message, l.poolId])).toEqual([
      ['reconcile.action', 'blue'],
      ['reconcile.action', 'green'],
      ['reconcile.outcome', 'blue'],
      ['batch-done', undefined],
    ]);
    // The handler's middleware put the invocation's context on the pass loggers too.
    for (const line of lines) {
      expect(line).toMatchObject({ function_request_id: 'req-1', function_name: 'enclave-pools-reconcile' });
    }
  });

  it('keeps debug lines out unless POWERTOOLS_LOG_LEVEL asks for them', () => {
    poolLogger('blue').debug('requeue-stale');
    expect(lines).toEqual([]);
  });
});
