import { FORCE_UPDATE_ANNOTATION } from '../../../lib/manifests/managed-machine-pool-reader';
import { failNextRoll } from '../../support/sandbox';
import {
  annotated,
  conditionOf,
  reportCalls,
  SEED_SPEC,
  specWith,
  useReconcileHarness,
  withMemoryMib,
  withoutEnclaves,
} from './reconcile-harness';

const h = useReconcileHarness({ sandbox: { rollSeconds: 1 } });

async function created(spec = SEED_SPEC): Promise<void> {
  await h.s3Specs.put('my-node-pool', spec);
  expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
  h.counter.reset();
}

describe('reconcile: rolling a pool', () => {
  it('turns a memory_mib change into one new version, one roll, NodegroupUpdating, then Ready on it', async () => {
    // Prepare
    await created();
    await h.s3Specs.put('my-node-pool', specWith(withMemoryMib(1024)));
    h.counter.reset();

    // Act: the pass that sees the change.
    const first = await h.run();

    // Assess: one version, one roll, and the pool reported as updating.
    reportCalls('changed-spec reconcile', h.counter);
    expect(first).toMatchObject({ kind: 'requeue', reason: 'UpdateInProgress' });
    // 1024 MiB is one 1 GiB page instead of 384 of 2 MiB: the autoscaler tags follow (decision 0101).
    expect(h.counter.writes()).toEqual([
      'CreateLaunchTemplateVersion',
      'CreateOrUpdateTags',
      'DeleteTags',
      'UpdateNodegroupVersion',
      'PutItem',
    ]);
    const versions = await h.launchTemplateVersions();
    expect(versions.map((v) => v.VersionNumber)).toEqual([1, 2]);
    expect(Buffer.from(versions[1]?.LaunchTemplateData?.UserData ?? '', 'base64').toString()).toContain(
      'memory_mib: 1024',
    );
    const rolling = await h.statusRow();
    expect(conditionOf(rolling, 'NodegroupUpdating')).toBe('True/UpdateInProgress');
    expect(conditionOf(rolling, 'Ready')).toBe('False/UpdateInProgress');
    expect(rolling?.update).toMatchObject({
      type: 'VersionUpdate',
      status: 'InProgress',
      launchTemplateVersion: 2,
    });
    expect(rolling?.launchTemplate).toMatchObject({
      pinnedVersion: 1,
      targetVersion: 2,
      lastKnownGoodVersion: 1,
    });

    // Act: later passes, after the sandbox finished the roll.
    const rest = await h.settle();

    // Assess
    expect(rest.at(-1)).toMatchObject({ kind: 'done' });
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    expect(h.counter.count('CreateLaunchTemplateVersion')).toBe(1);
    expect((await h.nodegroup())?.launchTemplate?.version).toBe('2');
    const done = await h.statusRow();
    expect(conditionOf(done, 'Ready')).toBe('True/Ready');
    expect(done?.launchTemplate).toMatchObject({ pinnedVersion: 2, lastKnownGoodVersion: 2 });
    expect(done?.update).toMatchObject({ status: 'Successful' });
    expect(done?.history.map((e) => e.event).slice(-4)).toEqual([
      'LaunchTemplateVersionCreated',
      'AutoscalerTagsUpdated',
      'RollStarted',
      'RollSucceeded',
    ]);
  });

  it('turns enclaves on for a pool created without them with exactly one new version and one roll', async () => {
    // Prepare
    await created(specWith(withoutEnclaves));
    expect((await h.launchTemplateVersions())[0]?.LaunchTemplateData?.EnclaveOptions?.Enabled).toBe(false);

    // Act
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    const outcomes = await h.settle();

    // Assess
    expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });
    const versions = await h.launchTemplateVersions();
    expect(versions.map((v) => v.VersionNumber)).toEqual([1, 2]);
    expect(versions[1]?.LaunchTemplateData?.EnclaveOptions).toEqual({ Enabled: true });
    expect(h.counter.count('CreateLaunchTemplateVersion')).toBe(1);
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    const nodegroup = await h.nodegroup();
    expect(nodegroup?.launchTemplate?.version).toBe('2');
    expect(nodegroup?.labels).toEqual({
      'aws-nitro-enclaves-k8s-dp': 'enabled',
      'enclave-pools.aws/pool': 'my-node-pool',
    });
    expect(conditionOf(await h.statusRow(), 'Ready')).toBe('True/Ready');
  });

  it('treats enabled: false like no enclaveOptions at all: no version, no roll', async () => {
    await created(specWith(withoutEnclaves));
    const explicitOff = specWith([
      ...withoutEnclaves,
      [
        '      eksLookupType: AmazonLinux2023\n',
        '      eksLookupType: AmazonLinux2023\n    enclaveOptions:\n      enabled: false\n',
      ],
    ]);
    await h.s3Specs.put('my-node-pool', explicitOff);
    h.counter.reset();

    const outcome = await h.run();

    expect(outcome).toMatchObject({ kind: 'done' });
    expect(h.counter.resourceWrites()).toEqual([]);
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1]);
  });

  it('reports an injected PodEvictionFailure with its code and hint, and does not retry the roll', async () => {
    // Prepare
    await created();
    await failNextRoll(
      'my-cluster',
      'my-node-pool',
      'PodEvictionFailure',
      'Reached max retries while trying to evict pods',
    );
    await h.s3Specs.put('my-node-pool', specWith(withMemoryMib(1024)));

    // Act
    const outcomes = await h.settle();
    const again = [await h.run(), await h.run(), await h.run()];

    // Assess
    expect(outcomes.at(-1)).toMatchObject({ kind: 'terminal', reason: 'NodegroupUpdateFailed' });
    expect(again.map((o) => o.kind)).toEqual(['terminal', 'terminal', 'terminal']);
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    const row = await h.statusRow();
    const failed = row?.conditions.find((c) => c.type === 'EKSNodegroupReady');
    expect(failed).toMatchObject({ status: 'False', reason: 'NodegroupUpdateFailed', severity: 'Error' });
    expect(failed?.message).toContain('PodEvictionFailure');
    expect(failed?.message).toContain('PodDisruptionBudget');
    expect(row?.failedRoll).toMatchObject({ errorCode: 'PodEvictionFailure', launchTemplateVersion: 2 });
    expect(row?.launchTemplate).toMatchObject({ pinnedVersion: 1, lastKnownGoodVersion: 1 });
    expect((await h.nodegroup())?.launchTemplate?.version).toBe('1');

    // Writing the spec again, asking for force, retries the same version once; force gets it past
    // the blocked drain (the sandbox fails this one too unless force is set).
    await failNextRoll('my-cluster', 'my-node-pool', 'PodEvictionFailure', 'still blocked');
    await h.s3Specs.put(
      'my-node-pool',
      specWith([...withMemoryMib(1024), ...annotated([`${FORCE_UPDATE_ANNOTATION}: "true"`])]),
    );
    h.counter.reset();
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    expect(h.counter.count('CreateLaunchTemplateVersion')).toBe(0);
    const retried = await h.statusRow();
    expect(retried?.failedRoll).toBeUndefined();
    expect(retried?.launchTemplate).toMatchObject({ pinnedVersion: 2, lastKnownGoodVersion: 2 });
  });

  it('does not cut a second version when a pass dies between creating the version and the roll', async () => {
    // Prepare: the first roll attempt fails after the version was created (e.g. a Lambda timeout).
    await created();
    await h.s3Specs.put('my-node-pool', specWith(withMemoryMib(1024)));
    let failRoll = true;
    h.reconcileClients.eks.middlewareStack.add(
      (next, context) => async (args) => {
        if (failRoll && context.commandName === 'UpdateNodegroupVersionCommand') {
          failRoll = false;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failFirstRoll' },
    );

    // Act
    const first = await h.run();
    const rest = await h.settle();

    // Assess
    expect(first).toMatchObject({ kind: 'transient' });
    expect(rest.at(-1)).toMatchObject({ kind: 'done' });
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1, 2]);
    expect((await h.nodegroup())?.launchTemplate?.version).toBe('2');
    expect(conditionOf(await h.statusRow(), 'Ready')).toBe('True/Ready');
  });
});
