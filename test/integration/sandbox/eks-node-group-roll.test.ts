import {
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeUpdateCommand,
  InvalidParameterException,
  ListUpdatesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type Update,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import type { AwsClients } from '../../../lib/aws/client-factory';
import {
  configureSandbox,
  eventually,
  failNextRoll,
  type SeededWorld,
  sandboxClients,
  sandboxConfig,
  seedWorld,
  setRollSeconds,
} from '../../support/sandbox';
import {
  addLaunchTemplateVersion,
  createLaunchTemplateNodegroup,
  describeNodegroup,
  type LaunchTemplateNodegroup,
} from './nodegroup-fixture';

let clients: AwsClients;
let world: SeededWorld;
let pool: LaunchTemplateNodegroup;
let newVersion: string;

beforeEach(async () => {
  world = await seedWorld();
  clients = sandboxClients();
  pool = await createLaunchTemplateNodegroup(clients, world);
  newVersion = await addLaunchTemplateVersion(
    clients,
    pool.launchTemplateId,
    world.amis['1.36']?.x86_64.imageId ?? '',
  );
});

async function describeUpdate(updateId: string, nodegroupName = pool.nodegroupName): Promise<Update> {
  const { update } = await clients.eks.send(
    new DescribeUpdateCommand({ name: world.cluster.name, updateId, nodegroupName }),
  );
  if (!update) throw new Error('DescribeUpdate returned no update');
  return update;
}

async function rollTo(
  version: string,
  extra: { clientRequestToken?: string; force?: boolean } = {},
): Promise<Update> {
  const { update } = await clients.eks.send(
    new UpdateNodegroupVersionCommand({
      clusterName: world.cluster.name,
      nodegroupName: pool.nodegroupName,
      launchTemplate: { id: pool.launchTemplateId, version },
      ...extra,
    }),
  );
  if (!update?.id) throw new Error('UpdateNodegroupVersion returned no update id');
  return update;
}

describe('UpdateNodegroupVersion roll lifecycle', () => {
  it('goes InProgress then Successful and moves the node group to the new launch template version', async () => {
    await setRollSeconds(1.5);

    const started = await rollTo(newVersion);

    expect(started).toMatchObject({
      status: 'InProgress',
      type: 'VersionUpdate',
      params: [
        { type: 'LaunchTemplateName', value: pool.launchTemplateName },
        { type: 'LaunchTemplateVersion', value: newVersion },
      ],
      errors: [],
    });
    expect((await describeUpdate(started.id ?? '')).status).toBe('InProgress');
    const rolling = await describeNodegroup(clients, world.cluster.name, pool.nodegroupName);
    expect(rolling.status).toBe('UPDATING');
    expect(rolling.launchTemplate?.version).toBe('1');

    const finished = await eventually(
      () => describeUpdate(started.id ?? ''),
      (u) => u.status !== 'InProgress',
    );
    expect(finished.status).toBe('Successful');
    const rolled = await describeNodegroup(clients, world.cluster.name, pool.nodegroupName);
    expect(rolled.status).toBe('ACTIVE');
    expect(rolled.launchTemplate).toEqual({
      id: pool.launchTemplateId,
      name: pool.launchTemplateName,
      version: newVersion,
    });
    // A custom-AMI node group reports its AMI as the release version, as EKS does.
    expect(rolled.releaseVersion).toBe(world.amis['1.36']?.x86_64.imageId);
  });

  it('fails an armed roll with PodEvictionFailure and leaves the node group ACTIVE on the old version', async () => {
    await setRollSeconds(0.3);
    await failNextRoll(world.cluster.name, pool.nodegroupName, 'PodEvictionFailure', 'PDB blocks eviction');

    const started = await rollTo(newVersion);
    const finished = await eventually(
      () => describeUpdate(started.id ?? ''),
      (u) => u.status !== 'InProgress',
    );

    expect(finished.status).toBe('Failed');
    expect(finished.errors).toEqual([
      {
        errorCode: 'PodEvictionFailure',
        errorMessage: 'PDB blocks eviction',
        resourceIds: [pool.nodegroupName],
      },
    ]);
    const after = await describeNodegroup(clients, world.cluster.name, pool.nodegroupName);
    expect(after.status).toBe('ACTIVE');
    expect(after.launchTemplate?.version).toBe('1');
    // The failure was consumed by that roll: the next one succeeds.
    expect((await sandboxConfig()).armedFailures).toEqual([]);
    const retry = await rollTo(newVersion);
    await eventually(
      () => describeUpdate(retry.id ?? ''),
      (u) => u.status === 'Successful',
    );
  });

  it('reports node-creation failures in the update errors and in the node group health', async () => {
    await setRollSeconds(0);
    await failNextRoll(world.cluster.name, pool.nodegroupName, 'AsgInstanceLaunchFailures');

    const started = await rollTo(newVersion);
    const finished = await describeUpdate(started.id ?? '');

    expect(finished.status).toBe('Failed');
    expect(finished.errors?.[0]?.errorCode).toBe('AsgInstanceLaunchFailures');
    const after = await describeNodegroup(clients, world.cluster.name, pool.nodegroupName);
    expect(after.health?.issues?.map((i) => i.code)).toEqual(['AsgInstanceLaunchFailures']);
    expect(after.launchTemplate?.version).toBe('1');
  });

  it('lets force push through an armed PodEvictionFailure, as EKS documents for force', async () => {
    await setRollSeconds(0);
    await failNextRoll(world.cluster.name, pool.nodegroupName, 'PodEvictionFailure');

    const started = await rollTo(newVersion, { force: true });

    expect((await describeUpdate(started.id ?? '')).status).toBe('Successful');
  });

  it('refuses a second update while one is in progress with ResourceInUseException (409)', async () => {
    await setRollSeconds(30);
    await rollTo(newVersion);

    const second = clients.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: world.cluster.name,
        nodegroupName: pool.nodegroupName,
        launchTemplate: { id: pool.launchTemplateId, version: '1' },
      }),
    );
    await expect(second).rejects.toBeInstanceOf(ResourceInUseException);
    await expect(second).rejects.toMatchObject({ $metadata: { httpStatusCode: 409 } });
    await expect(
      clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: world.cluster.name,
          nodegroupName: pool.nodegroupName,
          scalingConfig: { desiredSize: 3 },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceInUseException);
  });

  it('rejects a different launch template and an unknown version with InvalidParameterException', async () => {
    const other = await createLaunchTemplateNodegroup(clients, world, 'pool-b');
    const wrongTemplate = clients.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: world.cluster.name,
        nodegroupName: pool.nodegroupName,
        launchTemplate: { id: other.launchTemplateId, version: '1' },
      }),
    );
    await expect(wrongTemplate).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(rollTo('99')).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('clientRequestToken', () => {
  it('returns the same update for a retried UpdateNodegroupVersion instead of ResourceInUse', async () => {
    await setRollSeconds(30);
    const first = await rollTo(newVersion, { clientRequestToken: 'roll-pool-a-v2' });
    const retry = await rollTo(newVersion, { clientRequestToken: 'roll-pool-a-v2' });

    expect(retry.id).toBe(first.id);
    const { updateIds } = await clients.eks.send(
      new ListUpdatesCommand({ name: world.cluster.name, nodegroupName: pool.nodegroupName }),
    );
    expect(updateIds).toEqual([first.id]);
  });

  it('returns the existing node group for a retried CreateNodegroup with the same token', async () => {
    const create = () =>
      clients.eks.send(
        new CreateNodegroupCommand({
          clusterName: world.cluster.name,
          nodegroupName: 'pool-token',
          nodeRole: world.nodeRoleArn,
          subnets: world.privateSubnetIds,
          amiType: 'CUSTOM',
          launchTemplate: { id: pool.launchTemplateId },
          clientRequestToken: 'create-pool-token',
        }),
      );
    const first = await create();
    const retry = await create();

    expect(retry.nodegroup?.nodegroupArn).toBe(first.nodegroup?.nodegroupArn);
    const otherToken = clients.eks.send(
      new CreateNodegroupCommand({
        clusterName: world.cluster.name,
        nodegroupName: 'pool-token',
        nodeRole: world.nodeRoleArn,
        subnets: world.privateSubnetIds,
        launchTemplate: { id: pool.launchTemplateId },
        clientRequestToken: 'another-token',
      }),
    );
    await expect(otherToken).rejects.toBeInstanceOf(ResourceInUseException);
  });

  it('returns the same update for a retried UpdateNodegroupConfig', async () => {
    await configureSandbox({ configUpdateSeconds: 30 });
    const update = () =>
      clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: world.cluster.name,
          nodegroupName: pool.nodegroupName,
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

describe('node group defaults and config updates', () => {
  it("defaults the node group's Kubernetes version to the cluster's and resolves the launch template", async () => {
    const created = await describeNodegroup(clients, world.cluster.name, pool.nodegroupName);

    expect(created.version).toBe(world.cluster.version);
    expect(created.launchTemplate).toEqual({
      id: pool.launchTemplateId,
      name: pool.launchTemplateName,
      version: '1',
    });
    expect(created.releaseVersion).toBe(world.amis[world.cluster.version]?.x86_64.imageId);
    expect(created.instanceTypes).toBeUndefined();
    expect(created.remoteAccess).toBeUndefined();
  });

  it('stores UpdateNodegroupConfig updates with EKS param types and applies them', async () => {
    const { update } = await clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: world.cluster.name,
        nodegroupName: pool.nodegroupName,
        labels: { addOrUpdateLabels: { 'enclave-pools/pool': 'a' } },
        taints: { addOrUpdateTaints: [{ key: 'enclave', value: 'true', effect: 'NO_SCHEDULE' }] },
        scalingConfig: { minSize: 2, maxSize: 5, desiredSize: 4 },
        updateConfig: { maxUnavailable: 2 },
      }),
    );

    expect(update).toMatchObject({ status: 'InProgress', type: 'ConfigUpdate' });
    expect(update?.params).toEqual([
      { type: 'LabelsToAdd', value: '{"enclave-pools/pool":"a"}' },
      { type: 'TaintsToAdd', value: '[{"effect":"NO_SCHEDULE","key":"enclave","value":"true"}]' },
      { type: 'MinSize', value: '2' },
      { type: 'MaxSize', value: '5' },
      { type: 'DesiredSize', value: '4' },
      { type: 'MaxUnavailable', value: '2' },
    ]);
    const stored = await describeUpdate(update?.id ?? '');
    expect(stored).toMatchObject({ id: update?.id, type: 'ConfigUpdate', status: 'Successful' });
    const after = await describeNodegroup(clients, world.cluster.name, pool.nodegroupName);
    expect(after.scalingConfig).toEqual({ minSize: 2, maxSize: 5, desiredSize: 4 });
    expect(after.labels).toEqual({ 'enclave-pools/pool': 'a' });
    expect(after.updateConfig).toEqual({ maxUnavailable: 2 });
  });

  it('rejects a scaling config whose desired size lies outside min and max', async () => {
    const bad = clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: world.cluster.name,
        nodegroupName: pool.nodegroupName,
        scalingConfig: { desiredSize: 9 },
      }),
    );
    await expect(bad).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('ListUpdates and DescribeUpdate', () => {
  it('lists every update of a node group in creation order, with pagination', async () => {
    await setRollSeconds(0);
    const roll = await rollTo(newVersion);
    const { update: config } = await clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: world.cluster.name,
        nodegroupName: pool.nodegroupName,
        scalingConfig: { desiredSize: 3 },
      }),
    );

    const all = await clients.eks.send(
      new ListUpdatesCommand({ name: world.cluster.name, nodegroupName: pool.nodegroupName }),
    );
    expect(all.updateIds).toEqual([roll.id, config?.id]);
    const firstPage = await clients.eks.send(
      new ListUpdatesCommand({ name: world.cluster.name, nodegroupName: pool.nodegroupName, maxResults: 1 }),
    );
    expect(firstPage.updateIds).toEqual([roll.id]);
    const secondPage = await clients.eks.send(
      new ListUpdatesCommand({
        name: world.cluster.name,
        nodegroupName: pool.nodegroupName,
        maxResults: 1,
        nextToken: firstPage.nextToken,
      }),
    );
    expect(secondPage).toMatchObject({ updateIds: [config?.id] });
    expect(secondPage.nextToken).toBeUndefined();
  });

  it('answers ResourceNotFoundException for an unknown update id or without the node group name', async () => {
    await setRollSeconds(0);
    const roll = await rollTo(newVersion);

    await expect(describeUpdate('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      clients.eks.send(new DescribeUpdateCommand({ name: world.cluster.name, updateId: roll.id })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('DeleteNodegroup', () => {
  it('goes through DELETING for the configured time, then the node group is gone', async () => {
    await configureSandbox({ nodegroupDeleteSeconds: 0.5 });

    const { nodegroup } = await clients.eks.send(
      new DeleteNodegroupCommand({ clusterName: world.cluster.name, nodegroupName: pool.nodegroupName }),
    );

    expect(nodegroup?.status).toBe('DELETING');
    expect((await describeNodegroup(clients, world.cluster.name, pool.nodegroupName)).status).toBe(
      'DELETING',
    );
    await eventually(
      () =>
        describeNodegroup(clients, world.cluster.name, pool.nodegroupName).then(
          () => 'present',
          (error: unknown) => (error instanceof ResourceNotFoundException ? 'gone' : String(error)),
        ),
      (state) => state === 'gone',
    );
  });
});
