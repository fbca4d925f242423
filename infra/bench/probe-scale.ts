// TEMPORARY probe (not committed): which call of get pools is slow at N pools on moto.

import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { clientSettingsFromEnv, createAwsClients } from '../../lib/aws/client-factory';
import { resolveResourceNames } from '../../lib/config';
import { provisionResources } from '../local/provision';
import { loadServiceDefinition } from '../local/service-definition';
import { findFreePort, startSandbox } from '../sandbox/sandbox-process';
import { seedWorld } from '../sandbox/seed-world';
import { seedCopiedFleet } from './scale';

async function main() {
  const n = Number(process.argv[2] ?? 1000);
  const root = join(__dirname, '..', '..');
  // SANDBOX_PORT when the caller has one of its own, else a free port.
  const port = Number(process.env.SANDBOX_PORT) || (await findFreePort());
  const sandbox = await startSandbox({ port, exitWithParent: true });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    KUBERNETES_VERSION: '1.35',
    AWS_REQUEST_TIMEOUT_MS: '120000',
  });
  const clients = createAwsClients(clientSettingsFromEnv());
  await seedWorld(clients);
  await provisionResources(clients, await loadServiceDefinition(root), 'eu-west-1');
  const t = performance.now();
  await seedCopiedFleet({ projectRoot: root, clients, env: process.env, count: n });
  console.log('seed', n, Math.round(performance.now() - t), 'ms');
  const names = resolveResourceNames();
  const time = async (label: string, f: () => Promise<unknown>) => {
    const s = performance.now();
    const r = await f();
    console.log(label, Math.round(performance.now() - s), 'ms', JSON.stringify(r).slice(0, 80));
  };
  for (let i = 0; i < 2; i++) {
    await time(
      'status scan full rows 1 seg',
      async () =>
        (await clients.documents.send(new ScanCommand({ TableName: names.statusTable }))).Items?.length,
    );
    await time('status scan projected 1 seg', async () => {
      const o = await clients.documents.send(
        new ScanCommand({
          TableName: names.statusTable,
          ProjectionExpression: '#p, #d',
          ExpressionAttributeNames: { '#p': 'poolId', '#d': 'deleted' },
        }),
      );
      return [o.Items?.length, o.LastEvaluatedKey ? 'more' : 'done'];
    });
    await time(
      'status scan projected seg 0/4',
      async () =>
        (
          await clients.documents.send(
            new ScanCommand({
              TableName: names.statusTable,
              ProjectionExpression: '#p, #d',
              ExpressionAttributeNames: { '#p': 'poolId', '#d': 'deleted' },
              Segment: 0,
              TotalSegments: 4,
            }),
          )
        ).Items?.length,
    );
    await time('4 segs parallel', async () =>
      (
        await Promise.all(
          [0, 1, 2, 3].map((s) =>
            clients.documents.send(
              new ScanCommand({
                TableName: names.statusTable,
                ProjectionExpression: '#p, #d',
                ExpressionAttributeNames: { '#p': 'poolId', '#d': 'deleted' },
                Segment: s,
                TotalSegments: 4,
              }),
            ),
          ),
        )
      ).map((o) => o.Items?.length),
    );
    await time(
      'spec table scan',
      async () =>
        (await clients.documents.send(new ScanCommand({ TableName: names.specTable }))).Items?.length,
    );
    await time(
      's3 list',
      async () =>
        (
          await clients.s3.send(
            new ListObjectsV2Command({ Bucket: names.specBucket, Prefix: names.specPrefix }),
          )
        ).KeyCount,
    );
  }
  process.exit(0);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
