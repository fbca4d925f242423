/**
 * Bursts of spec writes through the whole event path (S3 → EventBridge → SQS → reconcile): each
 * pool gets one launch-template version, for its last spec, however the writes are spread and
 * however loaded the machine is. The cause is in the code, not in the timing: a pass acts on a
 * spec only once it has been unchanged for the settle period since its own write time (S3
 * LastModified), and requeues for the rest otherwise (issue 12.2).
 */
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { resolveResourceNames } from '../../../lib/config';
import { launchTemplateName } from '../../../lib/render/resource-names';
import { poolSpec } from '../../faults/support/fault-world';
import { startEventPath, type TestEventPath } from '../../support/event-path';
import { quietLogs } from '../../support/quiet-logs';
import { configureSandbox, sandboxClients, seedWorld } from '../../support/sandbox';

// Read when the event path starts. Longer than any gap between two writes of one pool below.
const SETTLE_SECONDS = 8;
process.env.SETTLE_SECONDS = String(SETTLE_SECONDS);
process.env.RECONCILE_REQUEUE_SECONDS = '1';

jest.setTimeout(300_000);
quietLogs();

const POOLS = 20;
const WRITES = 200;
const names = resolveResourceNames();
let path: TestEventPath;

beforeAll(async () => {
  await seedWorld();
  await configureSandbox({ rollSeconds: 1, nodegroupCreateSeconds: 0 });
  path = await startEventPath();
});
afterAll(async () => path?.stop());

async function versionsOf(poolId: string): Promise<number[]> {
  const out = await sandboxClients().ec2.send(
    new DescribeLaunchTemplateVersionsCommand({
      LaunchTemplateName: launchTemplateName('my-cluster', poolId),
    }),
  );
  return (out.LaunchTemplateVersions ?? []).map((v) => v.VersionNumber ?? 0);
}

/**
 * WRITES writes over POOLS pools, pool by pool in turn, spread evenly over `spreadSeconds`: one
 * writer per pool, each write of a pool a tenth of the spread after its last. Returns, per pool,
 * the longest time between two of its writes (the end of one to the start of the next is a lower
 * bound; the start of one to the end of the next an upper bound).
 */
async function burst(prefix: string, spreadSeconds: number): Promise<Map<string, number>> {
  const perPool = WRITES / POOLS;
  const stepMs = (spreadSeconds * 1000) / perPool;
  const start = Date.now();
  const longestGap = new Map<string, number>();
  await Promise.all(
    Array.from({ length: POOLS }, async (_, p) => {
      const poolId = `${prefix}-${p}`;
      let previousStart: number | undefined;
      for (let i = 0; i < perPool; i++) {
        const due = start + i * stepMs + (p * stepMs) / POOLS;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        const began = Date.now();
        await sandboxClients().s3.send(
          new PutObjectCommand({
            Bucket: names.specBucket,
            Key: `${names.specPrefix}${poolId}.yaml`,
            Body: poolSpec(poolId, 512 + 2 * i),
            ContentType: 'application/yaml',
          }),
        );
        const ended = Date.now();
        if (previousStart !== undefined) {
          longestGap.set(poolId, Math.max(longestGap.get(poolId) ?? 0, ended - previousStart));
        }
        previousStart = began;
      }
    }),
  );
  return longestGap;
}

describe.each([1, 5, 10])('200 writes over 20 pools spread over %i s', (spreadSeconds) => {
  it('give each pool one version, for its last spec', async () => {
    const prefix = `burst${spreadSeconds}`;
    const gaps = await burst(prefix, spreadSeconds);
    // The premise: no pool was left quiet for the settle period in the middle of its burst.
    expect(Math.max(...gaps.values())).toBeLessThan(SETTLE_SECONDS * 1000);

    const pools = Array.from({ length: POOLS }, (_, p) => `${prefix}-${p}`);
    const last = 512 + 2 * (WRITES / POOLS - 1);
    // Done when every pool's status row says a pass acted on its last spec; versions are cut in
    // order, so an intermediate one would already exist by then.
    for (const poolId of pools) {
      await path.waitForStatus(poolId, (row) => row?.specSummary?.enclaves.memoryMib === last, {
        what: `a pass on memory_mib ${last}`,
        timeoutMs: 200_000,
      });
    }
    const versions = await Promise.all(
      pools.map(async (poolId) => ({ poolId, versions: await versionsOf(poolId) })),
    );
    expect(versions).toEqual(pools.map((poolId) => ({ poolId, versions: [1] })));
    expect(path.errors).toEqual([]);
  });
});
