import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import {
  DeleteNodegroupCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { advanceRoll, failNextRoll, launchWithoutEnclaves, setRollSeconds } from '../../support/sandbox';
import { describeNodegroup, useRollScenario } from './nodegroup-fixture';

const s = useRollScenario();
const autoscaling = () => new AutoScalingClient({ maxAttempts: 1 });

async function instances(): Promise<Instance[]> {
  const { Reservations } = await s.clients.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:eks:nodegroup-name', Values: [s.pool.nodegroupName] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    }),
  );
  return (Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

const templateVersion = (instance: Instance) =>
  instance.Tags?.find((t) => t.Key === 'aws:ec2launchtemplate:version')?.Value;

async function versionsRunning(): Promise<string[]> {
  return (await instances()).map(templateVersion).map(String).sort();
}

async function autoScalingGroup() {
  const nodegroup = await describeNodegroup(s.clients, s.world.cluster.name, s.pool.nodegroupName);
  const name = nodegroup.resources?.autoScalingGroups?.[0]?.name;
  const { AutoScalingGroups } = await autoscaling().send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: name ? [name] : [] }),
  );
  return AutoScalingGroups?.[0];
}

const setDesired = (desiredSize: number) =>
  s.clients.eks.send(
    new UpdateNodegroupConfigCommand({
      clusterName: s.world.cluster.name,
      nodegroupName: s.pool.nodegroupName,
      scalingConfig: { maxSize: 5, desiredSize },
    }),
  );

describe('node group instances', () => {
  it('backs desiredSize with instances from the launch template version, in the Auto Scaling group EKS reports', async () => {
    const group = await autoScalingGroup();
    const running = await instances();

    expect(group?.DesiredCapacity).toBe(2);
    expect(group?.Instances?.map((i) => i.InstanceId).sort()).toEqual(
      running.map((i) => i.InstanceId).sort(),
    );
    expect(
      running.map((i) => [i.ImageId, i.InstanceType, i.EnclaveOptions?.Enabled, templateVersion(i)]),
    ).toEqual([
      [s.world.amis[s.world.cluster.version]?.x86_64.imageId, 'm5.xlarge', true, '1'],
      [s.world.amis[s.world.cluster.version]?.x86_64.imageId, 'm5.xlarge', true, '1'],
    ]);
    expect(running[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'eks:cluster-name', Value: s.world.cluster.name },
        { Key: 'aws:autoscaling:groupName', Value: group?.AutoScalingGroupName },
      ]),
    );
  });

  it('replaces instances batch by batch, never more than maxUnavailable at a time', async () => {
    await setDesired(3);
    await s.clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: s.pool.nodegroupName,
        updateConfig: { maxUnavailable: 1 },
      }),
    );
    await setRollSeconds(600);
    await s.rollTo(s.newVersion);
    const v = s.newVersion;

    expect(await versionsRunning()).toEqual(['1', '1', '1']);
    // EKS points the group at the new version when the update starts; members keep theirs.
    const rolling = await autoScalingGroup();
    expect(rolling?.LaunchTemplate?.Version).toBe(v);
    expect(rolling?.Instances?.map((i) => i.LaunchTemplate?.Version)).toEqual(['1', '1', '1']);
    expect(await advanceRoll(s.world.cluster.name, s.pool.nodegroupName)).toMatchObject({
      batchesDone: 1,
      batchesTotal: 3,
    });
    expect(await versionsRunning()).toEqual(['1', '1', v]);
    await advanceRoll(s.world.cluster.name, s.pool.nodegroupName);
    expect(await versionsRunning()).toEqual(['1', v, v]);
    await advanceRoll(s.world.cluster.name, s.pool.nodegroupName);
    expect(await versionsRunning()).toEqual([v, v, v]);
  });

  it('leaves some instances on the old version when the roll fails', async () => {
    await setRollSeconds(0);
    await failNextRoll(s.world.cluster.name, s.pool.nodegroupName, 'NodeCreationFailure');
    const roll = await s.rollTo(s.newVersion);

    expect((await s.describeUpdate(roll.id ?? '')).status).toBe('Failed');
    expect(await versionsRunning()).toEqual(['1', s.newVersion]);
    expect((await autoScalingGroup())?.LaunchTemplate?.Version).toBe('1');
  });

  it('adds and removes instances when desiredSize changes, and removes them all with the node group', async () => {
    await setDesired(4);
    expect(await instances()).toHaveLength(4);
    expect((await autoScalingGroup())?.DesiredCapacity).toBe(4);
    await setDesired(1);
    expect(await instances()).toHaveLength(1);

    const group = (await autoScalingGroup())?.AutoScalingGroupName ?? '';
    await s.clients.eks.send(
      new DeleteNodegroupCommand({ clusterName: s.world.cluster.name, nodegroupName: s.pool.nodegroupName }),
    );
    expect(await instances()).toHaveLength(0);
    const { AutoScalingGroups } = await autoscaling().send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
    );
    expect(AutoScalingGroups).toEqual([]);
  });

  it('launches the next instances without enclaves when the sandbox is told to', async () => {
    await launchWithoutEnclaves(1);
    await setDesired(3);
    const enclaves = (await instances()).map((i) => i.EnclaveOptions?.Enabled);
    expect(enclaves.sort()).toEqual([false, true, true]);
  });

  it('refuses a roll of a launch template version the node group does not use with its own launch template id', async () => {
    await expect(
      s.clients.eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName: s.world.cluster.name,
          nodegroupName: s.pool.nodegroupName,
          launchTemplate: { id: s.pool.launchTemplateId, version: '99' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(await versionsRunning()).toEqual(['1', '1']);
  });
});
