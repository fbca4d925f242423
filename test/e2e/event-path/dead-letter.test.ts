/**
 * A message whose handling fails with an error no retry can fix ends in the dead-letter queue at
 * once, and the pool's status says so (through the real event path; the failure is a lease table
 * that has gone away: DynamoDB's ResourceNotFoundException). Retryable failures take five
 * deliveries first: test/integration/dispatch/reconcile-batch.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { S3SpecStore } from '../../../lib/aws/spec-stores';
import { resolveResourceNames } from '../../../lib/config';
import { DEAD_LETTERED_REASON } from '../../../lib/status/dead-letter-status';
import { startEventPath, type TestEventPath } from '../../support/event-path';
import { quietLogs } from '../../support/quiet-logs';
import { sandboxClients, seedWorld } from '../../support/sandbox';

process.env.SETTLE_SECONDS = '1';
process.env.RECONCILE_REQUEUE_SECONDS = '1';
jest.setTimeout(90000);
quietLogs();

const names = resolveResourceNames();
let path: TestEventPath;

beforeEach(async () => {
  await seedWorld();
  path = await startEventPath();
});
afterEach(() => path.stop());

it('moves a message that cannot succeed to the DLQ, after writing why into the status row', async () => {
  const clients = sandboxClients();
  await clients.dynamodb.send(new DeleteTableCommand({ TableName: names.leaseTable }));
  const spec = readFileSync(join(__dirname, '../../../examples/enclave-pool.yaml'), 'utf8');
  await new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix }).put(
    'my-node-pool',
    spec,
  );

  const row = await path.waitForStatus(
    'my-node-pool',
    (r) => r?.conditions.some((c) => c.type === 'Ready' && c.reason === DEAD_LETTERED_REASON) ?? false,
    { what: 'ReconcileDeadLettered', timeoutMs: 60000 },
  );
  const ready = row?.conditions.find((c) => c.type === 'Ready');
  expect(ready).toMatchObject({ status: 'False', severity: 'Error' });
  expect(ready?.message).toContain('ResourceNotFoundException');
  expect(ready?.message).toContain(names.deadLetterQueue);

  const deadline = Date.now() + 15000;
  let inDlq = 0;
  while (Date.now() < deadline && inDlq === 0) {
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: path.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    inDlq = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    if (inDlq === 0) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(inDlq).toBe(1);
});
