import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import {
  loadServiceDefinition,
  type ServiceDefinition,
  sqsEventBatching,
} from '../../../infra/local/service-definition';
import { type RunningEventSource, startSqsEventSource } from '../../../infra/local/sqs-event-source';
import { sandboxClients } from '../../support/sandbox';

/**
 * The local SQS event source gathers batches as Lambda's event source mapping does: up to the batch
 * size, the batching window or 6 MB, with serverless.yml's batchSize and maximumBatchingWindow.
 * Every assertion is on which messages came in which delivery; none depends on how fast this runs.
 */
const clients = sandboxClients();
let definition: ServiceDefinition;
let queueUrl: string;
let source: RunningEventSource | undefined;
let deliveries: string[][];

beforeAll(async () => {
  definition = await loadServiceDefinition(join(__dirname, '../../..'));
});

beforeEach(async () => {
  deliveries = [];
  const created = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: `event-source-${Date.now()}`,
      Attributes: { VisibilityTimeout: '60' },
    }),
  );
  queueUrl = created.QueueUrl ?? '';
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
  await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
});

async function send(bodies: string[]): Promise<void> {
  for (let at = 0; at < bodies.length; at += 10) {
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(at, at + 10).map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
  }
}

function start(batching: { batchSize: number; maximumBatchingWindowSeconds: number }): void {
  source = startSqsEventSource(clients, {
    ...batching,
    queueUrl,
    queueArn: 'arn:aws:sqs:eu-west-1:123456789012:event-source',
    region: 'eu-west-1',
    pollers: 1,
    invoke: async (event: SQSEvent) => {
      deliveries.push(event.Records.map((record) => record.body));
      return { batchItemFailures: [] };
    },
  });
}

async function queueCounts(): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

async function until(what: string, predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const bodies = (from: number, count: number) => Array.from({ length: count }, (_, i) => `m${from + i}`);

describe('local SQS event source batching', () => {
  it("reads the reconcile function's batchSize and maximumBatchingWindow from serverless.yml", () => {
    expect(sqsEventBatching(definition, 'reconcile', 'ReconcileQueue')).toEqual({
      batchSize: 10,
      maximumBatchingWindowSeconds: 1,
    });
  });

  it('names the function, the queue and the fix when the function has no such event', () => {
    expect(() => sqsEventBatching(definition, 'resync', 'ReconcileQueue')).toThrow(
      'function resync has no sqs event on ReconcileQueue; add one (functions.resync.events[].sqs.arn: !GetAtt ReconcileQueue.Arn)',
    );
  });

  it('hands messages already queued to the function in batches of the batch size, each message once', async () => {
    await send(bodies(0, 23));
    start(sqsEventBatching(definition, 'reconcile', 'ReconcileQueue'));
    await until('all 23 delivered and deleted', async () => {
      const counts = await queueCounts();
      return deliveries.flat().length === 23 && counts.visible + counts.inFlight === 0;
    });
    expect(deliveries.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(deliveries.flat().sort()).toEqual(bodies(0, 23).sort());
  });

  it('keeps gathering inside the window: messages received before and after one receive go in one batch', async () => {
    // A window far longer than the test: only the batch size can end this batch.
    start({ batchSize: 10, maximumBatchingWindowSeconds: 60 });
    await send(bodies(0, 4));
    await until('the poller holds the first 4', async () => (await queueCounts()).inFlight === 4);
    expect(deliveries).toEqual([]);
    await send(bodies(4, 6));
    await until('one delivery', async () => deliveries.length > 0);
    expect(deliveries.map((batch) => [...batch].sort())).toEqual([bodies(0, 10).sort()]);
  });

  it('with no window, invokes with what the first receive returned', async () => {
    start({ batchSize: 10, maximumBatchingWindowSeconds: 0 });
    await send(bodies(0, 3));
    await until('a delivery', async () => deliveries.length > 0);
    await until('the queue drained', async () => {
      const counts = await queueCounts();
      return counts.visible + counts.inFlight === 0;
    });
    expect(deliveries.flat().sort()).toEqual(bodies(0, 3).sort());
  });
});
