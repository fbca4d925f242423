import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { resolveResourceNames } from '../../../lib/config';
import { runCliCaptured } from '../../support/run-cli';
import { configureSandbox } from '../../support/sandbox';
import { conditionOf, POOL_ID, SEED_SPEC, useReconcileHarness } from './reconcile-harness';

const h = useReconcileHarness();
beforeEach(async () => {
  await h.s3Specs.put(POOL_ID, SEED_SPEC);
  expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
});

describe('reconcile: a deleted spec', () => {
  it('deletes the node group, waits until it is gone, deletes the template and marks the row deleted', async () => {
    // Prepare
    await configureSandbox({ nodegroupDeleteSeconds: 1 });
    await h.s3Specs.delete(POOL_ID);

    // Act
    const first = await h.run();
    const deleting = await h.statusRow();
    const described = await runCliCaptured(['describe', 'pool', POOL_ID], {
      env: { NO_COLOR: '1' },
      clients: h.clients,
    });
    const listed = await runCliCaptured(['get', 'pools'], { env: { NO_COLOR: '1' }, clients: h.clients });
    const rest = await h.settle();

    // Assess
    expect(first).toMatchObject({ kind: 'requeue', reason: 'NodegroupDeleting' });
    expect(conditionOf(deleting, 'EKSNodegroupReady')).toBe('False/NodegroupDeleting');
    // Deleting, not Deleted, while the node group still exists: in the row and through both doors.
    expect(conditionOf(deleting, 'Ready')).toBe('False/Deleting');
    expect(described.stdout).toMatch(/^Ready: +False \(Deleting\)/m);
    expect(listed.stdout).toMatch(/^my-node-pool +my-cluster .* DELETING +False \(Deleting\) /m);
    expect(rest.at(-1)).toMatchObject({ kind: 'done' });
    expect(await h.nodegroup()).toBeUndefined();
    expect(await h.launchTemplateExists()).toBe(false);
    const row = await h.statusRow();
    expect(row).toMatchObject({ deleted: true });
    expect(row?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(conditionOf(row, 'Ready')).toBe('False/Deleted');
    expect(row?.history.map((e) => e.event).slice(-2)).toEqual([
      'NodegroupDeleteStarted',
      'LaunchTemplateDeleted',
    ]);

    // Nothing left to do, nothing written.
    h.counter.reset();
    expect(await h.run()).toMatchObject({ kind: 'done' });
    expect(h.counter.writes()).toEqual([]);
  });

  it('finds what to delete from the template tags when the status row is gone too', async () => {
    await h.s3Specs.delete(POOL_ID);
    await h.clients.documents.send(
      new DeleteCommand({ TableName: resolveResourceNames().statusTable, Key: { poolId: POOL_ID } }),
    );

    const outcomes = await h.settle();

    expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });
    expect(await h.nodegroup()).toBeUndefined();
    expect(await h.launchTemplateExists()).toBe(false);
    expect((await h.statusRow())?.deleted).toBe(true);
  });

  it('brings a pool back when its spec is written again', async () => {
    await h.s3Specs.delete(POOL_ID);
    await h.settle();
    await h.s3Specs.put(POOL_ID, SEED_SPEC);

    const outcomes = await h.settle();
    expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });

    expect((await h.nodegroup())?.status).toBe('ACTIVE');
    const row = await h.statusRow();
    expect(row?.deleted).toBe(false);
    expect(conditionOf(row, 'Ready')).toBe('True/Ready');
  });
});
