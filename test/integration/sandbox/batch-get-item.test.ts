import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { resolveResourceNames } from '../../../lib/config';
import { functionClients } from '../../support/sandbox';
import { provisionDispatchSandbox } from '../dispatch/dispatch-harness';

/**
 * BatchGetItem, the one read of a batch's lease items (decision 0085), refused where the DynamoDB
 * API Reference refuses it (moto's own checks, docs/sandbox.md), and allowed by IAM on the lease
 * table to the reconcile function alone.
 */
const names = resolveResourceNames();
let clients: AwsClients;
beforeAll(async () => {
  ({ clients } = await provisionDispatchSandbox());
});

const read = (client: AwsClients, table: string, poolIds: string[]) =>
  client.dynamodb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: { Keys: poolIds.map((poolId) => ({ poolId: { S: poolId } })), ConsistentRead: true },
      },
    }),
  );

describe('BatchGetItem on the sandbox', () => {
  it('refuses more than 100 keys and duplicate keys, as DynamoDB does', async () => {
    const keys = Array.from({ length: 101 }, (_, i) => `pool-${i}`);
    await expect(read(clients, names.leaseTable, keys)).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 100'),
    });
    await expect(read(clients, names.leaseTable, ['pool-1', 'pool-1'])).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Provided list of item keys contains duplicates',
    });
    await expect(read(clients, names.leaseTable, keys.slice(0, 100))).resolves.toMatchObject({
      UnprocessedKeys: {},
    });
  });

  it("is the reconcile function's on the lease table only", async () => {
    const reconcile = functionClients('reconcile');
    await expect(read(reconcile, names.leaseTable, ['pool-1'])).resolves.toBeDefined();
    await expect(read(reconcile, names.statusTable, ['pool-1'])).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(read(functionClients('resync'), names.leaseTable, ['pool-1'])).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});
