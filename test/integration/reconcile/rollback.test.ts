import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeUpdateCommand, ListUpdatesCommand } from '@aws-sdk/client-eks';
import { ROLLBACK_ANNOTATION } from '../../../lib/manifests/pool-annotations';
import { runCliCaptured } from '../../support/run-cli';
import { failNextRoll, launchWithoutEnclaves } from '../../support/sandbox';
import { annotated, conditionOf, specWith, useReconcileHarness, withMemoryMib } from './reconcile-harness';

/** Rollback policy on-failure (decision 0120), on the sandbox: the state of the world after each step. */

const withRollback = annotated([`${ROLLBACK_ANNOTATION}: on-failure`]);

/** Two nodes, replaced one at a time: a failed roll leaves one of them on the failed version. */
const twoNodes: Array<[string, string]> = [['  replicas: 1\n', '  replicas: 2\n']];

/** The pool's instances in the given states, as EC2 reports them. */
async function poolInstances(states: string[]): Promise<Instance[]> {
  const out = await h.clients.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:eks:nodegroup-name', Values: ['my-node-pool'] },
        { Name: 'instance-state-name', Values: states },
      ],
    }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

/** The launch template version of each running instance of the pool (the tag EC2 puts on it). */
async function instanceVersions(): Promise<string[]> {
  return (await poolInstances(['pending', 'running']))
    .map((i) => i.Tags?.find((t) => t.Key === 'aws:ec2launchtemplate:version')?.Value ?? '?')
    .sort();
}

/** Ids of the pool's instances, in any state, that EC2 reports without Nitro Enclaves. */
async function instancesWithoutEnclaves(): Promise<Array<{ id: string; state?: string }>> {
  return (await poolInstances(['pending', 'running', 'shutting-down', 'terminated']))
    .filter((i) => i.EnclaveOptions?.Enabled !== true)
    .map((i) => ({ id: i.InstanceId ?? '', state: i.State?.Name }));
}

const h = useReconcileHarness({ sandbox: { rollSeconds: 1 } });

/** The node group's EKS version updates, oldest first, as EKS reports them. */
async function versionUpdates(): Promise<Array<{ status?: string; version?: string; errors: string[] }>> {
  const cluster = h.world.cluster.name;
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await h.clients.eks.send(
      new ListUpdatesCommand({ name: cluster, nodegroupName: 'my-node-pool', nextToken }),
    );
    ids.push(...(page.updateIds ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const updates = await Promise.all(
    ids.map(async (updateId) => {
      const out = await h.clients.eks.send(
        new DescribeUpdateCommand({ name: cluster, nodegroupName: 'my-node-pool', updateId }),
      );
      return out.update;
    }),
  );
  return updates
    .filter((u) => u?.type === 'VersionUpdate')
    .sort((a, b) => (a?.createdAt?.getTime() ?? 0) - (b?.createdAt?.getTime() ?? 0))
    .map((u) => ({
      status: u?.status,
      version: u?.params?.find((p) => p.type === 'LaunchTemplateVersion')?.value,
      errors: (u?.errors ?? []).map((e) => e.errorCode ?? ''),
    }));
}

async function createdWithRollback(): Promise<void> {
  await h.s3Specs.put('my-node-pool', specWith([...withRollback, ...twoNodes]));
  expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
  expect((await h.statusRow())?.launchTemplate?.lastKnownGoodVersion).toBe(1);
  h.counter.reset();
}

/**
 * Writes the changed spec (version 2), passes until the pool stops and three more (what resyncs
 * would do), then checks the pool ended RolledBack after exactly the EKS updates given, with the
 * node group and both nodes back on version 1.
 */
async function expectOneRollbackToVersion1(
  updates: Awaited<ReturnType<typeof versionUpdates>>,
): Promise<void> {
  await h.s3Specs.put('my-node-pool', specWith([...withRollback, ...twoNodes, ...withMemoryMib(1024)]));
  const outcomes = await h.settle();
  const again = [await h.run(), await h.run(), await h.run()];
  expect(outcomes.at(-1)).toMatchObject({ kind: 'terminal', reason: 'RolledBack' });
  expect(again.map((o) => o.kind)).toEqual(['terminal', 'terminal', 'terminal']);
  expect(h.counter.count('UpdateNodegroupVersion')).toBe(2);
  expect(await versionUpdates()).toEqual(updates);
  expect((await h.nodegroup())?.launchTemplate?.version).toBe('1');
  expect(await instanceVersions()).toEqual(['1', '1']);
}

/** Writes the same spec again (a new generation): one more roll, which now works. */
async function expectOneRetryAfterRewrite(): Promise<void> {
  h.counter.reset();
  await h.s3Specs.put(
    'my-node-pool',
    `${specWith([...withRollback, ...twoNodes, ...withMemoryMib(1024)])}\n`,
  );
  expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
  expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
  expect((await h.nodegroup())?.launchTemplate?.version).toBe('2');
  expect(await instanceVersions()).toEqual(['2', '2']);
  const after = await h.statusRow();
  expect(conditionOf(after, 'Ready')).toBe('True/Ready');
  expect(after?.rollback).toBeUndefined();
  expect(after?.failedRoll).toBeUndefined();
  expect(after?.launchTemplate).toMatchObject({ pinnedVersion: 2, lastKnownGoodVersion: 2 });
}

describe('reconcile: rollback on-failure', () => {
  it('rolls a failed roll back to the last-good version once, says RolledBack, and waits for a spec write', async () => {
    // Prepare: a created pool (version 1 good), then a spec change whose roll fails.
    await createdWithRollback();
    await failNextRoll('my-cluster', 'my-node-pool', 'NodeCreationFailure', 'Instances failed to join');

    // Act + Assess: EKS saw the roll to 2 fail and one roll back to 1 succeed; nothing more.
    await expectOneRollbackToVersion1([
      { status: 'Failed', version: '2', errors: ['NodeCreationFailure'] },
      { status: 'Successful', version: '1', errors: [] },
    ]);
    const row = await h.statusRow();
    expect(conditionOf(row, 'Ready')).toBe('False/RolledBack');
    const described = await runCliCaptured(['describe', 'pool', 'my-node-pool'], { env: { NO_COLOR: '1' } });
    expect(described.stdout).toMatch(/Rollback: +version 2 → 1 \(update [^)]+\) Successful/);
    if (process.env.SHOW_CLI_OUTPUT) process.stderr.write(described.stdout);
    const ready = row?.conditions.find((c) => c.type === 'Ready');
    expect(ready?.message).toContain('the roll to version 2 failed');
    expect(ready?.message).toContain('NodeCreationFailure: Instances failed to join');
    expect(ready?.message).toContain('Rolled back to last-known-good version 1');
    expect(row?.failedRoll).toMatchObject({ errorCode: 'NodeCreationFailure', launchTemplateVersion: 2 });
    expect(row?.rollback).toMatchObject({ fromVersion: 2, toVersion: 1, status: 'Successful' });
    expect(row?.launchTemplate).toMatchObject({
      pinnedVersion: 1,
      targetVersion: 2,
      lastKnownGoodVersion: 1,
    });
    expect(row?.history.map((e) => e.event).slice(-4)).toEqual([
      'RollStarted',
      'RollFailed',
      'RollbackStarted',
      'RolledBack',
    ]);

    // Act + Assess: the spec written again (a new generation) tries the roll once more, and it now works.
    await expectOneRetryAfterRewrite();
  });

  it('stops with RollbackFailed when the roll back fails too, and never loops', async () => {
    // Prepare
    await createdWithRollback();
    await failNextRoll('my-cluster', 'my-node-pool', 'PodEvictionFailure', 'blocked by a budget');
    await h.s3Specs.put('my-node-pool', specWith([...withRollback, ...twoNodes, ...withMemoryMib(1024)]));
    // The first pass starts the roll (consuming that failure); arm the next one for the rollback.
    expect(await h.run()).toMatchObject({ kind: 'requeue', reason: 'UpdateInProgress' });
    await failNextRoll('my-cluster', 'my-node-pool', 'AsgInstanceLaunchFailures', 'no capacity');

    // Act
    const outcomes = await h.settle();
    const again = [await h.run(), await h.run()];

    // Assess
    expect(outcomes.at(-1)).toMatchObject({ kind: 'terminal', reason: 'RollbackFailed' });
    expect(again.map((o) => o.kind)).toEqual(['terminal', 'terminal']);
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(2);
    expect(await versionUpdates()).toEqual([
      { status: 'Failed', version: '2', errors: ['PodEvictionFailure'] },
      { status: 'Failed', version: '1', errors: ['AsgInstanceLaunchFailures'] },
    ]);
    const row = await h.statusRow();
    expect(conditionOf(row, 'Ready')).toBe('False/RollbackFailed');
    expect(row?.conditions.find((c) => c.type === 'Ready')?.message).toContain(
      'AsgInstanceLaunchFailures: no capacity',
    );
    expect(row?.rollback).toMatchObject({ status: 'Failed', errorCode: 'AsgInstanceLaunchFailures' });
    expect(row?.history.map((e) => e.event).slice(-2)).toEqual(['RollbackStarted', 'RollbackFailed']);
  });

  it('leaves a pool without the annotation as before: the failed roll is reported, not rolled back', async () => {
    await h.s3Specs.put('my-node-pool', specWith(twoNodes));
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    await failNextRoll('my-cluster', 'my-node-pool', 'NodeCreationFailure');
    await h.s3Specs.put('my-node-pool', specWith([...twoNodes, ...withMemoryMib(1024)]));
    h.counter.reset();

    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'terminal', reason: 'NodegroupUpdateFailed' });
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    expect((await h.statusRow())?.rollback).toBeUndefined();
    // What the rollback repairs: the failed roll left one node on the failed version.
    expect(await instanceVersions()).toEqual(['1', '2']);
  });
  it('rolls back a roll EKS called Successful whose nodes came up without enclaves, once, and waits for a spec write', async () => {
    // Prepare: a created pool (version 1 good); the next node launched, the roll's first, has no enclaves.
    await createdWithRollback();
    await launchWithoutEnclaves(1);

    // Act + Assess: EKS ran the roll to 2 and the roll back to 1, both Successful; nothing more.
    await expectOneRollbackToVersion1([
      { status: 'Successful', version: '2', errors: [] },
      { status: 'Successful', version: '1', errors: [] },
    ]);
    const running = await poolInstances(['running']);
    expect(running.map((i) => i.EnclaveOptions?.Enabled)).toEqual([true, true]);
    // The node without enclaves was replaced by the roll back.
    const bare = await instancesWithoutEnclaves();
    expect(bare).toEqual([{ id: expect.stringMatching(/^i-/), state: 'terminated' }]);
    const row = await h.statusRow();
    expect(conditionOf(row, 'Ready')).toBe('False/RolledBack');
    expect(conditionOf(row, 'EnclavesVerified')).toBe('True/EnclavesVerified');
    const ready = row?.conditions.find((c) => c.type === 'Ready')?.message;
    expect(ready).toContain('the roll to version 2 failed');
    expect(ready).toContain('VerificationFailed): InstancesWithoutEnclaves');
    expect(ready).toContain(bare[0]?.id);
    expect(ready).toContain('Rolled back to last-known-good version 1');
    expect(row?.failedRoll).toMatchObject({ status: 'VerificationFailed', launchTemplateVersion: 2 });
    expect(row?.rollback).toMatchObject({ fromVersion: 2, toVersion: 1, status: 'Successful' });
    expect(row?.verification).toMatchObject({
      launchTemplateVersion: 1,
      result: 'Verified',
      instancesChecked: 2,
    });
    expect(row?.launchTemplate).toMatchObject({
      pinnedVersion: 1,
      targetVersion: 2,
      lastKnownGoodVersion: 1,
    });
    expect(row?.history.map((e) => e.event).slice(-5)).toEqual([
      'RollStarted',
      'RollSucceeded',
      'RollVerificationFailed',
      'RollbackStarted',
      'RolledBack',
    ]);

    // Act + Assess: the spec written again tries the roll once more; its nodes now have enclaves.
    await expectOneRetryAfterRewrite();
  });

  it('stops with RollbackFailed when the nodes of the roll back fail their check too', async () => {
    // Prepare: both nodes of the roll and the first of the roll back come up without enclaves.
    await createdWithRollback();
    await launchWithoutEnclaves(3);
    await h.s3Specs.put('my-node-pool', specWith([...withRollback, ...twoNodes, ...withMemoryMib(1024)]));

    // Act
    const outcomes = await h.settle();
    const again = [await h.run(), await h.run()];

    // Assess
    expect(outcomes.at(-1)).toMatchObject({ kind: 'terminal', reason: 'RollbackFailed' });
    expect(again.map((o) => o.kind)).toEqual(['terminal', 'terminal']);
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(2);
    expect(await instanceVersions()).toEqual(['1', '1']);
    const bareNow = (await poolInstances(['running'])).filter((i) => i.EnclaveOptions?.Enabled !== true);
    expect(bareNow).toHaveLength(1);
    const row = await h.statusRow();
    expect(conditionOf(row, 'Ready')).toBe('False/RollbackFailed');
    expect(row?.rollback).toMatchObject({
      status: 'VerificationFailed',
      errorCode: 'InstancesWithoutEnclaves',
    });
    const message = row?.conditions.find((c) => c.type === 'EKSNodegroupReady')?.message;
    expect(message).toContain(`ended VerificationFailed: InstancesWithoutEnclaves`);
    expect(message).toContain(bareNow[0]?.InstanceId);
    expect(row?.history.map((e) => e.event).slice(-3)).toEqual([
      'RollbackStarted',
      'RolledBack',
      'RollbackVerificationFailed',
    ]);
  });
});
