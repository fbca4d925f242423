import { resolveResourceNames } from '../../lib/config';
import { quietLogs } from '../support/quiet-logs';
import { configureSandbox, eventually, failNextRoll } from '../support/sandbox';
import type { FaultRule } from './support/fault-proxy';
import { type FaultWorld, startFaultWorld } from './support/fault-world';

/**
 * A failing roll whose status write was lost (issue 12.1, fault experiment 3b): the pass that
 * started the roll cannot record it, the roll then fails, and the next pass must find that
 * update and report the failure, not roll again and not call the pool Ready on its old version.
 * Once with the sandbox honouring the roll's token and once with the token stripped by the proxy
 * (EKS documents no replay window): the status row's bookkeeping and ListUpdates guard it, not
 * the token.
 */
quietLogs();
jest.setTimeout(300_000);

const STATUS_TABLE = resolveResourceNames().statusTable;
let faults: FaultWorld;

beforeAll(async () => {
  faults = await startFaultWorld();
});
afterAll(async () => faults?.close());

/** Loses every status write from the first roll request on, until `lost` is cleared. */
function loseStatusWritesAfterTheRoll(stripToken: boolean): { lost: boolean } {
  const state = { lost: false };
  const rule: FaultRule = (call) => {
    if (call.operation === 'UpdateNodegroupVersion') {
      state.lost = true;
      return stripToken ? { kind: 'strip-token' } : { kind: 'forward' };
    }
    if (state.lost && call.table === STATUS_TABLE && call.operation === 'PutItem')
      return { kind: 'throttle' };
    return { kind: 'forward' };
  };
  faults.proxy.setRule(rule);
  return state;
}

// Where an update moves the node group's modifiedAt is not documented (decision 0084): the pass
// that sends the roll skips the lookup only when modifiedAt shows no change since the spec was
// written, which must hold whether EKS moves it when the update starts or when it ends.
describe.each([
  { stripToken: false, modifiedAt: 'end' as const },
  { stripToken: true, modifiedAt: 'end' as const },
  { stripToken: true, modifiedAt: 'start' as const },
])(
  'a failing roll whose status write was lost (token stripped: $stripToken, modifiedAt moves at: $modifiedAt)',
  ({ stripToken, modifiedAt }) => {
    afterEach(() => configureSandbox({ nodegroupModifiedAtMoves: 'end' }));

    it('is rolled once, and the failure is recorded: 0 extra versions, 0 extra rolls, Ready=False', async () => {
      const poolId = `lost-write${stripToken ? '-no-token' : ''}${modifiedAt === 'end' ? '' : `-${modifiedAt}`}`;
      await configureSandbox({ nodegroupModifiedAtMoves: modifiedAt });
      await faults.putSpec(poolId);
      await faults.converge([poolId]);
      faults.proxy.log.length = 0;
      await failNextRoll(
        'my-cluster',
        poolId,
        'PodEvictionFailure',
        'a PodDisruptionBudget blocks the drain',
      );
      await faults.putSpec(poolId, 1024);

      // The pass creates version 2, starts the roll, and loses its status write.
      const writes = loseStatusWritesAfterTheRoll(stripToken);
      const first = await faults.invoke([poolId]);
      expect(first.result.batchItemFailures).toHaveLength(1);
      expect(writes.lost).toBe(true);
      faults.proxy.setRule(() => ({ kind: 'forward' }));
      const unrecorded = await faults.state(poolId);
      expect(unrecorded.row?.update).toBeUndefined();
      // The roll fails on its own; the node group stays on version 1.
      await eventually(
        () => faults.state(poolId),
        (s) => s.nodegroupStatus === 'ACTIVE',
        { timeoutMs: 60_000 },
      );

      await faults.invoke([poolId]);

      const after = await faults.state(poolId);
      expect(faults.proxy.log.filter((c) => c.operation === 'UpdateNodegroupVersion')).toHaveLength(1);
      expect({ versions: after.versions, nodegroup: after.nodegroupVersion, ready: after.ready }).toEqual({
        versions: 2,
        nodegroup: '1',
        ready: 'False/NodegroupUpdateFailed',
      });
      expect(after.row?.failedRoll).toMatchObject({
        errorCode: 'PodEvictionFailure',
        launchTemplateVersion: 2,
      });
      expect(after.row?.update).toMatchObject({ status: 'Failed', id: after.row?.failedRoll?.updateId });
      expect(after.row?.history.map((e) => e.event)).toContain('RollFailed');
      // A resync later still does not roll again: the spec has not been written since.
      await faults.invoke([poolId]);
      expect(faults.proxy.log.filter((c) => c.operation === 'UpdateNodegroupVersion')).toHaveLength(1);
    });
  },
);

it('keeps the update record when DescribeUpdate answers 404, and converges on the rolled version', async () => {
  const poolId = 'describe-404';
  await faults.putSpec(poolId);
  await faults.converge([poolId]);
  await faults.putSpec(poolId, 1024);
  await faults.invoke([poolId]);
  const started = await faults.state(poolId);
  expect(started.row?.update).toMatchObject({ status: 'InProgress', launchTemplateVersion: 2 });
  faults.proxy.log.length = 0;
  faults.proxy.setRule((call) =>
    call.operation === 'DescribeUpdate'
      ? { kind: 'status', status: 404, code: 'ResourceNotFoundException', message: 'No update found' }
      : { kind: 'forward' },
  );

  await eventually(
    () => faults.state(poolId),
    (s) => s.nodegroupStatus === 'ACTIVE',
    { timeoutMs: 60_000 },
  );
  await faults.invoke([poolId]);
  faults.proxy.setRule(() => ({ kind: 'forward' }));

  const after = await faults.state(poolId);
  expect(faults.proxy.log.some((c) => c.operation === 'DescribeUpdate' && c.action === 'status')).toBe(true);
  expect({ versions: after.versions, nodegroup: after.nodegroupVersion, ready: after.ready }).toEqual({
    versions: 2,
    nodegroup: '2',
    ready: 'True/Ready',
  });
  expect(after.row?.update).toMatchObject({ id: started.row?.update?.id, status: 'NotFound' });
  expect(after.row?.history.map((e) => e.event)).toEqual(
    expect.arrayContaining(['RollStarted', 'UpdateNotFound']),
  );
  expect(faults.proxy.log.filter((c) => c.operation === 'UpdateNodegroupVersion')).toHaveLength(0);
});
