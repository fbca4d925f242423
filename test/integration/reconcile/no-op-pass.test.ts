import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { UpdateNodegroupVersionCommand } from '@aws-sdk/client-eks';
import { resolveResourceNames } from '../../../lib/config';
import { reconcile } from '../../../lib/reconcile';
import { configureSandbox } from '../../support/sandbox';
import {
  LAUNCH_TEMPLATE_NAME,
  POOL_ID,
  SEED_SPEC,
  specWith,
  useReconcileHarness,
  withMemoryMib,
} from './reconcile-harness';

/**
 * The cost of a pass that changes nothing (issue 13.1, docs/decisions/0082): the status row, the
 * spec object at the row's location, DescribeNodegroup and DescribeCluster, and no EC2 call. What
 * the row stands in for (the launch template, the live facts) is re-read by the hourly drift check.
 */

const h = useReconcileHarness({ sandbox: { rollSeconds: 1 } });

const NO_OP_CALLS = ['dynamodb:GetItem', 's3:GetObject', 'eks:DescribeCluster', 'eks:DescribeNodegroup'];

async function created(spec = SEED_SPEC): Promise<void> {
  await h.s3Specs.put(POOL_ID, spec);
  expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
  // The first no-op pass after the pool settled records what it read; from then on passes are no-ops.
  expect(await h.run()).toMatchObject({ kind: 'done' });
  h.counter.reset();
}

/** The calls in a stable order (parallel reads may interleave), so a failure prints the list. */
function sortedCalls(): string[] {
  return [...h.counter.calls].sort();
}

async function driftCheck(): Promise<void> {
  const outcomes = [await reconcile(POOL_ID, h.deps, { driftCheck: true })];
  while (outcomes.at(-1)?.kind === 'requeue' && outcomes.length < 15) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    outcomes.push(await h.run());
  }
  expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });
}

async function templateId(): Promise<string> {
  const out = await h.clients.ec2.send(
    new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [LAUNCH_TEMPLATE_NAME] }),
  );
  return out.LaunchTemplates?.[0]?.LaunchTemplateId ?? '';
}

describe('a no-op pass', () => {
  it('makes exactly four calls, none of them EC2, and writes nothing', async () => {
    await created();
    const rowBefore = await h.statusRow();

    const outcome = await h.run();

    expect(outcome).toMatchObject({ kind: 'done' });
    expect(sortedCalls()).toEqual([...NO_OP_CALLS].sort());
    expect(h.counter.calls.filter((call) => call.startsWith('ec2:'))).toEqual([]);
    expect(await h.statusRow()).toEqual(rowBefore);
  });

  it('keeps four calls for a pool with a root volume (the image root device is in the status row)', async () => {
    await created(
      specWith([
        ['      enabled: true\n', '      enabled: true\n    rootVolume:\n      size: 40\n      type: gp3\n'],
      ]),
    );

    await h.run();

    expect(sortedCalls()).toEqual([...NO_OP_CALLS].sort());
    const row = await h.statusRow();
    expect(row?.rootDevice?.imageId).toBe(row?.launchTemplate?.imageId);
  });

  it('reads DynamoDB specs with one GetItem, and the S3 store only when it has an event of its own', async () => {
    await h.dynamoSpecs.put(POOL_ID, SEED_SPEC);
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    await h.run();
    h.counter.reset();

    await h.run();
    expect(sortedCalls()).toEqual(
      ['dynamodb:GetItem', 'dynamodb:GetItem', 'eks:DescribeCluster', 'eks:DescribeNodegroup'].sort(),
    );

    // A spec object for the same pool appears: its own event makes the pass look in S3 too.
    await h.s3Specs.put(POOL_ID, SEED_SPEC);
    h.counter.reset();
    const outcome = await reconcile(POOL_ID, h.deps, {
      specEvents: [
        {
          source: 's3',
          location: `s3://${resolveResourceNames().specBucket}/${resolveResourceNames().specPrefix}${POOL_ID}.yaml`,
        },
      ],
    });
    expect(outcome).toMatchObject({ kind: 'terminal', reason: 'SpecConflict' });
    expect(h.counter.resourceWrites()).toEqual([]);
  });

  it('re-reads the live facts once they are older than LIVE_FACTS_MAX_AGE_SECONDS', async () => {
    await created();
    const row = await h.statusRow();
    expect(row?.liveFacts?.facts.instanceTypes['m5.xlarge']?.nitroEnclavesSupported).toBe(true);
    const { createReconcileDeps } = await import('../../../lib/reconcile');
    const aged = createReconcileDeps(
      { ...process.env, KUBERNETES_VERSION: '1.35', LIVE_FACTS_MAX_AGE_SECONDS: '0' },
      h.reconcileClients,
    );

    expect(await reconcile(POOL_ID, aged)).toMatchObject({ kind: 'done' });

    expect(h.counter.summary()).toMatchObject({
      DescribeInstanceTypes: 1,
      DescribeSubnets: 1,
      DescribeAvailabilityZones: 1,
      DescribeInstanceTypeOfferings: 1,
    });
    expect(h.counter.count('DescribeLaunchTemplates')).toBe(0);
  });
});

describe('a changed spec', () => {
  const NEW_VERSION_CALLS = [
    'dynamodb:GetItem',
    's3:GetObject',
    'eks:DescribeCluster',
    // The new spec resolves its image again (resolvedImage is pinned to the spec hash).
    'ssm:GetParameter',
    'eks:DescribeNodegroup',
    'ec2:CreateLaunchTemplateVersion',
  ];

  async function changedPass(spec: string): Promise<void> {
    await created();
    // As on AWS, where a node group takes minutes to create: the spec is written after the node
    // group last changed. S3's LastModified is whole seconds, so the write goes in a later second
    // (the sandbox creates node groups at once; without this the pass could look up, rightly).
    const modifiedAt = (await h.nodegroup())?.modifiedAt?.getTime() ?? 0;
    const nextSecond = Math.floor(modifiedAt / 1000) * 1000 + 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextSecond - Date.now() + 50)));
    const stored = await h.s3Specs.put(POOL_ID, spec);
    h.counter.reset();
    const outcome = await reconcile(POOL_ID, h.deps, {
      specEvents: [{ source: 's3', location: stored.location }],
    });
    expect(outcome).toMatchObject({ kind: 'requeue', reason: 'UpdateInProgress' });
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1, 2]);
    expect((await h.statusRow())?.update).toMatchObject({
      status: 'InProgress',
      launchTemplateVersion: 2,
    });
  }

  // No ListUpdates: the node group was last modified before the spec was written, so no pass can
  // have started a roll for this write that the row does not know (docs/decisions/0084).
  it('reaches "roll started" in eight calls', async () => {
    await changedPass(specWith([['    - systemctl enable', '    - echo changed\n    - systemctl enable']]));
    expect(h.counter.calls).toEqual([...NEW_VERSION_CALLS, 'eks:UpdateNodegroupVersion', 'dynamodb:PutItem']);
  });

  // Moving the allocator from 2 MiB to 1 GiB pages changes the Auto Scaling group's autoscaler
  // tags too (docs/decisions/0101): the two tag writes are the only calls added. The group is
  // DescribeNodegroup's, the tags applied are the row's: no DescribeAutoScalingGroups, no
  // DescribeInstances.
  it('adds only the two tag writes when the autoscaler tags change with it', async () => {
    await changedPass(specWith(withMemoryMib(1024)));
    expect(h.counter.calls).toEqual([
      ...NEW_VERSION_CALLS,
      'autoScaling:CreateOrUpdateTags',
      'autoScaling:DeleteTags',
      'eks:UpdateNodegroupVersion',
      'dynamodb:PutItem',
    ]);
    const group = (await h.nodegroup())?.resources?.autoScalingGroups?.[0]?.name;
    const { AutoScalingGroups } = await h.clients.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group ?? ''] }),
    );
    const hugepages = (AutoScalingGroups?.[0]?.Tags ?? [])
      .filter((tag) => tag.Key?.includes('/resources/hugepages-'))
      .map((tag) => `${tag.Key?.split('/').at(-1)}=${tag.Value}`);
    expect(hugepages).toEqual(['hugepages-1Gi=1Gi']);
  });
});

// A roll recorded in the row, to a version the row lists, tells nothing new about the template:
// its polls and the pass that sees it end trust the row like a no-op pass (the hourly drift check
// reads EC2). Before, each of them read the template (2 EC2 calls per poll).
describe('the passes of a roll', () => {
  async function rollStarted(): Promise<void> {
    await created();
    const modifiedAt = (await h.nodegroup())?.modifiedAt?.getTime() ?? 0;
    const nextSecond = Math.floor(modifiedAt / 1000) * 1000 + 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextSecond - Date.now() + 50)));
    const stored = await h.s3Specs.put(POOL_ID, specWith(withMemoryMib(1024)));
    const outcome = await reconcile(POOL_ID, h.deps, {
      specEvents: [{ source: 's3', location: stored.location }],
    });
    expect(outcome).toMatchObject({ kind: 'requeue', reason: 'UpdateInProgress' });
    h.counter.reset();
  }

  it('poll an update in progress without reading the launch template', async () => {
    // An hour-long roll: it cannot end during the test.
    await configureSandbox({ rollSeconds: 3600 });
    await rollStarted();

    expect(await h.run()).toMatchObject({ kind: 'requeue', reason: 'UpdateInProgress' });
    expect(h.counter.calls.filter((call) => call.includes('LaunchTemplate'))).toEqual([]);
    expect((await h.statusRow())?.update).toMatchObject({ status: 'InProgress', launchTemplateVersion: 2 });
  });

  it('record its end without reading the launch template', async () => {
    await rollStarted();
    // The sandbox's one-second roll ends; the node group then runs version 2.
    while ((await h.nodegroup())?.launchTemplate?.version !== '2')
      await new Promise((resolve) => setTimeout(resolve, 100));
    h.counter.reset();

    expect(await h.run()).toMatchObject({ kind: 'done' });

    expect(h.counter.calls.filter((call) => call.includes('LaunchTemplate'))).toEqual([]);
    const row = await h.statusRow();
    expect(row?.launchTemplate).toMatchObject({ pinnedVersion: 2, latestVersion: 2 });
    expect(row?.update).toMatchObject({ status: 'Successful', launchTemplateVersion: 2 });
  });
});

describe('the hourly drift check', () => {
  it('is the only pass that reads the launch template', async () => {
    await created();
    await h.run();
    expect(h.counter.count('DescribeLaunchTemplates')).toBe(0);

    await driftCheck();

    expect(h.counter.count('DescribeLaunchTemplates')).toBe(1);
    expect(h.counter.count('DescribeLaunchTemplateVersions')).toBe(1);
  });

  it('replaces the version the node group runs when it was deleted out of band', async () => {
    await created();
    await h.s3Specs.put(POOL_ID, specWith(withMemoryMib(1024)));
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    await h.run();
    expect((await h.nodegroup())?.launchTemplate?.version).toBe('2');
    await h.clients.ec2.send(
      new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: await templateId(), Versions: ['2'] }),
    );

    // A pass without the check trusts the row: four calls, nothing noticed.
    h.counter.reset();
    await h.run();
    expect(sortedCalls()).toEqual([...NO_OP_CALLS].sort());

    await driftCheck();

    const versions = await h.launchTemplateVersions();
    expect(versions.map((v) => v.VersionNumber)).toEqual([1, 3]);
    expect(Buffer.from(versions[1]?.LaunchTemplateData?.UserData ?? '', 'base64').toString()).toContain(
      'memory_mib: 1024',
    );
    expect((await h.nodegroup())?.launchTemplate?.version).toBe('3');
    const row = await h.statusRow();
    expect(row?.launchTemplate).toMatchObject({ pinnedVersion: 3 });
    expect(row?.history.map((e) => e.event)).toContain('LaunchTemplateDriftDetected');
  });

  it('records a default version changed out of band', async () => {
    await created();
    const id = await templateId();
    await h.clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        LaunchTemplateData: { InstanceType: 't3.large' },
      }),
    );
    await h.clients.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '2' }));
    await h.run();
    expect((await h.statusRow())?.launchTemplate?.defaultVersion).toBe(1);

    await driftCheck();

    const row = await h.statusRow();
    expect(row?.launchTemplate).toMatchObject({ defaultVersion: 2, latestVersion: 2, pinnedVersion: 1 });
    expect(row?.launchTemplate?.versions?.map((v) => v.number)).toEqual([1, 2]);
    const drift = row?.history.filter((e) => e.event === 'LaunchTemplateDriftDetected') ?? [];
    expect(drift.map((e) => e.message)).toEqual([expect.stringContaining('default version 1 → 2')]);
    // The node group stays on the version that matches the spec.
    expect((await h.nodegroup())?.launchTemplate?.version).toBe('1');
  });

  it('rolls a node group moved to another version back to the spec (noticed on any pass, from DescribeNodegroup)', async () => {
    await created();
    const id = await templateId();
    const rogue = await h.clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        LaunchTemplateData: { InstanceType: 't3.large' },
      }),
    );
    await h.clients.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: h.world.cluster.name,
        nodegroupName: POOL_ID,
        launchTemplate: { id, version: String(rogue.LaunchTemplateVersion?.VersionNumber) },
      }),
    );
    for (let i = 0; i < 40; i++) {
      const ng = await h.nodegroup();
      if (ng?.status === 'ACTIVE' && ng.launchTemplate?.version === '2') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    await driftCheck();

    expect((await h.nodegroup())?.launchTemplate?.version).toBe('1');
    const row = await h.statusRow();
    expect(row?.history.map((e) => e.event)).toContain('DriftDetected');
    expect(row?.launchTemplate).toMatchObject({ pinnedVersion: 1 });
  });
});
