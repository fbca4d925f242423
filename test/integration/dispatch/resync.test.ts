import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { AwsCallCounter } from '../../../infra/local/aws-call-counter';
import { provisionResources } from '../../../infra/local/provision';
import { loadServiceDefinition } from '../../../infra/local/service-definition';
import { DynamoDbSpecStore, S3SpecStore } from '../../../lib/aws/spec-stores';
import { StatusTable } from '../../../lib/aws/status-table';
import { STATUS_SCAN_SEGMENTS } from '../../../lib/aws/status-table-reader';
import { resolveResourceNames } from '../../../lib/config';
import { enqueueAllPools } from '../../../lib/dispatch/resync';
import { createResyncDeps } from '../../../lib/dispatch/resync-deps';
import { emptyStatusRow } from '../../../lib/status/status-row';
import { quietLogs } from '../../support/quiet-logs';
import { functionClients, resetSandbox, sandboxClients } from '../../support/sandbox';

const names = resolveResourceNames();

quietLogs();
// Seeding 120 pools through moto takes most of jest's default 30 s on a loaded 2-core machine.
jest.setTimeout(120_000);

it('queues one resync message for every pool with a spec or a live status row', async () => {
  await resetSandbox();
  const clients = sandboxClients();
  const definition = await loadServiceDefinition(join(__dirname, '../../..'));
  const resources = await provisionResources(clients, definition, process.env.AWS_REGION ?? 'eu-west-1');

  const s3 = new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
  const dynamodb = new DynamoDbSpecStore(clients.documents, { table: names.specTable });
  const status = new StatusTable(clients, names.statusTable);
  await s3.put('alpha', 'spec: a');
  await s3.put('both', 'spec: b');
  await dynamodb.put('both', 'spec: b');
  await dynamodb.put('gamma', 'spec: c');
  // An item no pass can read (spec stored as a map): still swept, so its pass reports SpecUnreadable.
  await clients.documents.send(
    new PutCommand({ TableName: names.specTable, Item: { poolId: 'broken', spec: { a: 1 }, generation: 1 } }),
  );
  // A status item that is not a status row (put by hand: JSON text for the conditions, a string for
  // deleted): swept with the others, so its pass reports it (StatusTableUnreadable, decision 0124).
  await clients.documents.send(
    new PutCommand({
      TableName: names.statusTable,
      Item: { poolId: 'bad-row', deleted: 'no', conditions: '[{"type":' },
    }),
  );
  // A pool whose spec is gone while its resources remain (a lost delete event), and one fully deleted.
  await status.put(emptyStatusRow('orphan'), 0);
  await status.put({ ...emptyStatusRow('gone'), deleted: true }, 0);

  // The resync function's own credentials: the sandbox's IAM gate evaluates its calls against its role.
  const deps = { ...createResyncDeps(process.env, functionClients('resync')), jitterSeconds: 0 };
  const queued = await enqueueAllPools(deps);

  expect(queued).toEqual(['alpha', 'bad-row', 'both', 'broken', 'gamma', 'orphan']);
  const received = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: resources.queueUrls.ReconcileQueue, MaxNumberOfMessages: 10 }),
  );
  expect(
    (received.Messages ?? [])
      .map((m) => JSON.parse(m.Body ?? '{}'))
      // The S3 puts above also queue their own object events (once the queue's settle delay
      // passes, which a loaded machine may reach before this receive): only the sweep's count here.
      .filter((body) => body.trigger === 'resync')
      // Which pools this sweep marks for the hourly drift check depends on the wall clock's slot;
      // test/unit/dispatch/resync-drift-check.test.ts covers that schedule with a fixed clock.
      .map(({ poolId, trigger }) => ({ poolId, trigger }))
      .sort((a, b) => a.poolId.localeCompare(b.poolId)),
  ).toEqual(
    ['alpha', 'bad-row', 'both', 'broken', 'gamma', 'orphan'].map((poolId) => ({
      poolId,
      trigger: 'resync',
    })),
  );
});

it('sweeps 120 pools with projected scans and 12 batches of ten, each pool exactly once', async () => {
  await resetSandbox();
  const clients = sandboxClients();
  const definition = await loadServiceDefinition(join(__dirname, '../../..'));
  const resources = await provisionResources(clients, definition, process.env.AWS_REGION ?? 'eu-west-1');
  const status = new StatusTable(clients, names.statusTable);
  const pools = Array.from({ length: 120 }, (_, i) => `pool-${String(i).padStart(3, '0')}`);
  for (const poolId of pools) await status.put(emptyStatusRow(poolId), 0);

  const counter = new AwsCallCounter(clients, ['dynamodb', 's3', 'sqs']);
  const queued = await enqueueAllPools({ ...createResyncDeps(process.env, clients), jitterSeconds: 0 });

  expect(queued).toEqual(pools);
  expect(counter.summary()).toEqual({
    // The spec stores (empty here): one S3 listing, one projected spec-table scan.
    ListObjectsV2: 1,
    // One projected spec-table scan, one status scan per segment.
    Scan: 1 + STATUS_SCAN_SEGMENTS,
    GetQueueUrl: 1,
    SendMessageBatch: 12,
  });
  const bodies: string[] = [];
  for (let round = 0; round < 40 && bodies.length < pools.length; round++) {
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.queueUrls.ReconcileQueue, MaxNumberOfMessages: 10 }),
    );
    for (const message of received.Messages ?? []) bodies.push(JSON.parse(message.Body ?? '{}').poolId);
  }
  expect(bodies.sort()).toEqual(pools);
});
