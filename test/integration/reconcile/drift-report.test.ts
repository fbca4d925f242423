import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { UpdateNodegroupConfigCommand, UpdateNodegroupVersionCommand } from '@aws-sdk/client-eks';
import { DRIFT_ANNOTATION } from '../../../lib/manifests/pool-annotations';
import { reconcile } from '../../../lib/reconcile';
import { launchWithoutEnclaves } from '../../support/sandbox';
import { annotated, conditionOf, POOL_ID, specWith, useReconcileHarness } from './reconcile-harness';

/** Drift policy report (decision 0122) on the sandbox: drift is listed and nothing is written. */

const REPORT_SPEC = specWith(annotated([`${DRIFT_ANNOTATION}: report`]));

const h = useReconcileHarness({ sandbox: { rollSeconds: 1, configUpdateSeconds: 0 } });

async function settledNodegroup() {
  for (let attempt = 0; attempt < 40; attempt++) {
    const ng = await h.nodegroup();
    if (ng?.status === 'ACTIVE') return ng;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('node group did not settle');
}

describe('reconcile: drift policy report', () => {
  it('lists a changed label, scaling and pinned version in Drifted and makes zero EC2/EKS writes', async () => {
    // Prepare: a converged pool, then changes made out of band with administrator credentials.
    await h.s3Specs.put('my-node-pool', REPORT_SPEC);
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    expect(conditionOf(await h.statusRow(), 'Drifted')).toBe('False/NoDrift');
    const cluster = h.world.cluster.name;
    const before = await settledNodegroup();
    const templateId = before.launchTemplate?.id ?? '';
    await h.clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: cluster,
        nodegroupName: 'my-node-pool',
        labels: { removeLabels: ['aws-nitro-enclaves-k8s-dp'] },
        scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
      }),
    );
    await settledNodegroup();
    const rogue = await h.clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        SourceVersion: '1',
        LaunchTemplateData: { InstanceType: 'm5.2xlarge' },
      }),
    );
    await h.clients.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: cluster,
        nodegroupName: 'my-node-pool',
        launchTemplate: { id: templateId, version: String(rogue.LaunchTemplateVersion?.VersionNumber) },
      }),
    );
    const drifted = await settledNodegroup();
    expect(drifted.launchTemplate?.version).toBe('2');
    h.counter.reset();

    // Act: the passes a resync would run.
    const outcomes = [await h.run(), await h.run()];

    // Assess: no write to the pool's resources, the drift listed field by field.
    expect(outcomes.map((o) => o.kind)).toEqual(['done', 'done']);
    expect(h.counter.resourceWrites()).toEqual([]);
    const after = await settledNodegroup();
    expect(after.launchTemplate?.version).toBe('2');
    expect(after.labels?.['aws-nitro-enclaves-k8s-dp']).toBeUndefined();
    expect(after.scalingConfig).toMatchObject({ maxSize: 3, desiredSize: 2 });
    const row = await h.statusRow();
    expect(conditionOf(row, 'Drifted')).toBe('True/DriftReported');
    expect(conditionOf(row, 'Ready')).toBe('False/DriftReported');
    const message = row?.conditions.find((c) => c.type === 'Drifted')?.message ?? '';
    expect(message).toContain('launchTemplate.pinnedVersion: observed 2, desired 1');
    expect(message).toContain('labels.aws-nitro-enclaves-k8s-dp: observed none, desired "enabled"');
    expect(message).toContain('scaling.maxSize: observed 3, desired 1');
    expect(message).toContain('scaling.desiredSize: observed 2, desired 1');

    // Act: the spec written again applies it (the user's way to revert once).
    await h.s3Specs.put('my-node-pool', `${REPORT_SPEC}\n`);
    h.counter.reset();
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });

    // Assess
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    expect(h.counter.count('UpdateNodegroupConfig')).toBe(1);
    const reverted = await settledNodegroup();
    expect(reverted.launchTemplate?.version).toBe('1');
    expect(reverted.labels?.['aws-nitro-enclaves-k8s-dp']).toBe('enabled');
    expect(conditionOf(await h.statusRow(), 'Drifted')).toBe('False/NoDrift');
  });

  it('lists the instances without enclaves by id, read on the drift check only, and writes nothing', async () => {
    // Prepare: a two-node pool whose first instance the sandbox launches without enclaves.
    await launchWithoutEnclaves(1);
    await h.s3Specs.put(
      POOL_ID,
      specWith([...annotated([`${DRIFT_ANNOTATION}: report`]), ['replicas: 1', 'replicas: 2']]),
    );
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    const bare = (await h.instances()).filter((i) => i.EnclaveOptions?.Enabled !== true);
    expect(bare).toHaveLength(1);
    const id = bare[0]?.InstanceId ?? '';

    // Act: an ordinary pass, then the hourly drift check.
    h.counter.reset();
    await h.run();
    const ordinaryReads = h.counter.count('DescribeInstances');
    const ordinary = await h.statusRow();
    h.counter.reset();
    const outcome = await reconcile(POOL_ID, h.deps, { driftCheck: true });

    // Assess: only the drift check lists the instances; both list the bare one in Drifted by id
    // with observed and desired values; nothing of the pool is written.
    expect(ordinaryReads).toBe(0);
    expect(h.counter.count('DescribeInstances')).toBeGreaterThan(0);
    expect(outcome.kind).toBe('done');
    expect(h.counter.resourceWrites()).toEqual([]);
    const field = `instances.${id}.EnclaveOptions.Enabled: observed false, desired true`;
    for (const row of [ordinary, await h.statusRow()]) {
      expect(conditionOf(row, 'Drifted')).toBe('True/DriftReported');
      const message = row?.conditions.find((c) => c.type === 'Drifted')?.message ?? '';
      expect(message).toContain(field);
      expect(message.match(/instances\./g)).toHaveLength(1);
    }
    expect((await h.statusRow())?.verification).toMatchObject({ withoutEnclaves: [id], instancesChecked: 2 });
  });
});
