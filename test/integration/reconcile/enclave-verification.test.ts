import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { failNextRoll, launchWithoutEnclaves } from '../../support/sandbox';
import { conditionOf, POOL_ID, specWith, useReconcileHarness, withMemoryMib } from './reconcile-harness';

/**
 * EnclavesVerified on the sandbox, whose node groups run real (moto) instances: each check reads
 * the instances EC2 reports for the node group's Auto Scaling group.
 */

const h = useReconcileHarness({ sandbox: { rollSeconds: 1 } });

async function runningInstances(): Promise<Instance[]> {
  const { Reservations } = await h.clients.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:eks:nodegroup-name', Values: [POOL_ID] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    }),
  );
  return (Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

const versionOf = (instance: Instance) =>
  instance.Tags?.find((t) => t.Key === 'aws:ec2launchtemplate:version')?.Value;

const threeNodes = specWith([['replicas: 1', 'replicas: 3']]);

describe('reconcile: EnclavesVerified', () => {
  it('verifies a new pool on the pass after its creation, then never lists its instances on a no-op pass', async () => {
    await h.s3Specs.put(POOL_ID, threeNodes);
    const outcomes = await h.settle();

    expect(outcomes.map((o) => o.kind)).toEqual(['requeue', 'done']);
    const row = await h.statusRow();
    const ids = (await runningInstances()).map((i) => i.InstanceId).sort();
    expect(ids).toHaveLength(3);
    expect(conditionOf(row, 'EnclavesVerified')).toBe('True/EnclavesVerified');
    expect(conditionOf(row, 'Ready')).toBe('True/Ready');
    expect(row?.verification).toMatchObject({
      launchTemplateVersion: 1,
      result: 'Verified',
      instancesChecked: 3,
      withoutEnclaves: [],
      onOtherVersion: [],
    });

    h.counter.reset();
    expect(await h.run()).toMatchObject({ kind: 'done' });
    expect(h.counter.count('DescribeInstances')).toBe(0);
    expect(h.counter.count('DescribeAutoScalingGroups')).toBe(0);
    expect(h.counter.calls.filter((c) => c.startsWith('autoScaling:'))).toEqual([]);
  });

  it('after a roll replaces the instances, checks them again and reports EnclavesVerified=True on the new version', async () => {
    await h.s3Specs.put(POOL_ID, threeNodes);
    await h.settle();
    const before = (await runningInstances()).map((i) => i.InstanceId);

    await h.s3Specs.put(POOL_ID, specWith([['replicas: 1', 'replicas: 3'], ...withMemoryMib(1024)]));
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });

    const after = await runningInstances();
    expect(after.map(versionOf)).toEqual(['2', '2', '2']);
    expect(after.map((i) => i.EnclaveOptions?.Enabled)).toEqual([true, true, true]);
    expect(after.some((i) => before.includes(i.InstanceId))).toBe(false);
    const row = await h.statusRow();
    expect(conditionOf(row, 'EnclavesVerified')).toBe('True/EnclavesVerified');
    expect(row?.verification).toMatchObject({
      launchTemplateVersion: 2,
      afterUpdateId: row?.update?.id,
      instancesChecked: 3,
    });
    expect(conditionOf(row, 'Ready')).toBe('True/Ready');
  });

  it('reports an instance that came up without enclaves by id, with Ready=False', async () => {
    await launchWithoutEnclaves(1);
    await h.s3Specs.put(POOL_ID, threeNodes);
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });

    const bare = (await runningInstances()).filter((i) => i.EnclaveOptions?.Enabled !== true);
    expect(bare).toHaveLength(1);
    const id = bare[0]?.InstanceId ?? '';
    const row = await h.statusRow();
    const verified = row?.conditions.find((c) => c.type === 'EnclavesVerified');
    expect(verified).toMatchObject({
      status: 'False',
      reason: 'InstancesWithoutEnclaves',
      severity: 'Error',
    });
    expect(verified?.message).toContain(id);
    expect(row?.verification).toMatchObject({ result: 'InstancesWithoutEnclaves', withoutEnclaves: [id] });
    expect(conditionOf(row, 'Ready')).toBe('False/InstancesWithoutEnclaves');

    // Recorded: the next pass does not list the instances again.
    h.counter.reset();
    await h.run();
    expect(h.counter.count('DescribeInstances')).toBe(0);
  });

  it('names the instances a failed roll left on the old version', async () => {
    await h.s3Specs.put(POOL_ID, specWith([['replicas: 1', 'replicas: 2']]));
    await h.settle();
    await failNextRoll('my-cluster', POOL_ID, 'NodeCreationFailure', 'instances failed to join');
    await h.s3Specs.put(POOL_ID, specWith([['replicas: 1', 'replicas: 2'], ...withMemoryMib(1024)]));

    await h.settle();

    // The sandbox's failed roll replaced one of the two nodes; the node group stays on version 1.
    const running = await runningInstances();
    const onNew = running.filter((i) => versionOf(i) === '2').map((i) => i.InstanceId ?? '');
    expect(onNew).toHaveLength(1);
    const row = await h.statusRow();
    const verified = row?.conditions.find((c) => c.type === 'EnclavesVerified');
    expect(verified).toMatchObject({ status: 'False', reason: 'InstancesOnOldVersion' });
    expect(verified?.message).toContain(onNew[0]);
    expect(row?.verification).toMatchObject({ launchTemplateVersion: 1, onOtherVersion: onNew });
  });
});
