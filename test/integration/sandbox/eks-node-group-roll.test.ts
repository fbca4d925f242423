import {
  CreateNodegroupCommand,
  InvalidParameterException,
  ListUpdatesCommand,
  ResourceInUseException,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import {
  configureSandbox,
  eventually,
  failNextRoll,
  sandboxConfig,
  setRollSeconds,
} from '../../support/sandbox';
import { createLaunchTemplateNodegroup, describeNodegroup, useRollScenario } from './nodegroup-fixture';

const s = useRollScenario();

describe('UpdateNodegroupVersion roll lifecycle', () => {
  it('goes InProgress then Successful and moves the node group to the new launch template version', async () => {
    await setRollSeconds(1.5);

    const started = await s.rollTo(s.newVersion);

    expect(started).toMatchObject({
      status: 'InProgress',
      type: 'VersionUpdate',
      params: [
        { type: 'LaunchTemplateName', value: s.pool.launchTemplateName },
        { type: 'LaunchTemplateVersion', value: s.newVersion },
      ],
      errors: [],
    });
    expect((await s.describeUpdate(started.id ?? '')).status).toBe('InProgress');
    const rolling = await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName);
    expect(rolling.status).toBe('UPDATING');
    expect(rolling.launchTemplate?.version).toBe('1');

    const finished = await eventually(
      () => s.describeUpdate(started.id ?? ''),
      (u) => u.status !== 'InProgress',
    );
    expect(finished.status).toBe('Successful');
    const rolled = await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName);
    expect(rolled.status).toBe('ACTIVE');
    expect(rolled.launchTemplate).toEqual({
      id: s.pool.launchTemplateId,
      name: s.pool.launchTemplateName,
      version: s.newVersion,
    });
    // A custom-AMI node group reports its AMI as the release version, as EKS does.
    expect(rolled.releaseVersion).toBe(s.world.amis['1.36']?.x86_64.imageId);
  });

  it('fails an armed roll with PodEvictionFailure and leaves the node group ACTIVE on the old version', async () => {
    await setRollSeconds(0.3);
    await failNextRoll(
      s.world.cluster.name,
      s.pool.nodegroupName,
      'PodEvictionFailure',
      'PDB blocks eviction',
    );

    const started = await s.rollTo(s.newVersion);
    const finished = await eventually(
      () => s.describeUpdate(started.id ?? ''),
      (u) => u.status !== 'InProgress',
    );

    expect(finished.status).toBe('Failed');
    expect(finished.errors).toEqual([
      {
        errorCode: 'PodEvictionFailure',
        errorMessage: 'PDB blocks eviction',
        resourceIds: [s.pool.nodegroupName],
      },
    ]);
    const after = await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName);
    expect(after.status).toBe('ACTIVE');
    expect(after.launchTemplate?.version).toBe('1');
    // The failure was consumed by that roll: the next one succeeds.
    expect((await sandboxConfig()).armedFailures).toEqual([]);
    const retry = await s.rollTo(s.newVersion);
    await eventually(
      () => s.describeUpdate(retry.id ?? ''),
      (u) => u.status === 'Successful',
    );
  });

  it('reports node-creation failures in the update errors and in the node group health', async () => {
    await setRollSeconds(0);
    await failNextRoll(s.world.cluster.name, s.pool.nodegroupName, 'AsgInstanceLaunchFailures');

    const started = await s.rollTo(s.newVersion);
    const finished = await s.describeUpdate(started.id ?? '');

    expect(finished.status).toBe('Failed');
    expect(finished.errors?.[0]?.errorCode).toBe('AsgInstanceLaunchFailures');
    const after = await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName);
    expect(after.health?.issues?.map((i) => i.code)).toEqual(['AsgInstanceLaunchFailures']);
    expect(after.launchTemplate?.version).toBe('1');
  });

  it('lets force push through an armed PodEvictionFailure, as EKS documents for force', async () => {
    await setRollSeconds(0);
    await failNextRoll(s.world.cluster.name, s.pool.nodegroupName, 'PodEvictionFailure');

    const started = await s.rollTo(s.newVersion, { force: true });

    expect((await s.describeUpdate(started.id ?? '')).status).toBe('Successful');
  });

  it('refuses a second update while one is in progress with ResourceInUseException (409)', async () => {
    await setRollSeconds(30);
    await s.rollTo(s.newVersion);

    const second = s.clients.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: s.pool.nodegroupName,
        launchTemplate: { id: s.pool.launchTemplateId, version: '1' },
      }),
    );
    await expect(second).rejects.toBeInstanceOf(ResourceInUseException);
    await expect(second).rejects.toMatchObject({ $metadata: { httpStatusCode: 409 } });
    await expect(
      s.clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: s.world.cluster.name,
          nodegroupName: s.pool.nodegroupName,
          scalingConfig: { desiredSize: 3 },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceInUseException);
  });

  it('rejects a different launch template and an unknown version with InvalidParameterException', async () => {
    const other = await createLaunchTemplateNodegroup(s.clients, s.world, 'pool-b');
    const wrongTemplate = s.clients.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: s.pool.nodegroupName,
        launchTemplate: { id: other.launchTemplateId, version: '1' },
      }),
    );
    await expect(wrongTemplate).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(s.rollTo('99')).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

// EKS does not document which end of an update moves modifiedAt (decision 0084): the sandbox's
// default is the end, and a test can ask for the start or both.
describe.each([
  { moves: 'end' as const, atStart: false, atEnd: true },
  { moves: 'start' as const, atStart: true, atEnd: false },
  { moves: 'both' as const, atStart: true, atEnd: true },
])('modifiedAt with nodegroupModifiedAtMoves $moves', ({ moves, atStart, atEnd }) => {
  it(`moves at the update's start: ${atStart}, at its end: ${atEnd}`, async () => {
    await configureSandbox({ rollSeconds: 1, nodegroupModifiedAtMoves: moves });
    const modifiedAt = async () =>
      (
        await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName)
      ).modifiedAt?.getTime() ?? 0;
    const before = await modifiedAt();
    const started = await s.rollTo(s.newVersion);
    const during = await modifiedAt();
    await eventually(
      () => s.describeUpdate(started.id ?? ''),
      (u) => u.status !== 'InProgress',
    );
    const after = await modifiedAt();
    expect({ atStart: during > before, atEnd: after > during }).toEqual({ atStart, atEnd });
    expect((await sandboxConfig()).nodegroupModifiedAtMoves).toBe(moves);
  });
});

describe('clientRequestToken', () => {
  it('returns the same update for a retried UpdateNodegroupVersion instead of ResourceInUse', async () => {
    await setRollSeconds(30);
    const first = await s.rollTo(s.newVersion, { clientRequestToken: 'roll-pool-a-v2' });
    const retry = await s.rollTo(s.newVersion, { clientRequestToken: 'roll-pool-a-v2' });

    expect(retry.id).toBe(first.id);
    const { updateIds } = await s.clients.eks.send(
      new ListUpdatesCommand({ name: s.world.cluster.name, nodegroupName: s.pool.nodegroupName }),
    );
    expect(updateIds).toEqual([first.id]);
  });

  it('returns the existing node group for a retried CreateNodegroup with the same token', async () => {
    const create = () =>
      s.clients.eks.send(
        new CreateNodegroupCommand({
          clusterName: s.world.cluster.name,
          nodegroupName: 'pool-token',
          nodeRole: s.world.nodeRoleArn,
          subnets: s.world.privateSubnetIds,
          amiType: 'CUSTOM',
          launchTemplate: { id: s.pool.launchTemplateId },
          clientRequestToken: 'create-pool-token',
        }),
      );
    const first = await create();
    const retry = await create();

    expect(retry.nodegroup?.nodegroupArn).toBe(first.nodegroup?.nodegroupArn);
    const otherToken = s.clients.eks.send(
      new CreateNodegroupCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: 'pool-token',
        nodeRole: s.world.nodeRoleArn,
        subnets: s.world.privateSubnetIds,
        launchTemplate: { id: s.pool.launchTemplateId },
        clientRequestToken: 'another-token',
      }),
    );
    await expect(otherToken).rejects.toBeInstanceOf(ResourceInUseException);
  });

  it('returns the same update for a retried UpdateNodegroupConfig', async () => {
    await configureSandbox({ configUpdateSeconds: 30 });
    const update = () =>
      s.clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: s.world.cluster.name,
          nodegroupName: s.pool.nodegroupName,
          scalingConfig: { desiredSize: 3 },
          clientRequestToken: 'scale-pool-a',
        }),
      );
    const first = await update();
    const retry = await update();

    expect(retry.update?.id).toBe(first.update?.id);
    expect(retry.update?.status).toBe('InProgress');
  });
});
