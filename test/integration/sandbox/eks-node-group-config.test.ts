import {
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeUpdateCommand,
  InvalidParameterException,
  ListUpdatesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { configureSandbox, eventually, setRollSeconds } from '../../support/sandbox';
import { describeNodegroup, useRollScenario } from './nodegroup-fixture';

const s = useRollScenario();

describe('node group defaults and config updates', () => {
  it("defaults the node group's Kubernetes version to the cluster's and resolves the launch template", async () => {
    const created = await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName);

    expect(created.version).toBe(s.world.cluster.version);
    expect(created.launchTemplate).toEqual({
      id: s.pool.launchTemplateId,
      name: s.pool.launchTemplateName,
      version: '1',
    });
    expect(created.releaseVersion).toBe(s.world.amis[s.world.cluster.version]?.x86_64.imageId);
    expect(created.instanceTypes).toBeUndefined();
    expect(created.remoteAccess).toBeUndefined();
  });

  it('stores UpdateNodegroupConfig updates with EKS param types and applies them', async () => {
    const { update } = await s.clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: s.pool.nodegroupName,
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
    const stored = await s.describeUpdate(update?.id ?? '');
    expect(stored).toMatchObject({ id: update?.id, type: 'ConfigUpdate', status: 'Successful' });
    const after = await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName);
    expect(after.scalingConfig).toEqual({ minSize: 2, maxSize: 5, desiredSize: 4 });
    expect(after.labels).toEqual({ 'enclave-pools/pool': 'a' });
    expect(after.updateConfig).toEqual({ maxUnavailable: 2 });
  });

  it('rejects a scaling config whose desired size lies outside min and max', async () => {
    const bad = s.clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: s.pool.nodegroupName,
        scalingConfig: { desiredSize: 9 },
      }),
    );
    await expect(bad).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('ListUpdates and DescribeUpdate', () => {
  it('lists every update across pages of at most two, the newest neither first nor last', async () => {
    await setRollSeconds(0);
    const roll = await s.rollTo(s.newVersion);
    const configUpdate = async (desiredSize: number) => {
      const { update } = await s.clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: s.world.cluster.name,
          nodegroupName: s.pool.nodegroupName,
          scalingConfig: { desiredSize },
        }),
      );
      return update?.id;
    };
    const second = await configUpdate(3);
    const newest = await configUpdate(2);
    const page = (maxResults?: number, nextToken?: string) =>
      s.clients.eks.send(
        new ListUpdatesCommand({
          name: s.world.cluster.name,
          nodegroupName: s.pool.nodegroupName,
          ...(maxResults ? { maxResults } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      );

    // Without maxResults AWS would allow up to 100 per page; the sandbox gives at most two.
    const first = await page();
    expect(first.updateIds).toEqual([second, newest]);
    const rest = await page(undefined, first.nextToken);
    expect(rest).toMatchObject({ updateIds: [roll.id] });
    expect(rest.nextToken).toBeUndefined();
    const single = await page(1);
    expect(single.updateIds).toEqual([second]);
    expect((await page(1, single.nextToken)).updateIds).toEqual([newest]);
  });

  it('answers ResourceNotFoundException for an unknown update id or without the node group name', async () => {
    await setRollSeconds(0);
    const roll = await s.rollTo(s.newVersion);

    await expect(s.describeUpdate('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      s.clients.eks.send(new DescribeUpdateCommand({ name: s.world.cluster.name, updateId: roll.id })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('CreateNodegroup and DeleteNodegroup phases', () => {
  it('stays CREATING for the configured time and refuses updates until ACTIVE', async () => {
    await configureSandbox({ nodegroupCreateSeconds: 0.5 });

    const { nodegroup } = await s.clients.eks.send(
      new CreateNodegroupCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: 'pool-new',
        nodeRole: s.world.nodeRoleArn,
        subnets: s.world.privateSubnetIds,
        launchTemplate: { id: s.pool.launchTemplateId },
      }),
    );

    expect(nodegroup?.status).toBe('CREATING');
    await expect(
      s.clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: s.world.cluster.name,
          nodegroupName: 'pool-new',
          scalingConfig: { desiredSize: 1 },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    await eventually(
      () => describeNodegroup(s.clients, s.world.cluster.name, 'pool-new'),
      (n) => n.status === 'ACTIVE',
    );
  });

  it('goes through DELETING for the configured time, then the node group is gone', async () => {
    await configureSandbox({ nodegroupDeleteSeconds: 0.5 });

    const { nodegroup } = await s.clients.eks.send(
      new DeleteNodegroupCommand({ clusterName: s.world.cluster.name, nodegroupName: s.pool.nodegroupName }),
    );

    expect(nodegroup?.status).toBe('DELETING');
    expect((await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName)).status).toBe(
      'DELETING',
    );
    await eventually(
      () =>
        describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName).then(
          () => 'present',
          (error: unknown) => (error instanceof ResourceNotFoundException ? 'gone' : String(error)),
        ),
      (state) => state === 'gone',
    );
  });
});

describe('node groups without a custom AMI', () => {
  it('rolls a node group without a launch template to a newer release of its Kubernetes version', async () => {
    await setRollSeconds(0);
    await s.clients.eks.send(
      new CreateNodegroupCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: 'managed-ami',
        nodeRole: s.world.nodeRoleArn,
        subnets: s.world.privateSubnetIds,
        amiType: 'AL2023_x86_64_STANDARD',
      }),
    );

    const { update } = await s.clients.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: s.world.cluster.name, nodegroupName: 'managed-ami' }),
    );

    expect(update?.params?.map((p) => p.type)).toEqual(['Version', 'ReleaseVersion']);
    expect((await s.describeUpdate(update?.id ?? '', 'managed-ami')).status).toBe('Successful');
    const after = await describeNodegroup(s.clients, s.world.cluster.name, 'managed-ami');
    expect(after.version).toBe(s.world.cluster.version);
    expect(after.instanceTypes).toEqual(['t3.medium']);
  });

  it("refuses node groups EKS rejects: an unknown launch template, a version other than the cluster's", async () => {
    const base = {
      clusterName: s.world.cluster.name,
      nodeRole: s.world.nodeRoleArn,
      subnets: s.world.privateSubnetIds,
    };
    await expect(
      s.clients.eks.send(
        new CreateNodegroupCommand({
          ...base,
          nodegroupName: 'ghost',
          launchTemplate: { id: 'lt-0000000000000000' },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      s.clients.eks.send(new CreateNodegroupCommand({ ...base, nodegroupName: 'older', version: '1.34' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
