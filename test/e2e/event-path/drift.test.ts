/**
 * Drift: the scheduled resync finds a node group or launch template changed outside enclave-pools,
 * reports it in the pool's history and converges it back, through the real event path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import {
  DescribeNodegroupCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { S3SpecStore } from '../../../lib/aws/spec-stores';
import { resolveResourceNames } from '../../../lib/config';
import { enqueueAllPools } from '../../../lib/dispatch/resync';
import { createResyncDeps } from '../../../lib/dispatch/resync-deps';
import type { StatusRow } from '../../../lib/status/status-row';
import { conditionStatus, startEventPath, type TestEventPath } from '../../support/event-path';
import { quietLogs } from '../../support/quiet-logs';
import { configureSandbox, functionClients, sandboxClients, seedWorld } from '../../support/sandbox';

process.env.SETTLE_SECONDS = '1';
process.env.RECONCILE_REQUEUE_SECONDS = '1';
process.env.RESYNC_JITTER_SECONDS = '0';
jest.setTimeout(90000);
quietLogs();

const POOL = 'my-node-pool';
const CLUSTER = 'my-cluster';
const names = resolveResourceNames();
let path: TestEventPath;

beforeEach(async () => {
  await seedWorld();
  await configureSandbox({ rollSeconds: 1, configUpdateSeconds: 1 });
  path = await startEventPath();
  const spec = readFileSync(join(__dirname, '../../../examples/enclave-pool.yaml'), 'utf8');
  await new S3SpecStore(sandboxClients().s3, { bucket: names.specBucket, prefix: names.specPrefix }).put(
    POOL,
    spec,
  );
  await path.waitForStatus(POOL, isReady, { what: 'Ready' });
});
afterEach(() => path.stop());

function isReady(row: StatusRow | undefined): boolean {
  return conditionStatus(row, 'Ready') === 'True';
}

async function nodegroup() {
  const out = await sandboxClients().eks.send(
    new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: POOL }),
  );
  return out.nodegroup;
}

async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30000;
  let value = await read();
  while (!until(value)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

/**
 * What the scheduled resync function does (functions/resync.ts is this one call), with the resync
 * function's own credentials: in this process the reconcile handler's credentials are in the
 * environment, and the IAM gate evaluates each function against its own role.
 */
async function runScheduledResync(): Promise<void> {
  await enqueueAllPools(createResyncDeps(process.env, functionClients('resync')));
}

it('puts back a node-group label removed out of band, and says so in the history', async () => {
  await sandboxClients().eks.send(
    new UpdateNodegroupConfigCommand({
      clusterName: CLUSTER,
      nodegroupName: POOL,
      labels: { removeLabels: ['aws-nitro-enclaves-k8s-dp'] },
    }),
  );
  await waitFor(
    nodegroup,
    (ng) => ng?.status === 'ACTIVE' && !ng.labels?.['aws-nitro-enclaves-k8s-dp'],
    'the label to go',
  );

  await runScheduledResync();

  const row = await path.waitForStatus(
    POOL,
    (r) => isReady(r) && (r?.history.some((entry) => entry.event === 'DriftDetected') ?? false),
    { what: 'drift reported and Ready' },
  );
  const group = await waitFor(nodegroup, (ng) => ng?.status === 'ACTIVE', 'the node group to settle');
  expect(group?.labels?.['aws-nitro-enclaves-k8s-dp']).toBe('enabled');
  expect(row?.history.find((entry) => entry.event === 'DriftDetected')?.message).toContain(
    'UpdateNodegroupConfig',
  );
});

it('rolls the node group back when it was rolled out of band to a version that does not match the spec', async () => {
  const before = await nodegroup();
  const templateId = before?.launchTemplate?.id ?? '';
  const rogue = await sandboxClients().ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: templateId,
      LaunchTemplateData: { InstanceType: 't3.large' },
    }),
  );
  const rogueVersion = String(rogue.LaunchTemplateVersion?.VersionNumber);
  await sandboxClients().eks.send(
    new UpdateNodegroupVersionCommand({
      clusterName: CLUSTER,
      nodegroupName: POOL,
      launchTemplate: { id: templateId, version: rogueVersion },
    }),
  );
  await waitFor(
    nodegroup,
    (ng) => ng?.status === 'ACTIVE' && ng.launchTemplate?.version === rogueVersion,
    'the rogue roll',
  );

  await runScheduledResync();

  await path.waitForStatus(
    POOL,
    (r) => isReady(r) && (r?.history.some((entry) => entry.event === 'DriftDetected') ?? false),
    { what: 'drift reported and Ready', timeoutMs: 45000 },
  );
  const group = await nodegroup();
  expect(group?.launchTemplate?.version).not.toBe(rogueVersion);
  expect(group?.launchTemplate?.version).toBe(before?.launchTemplate?.version);
});
