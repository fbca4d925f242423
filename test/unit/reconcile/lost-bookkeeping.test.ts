import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConcurrentUpdateError, TransientAwsError } from '../../../lib/errors';
import { reconcile } from '../../../lib/reconcile';
import type { UpdateRecord } from '../../../lib/status/status-row';
import { quietLogs } from '../../support/quiet-logs';
import { AMI_PARAMETER, FakeWorld, storedSpec } from './fake-ports';

/**
 * Bookkeeping that must survive a lost status write, a crash, a lost race and a 404 (issue 12.1,
 * fault experiments 3b and 9). In memory, with EKS replaying tokens or not; the same scenarios
 * run on the sandbox in test/faults/.
 */
const SPEC = readFileSync(join(__dirname, '../../../examples/enclave-pool.yaml'), 'utf8');
quietLogs();

let world: FakeWorld;
let clock: Date;
const tokens = new Map<string, string>();

/** EKS as the planner meets it: a roll starts InProgress; `replay` answers a reused token with its update. */
function eks(replay: boolean) {
  tokens.clear();
  world.onUpdateVersion = (input) => {
    const known = tokens.get(input.clientRequestToken);
    const replayed = known ? world.updates.find((u) => u.id === known) : undefined;
    if (replay && replayed) return { started: replayed };
    const update: UpdateRecord = {
      id: `u-${world.updates.length + 1}`,
      type: 'VersionUpdate',
      status: 'InProgress',
      createdAt: clock.toISOString(),
      launchTemplateVersion: input.launchTemplateVersion,
      errors: [],
    };
    world.updates.push(update);
    tokens.set(input.clientRequestToken, update.id);
    if (world.nodegroup) world.nodegroup = { ...world.nodegroup, status: 'UPDATING' };
    return { started: update };
  };
}

/** The roll in flight ends Failed; the node group stays on its old version. */
function failTheRoll(): void {
  world.updates = world.updates.map((u) =>
    u.status === 'InProgress'
      ? { ...u, status: 'Failed', errors: [{ code: 'PodEvictionFailure', message: 'PDB blocks the drain' }] }
      : u,
  );
  if (world.nodegroup) world.nodegroup = { ...world.nodegroup, status: 'ACTIVE' };
}

const tick = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};
const deps = () => ({ ...world.deps(), clock: () => clock });
const run = () => reconcile('my-node-pool', deps());
const condition = (type: string) => {
  const c = world.row?.conditions.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}` : undefined;
};
const rolls = () => world.calls.filter((c) => c === 'updateNodegroupVersion').length;

beforeEach(async () => {
  clock = new Date('2026-01-01T00:00:00Z');
  world = new FakeWorld();
  world.imageIds[AMI_PARAMETER] = 'ami-1';
  world.spec = storedSpec(SPEC, { writtenAt: clock.toISOString() });
  // Created, then its instances checked on the next pass.
  expect(await run()).toMatchObject({ kind: 'requeue', reason: 'VerificationPending' });
  expect(await run()).toMatchObject({ kind: 'done' });
  tick(60);
  world.spec = {
    ...world.spec,
    text: SPEC.replace('memory_mib: 768', 'memory_mib: 1024'),
    generation: 2,
    writtenAt: clock.toISOString(),
  };
  tick(5);
  world.calls.length = 0;
});

describe.each([{ eksReplaysTokens: true }, { eksReplaysTokens: false }])(
  'a failing roll whose status write was lost (EKS replays tokens: $eksReplaysTokens)',
  ({ eksReplaysTokens }) => {
    it('is rolled once and reported failed, never Ready on the old version', async () => {
      eks(eksReplaysTokens);
      world.failures.set('putStatus', new TransientAwsError('ThrottlingException: status write lost'));
      expect(await run()).toMatchObject({ kind: 'transient' });
      expect(rolls()).toBe(1);
      tick(30);
      failTheRoll();

      const next = await run();

      // ListUpdates finds the lost roll before a second request is sent, replay or not.
      expect(rolls()).toBe(1);
      expect(world.updates).toHaveLength(1);
      expect(next).toMatchObject({ kind: 'terminal', reason: 'NodegroupUpdateFailed' });
      expect(condition('Ready')).toBe('False/NodegroupUpdateFailed');
      expect(world.row?.failedRoll).toMatchObject({
        updateId: 'u-1',
        errorCode: 'PodEvictionFailure',
        generation: 2,
      });
      expect(world.row?.update).toMatchObject({ id: 'u-1', status: 'Failed' });
      expect(world.row?.history.map((e) => e.event)).toContain('RollFailed');
      // And it stays that way: no second roll until the spec is written again.
      world.calls.length = 0;
      tick(30);
      await run();
      expect(rolls()).toBe(0);
    });
  },
);

it('a roll started before the spec was written again is not taken as the new write’s', async () => {
  eks(false);
  world.failures.set('putStatus', new TransientAwsError('ThrottlingException: status write lost'));
  await run();
  tick(30);
  failTheRoll();
  // The user writes the spec again (same data) to retry: that roll is not this write's failure.
  world.spec = { ...world.spec!, generation: 3, writtenAt: clock.toISOString() };
  tick(5);

  await run();

  expect(world.updates.map((u) => u.id)).toEqual(['u-1', 'u-2']);
  expect(world.row?.update).toMatchObject({ id: 'u-2', status: 'InProgress' });
});

it('a pass that loses the status-row race keeps its history and its update on the fresher row', async () => {
  eks(true);
  // Another writer changes the row between this pass's read and its write.
  world.failures.set('putStatus', new ConcurrentUpdateError('the row moved'));
  const before = world.row!;
  const fresher = { ...before, revision: before.revision + 1, conditions: before.conditions };
  const realGet = world.deps().statusTable.get;
  let reads = 0;
  const table = {
    get: async (poolId: string) => (++reads === 1 ? realGet(poolId) : fresher),
    put: world.deps().statusTable.put,
  };

  const outcome = await reconcile('my-node-pool', { ...deps(), statusTable: table });

  expect(outcome).toMatchObject({ kind: 'requeue', reason: 'status row changed concurrently' });
  expect(world.row?.revision).toBe(fresher.revision + 1);
  expect(world.row?.update).toMatchObject({ id: 'u-1', status: 'InProgress' });
  // The allocator change also retags the Auto Scaling group for the Cluster Autoscaler.
  expect(world.row?.history.map((e) => e.event).slice(-3)).toEqual([
    'LaunchTemplateVersionCreated',
    'AutoscalerTagsUpdated',
    'RollStarted',
  ]);
});

it('keeps the update when DescribeUpdate answers 404, and records that its outcome is unknown', async () => {
  eks(true);
  await run();
  expect(world.row?.update).toMatchObject({ id: 'u-1', status: 'InProgress' });
  tick(30);
  // Still UPDATING: the update is taken as running.
  world.updates = [];
  await run();
  expect(world.row?.update).toMatchObject({ id: 'u-1', status: 'InProgress' });
  // The roll ended (successfully: the node group is on version 2), but EKS no longer knows the update.
  world.nodegroup = {
    ...world.nodegroup!,
    status: 'ACTIVE',
    launchTemplate: { ...world.nodegroup!.launchTemplate, version: 2 },
  };
  tick(30);

  expect(await run()).toMatchObject({ kind: 'done' });

  expect(world.row?.update).toMatchObject({ id: 'u-1', status: 'NotFound' });
  expect(world.row?.history.map((e) => e.event)).toContain('UpdateNotFound');
  expect(condition('Ready')).toBe('True/Ready');
});

describe('a new spec settles from its own write time', () => {
  const settleDeps = () => ({ ...deps(), settleSeconds: 5 });
  it.each([
    { writtenSecondsAgo: 0, outcome: { kind: 'requeue', afterSeconds: 5, reason: 'SpecSettling' } },
    { writtenSecondsAgo: 2, outcome: { kind: 'requeue', afterSeconds: 4, reason: 'SpecSettling' } },
    { writtenSecondsAgo: 5.5, outcome: { kind: 'requeue', afterSeconds: 1, reason: 'SpecSettling' } },
  ])(
    'written $writtenSecondsAgo s ago (S3, to the second): $outcome.afterSeconds s more, nothing read but the spec',
    async ({ writtenSecondsAgo, outcome }) => {
      world.spec = {
        ...world.spec!,
        writtenAt: new Date(clock.getTime() - writtenSecondsAgo * 1000).toISOString(),
      };
      const before = world.row;

      expect(await reconcile('my-node-pool', settleDeps())).toEqual({
        ...outcome,
        settlingWrittenAt: world.spec?.writtenAt,
        settlingLocation: world.spec?.location,
      });

      expect(world.calls).toEqual(['getStatus', 'loadSpec']);
      expect(world.row).toBe(before);
    },
  );

  it('acts once the spec has been quiet for the whole period, and never waits for a spec already seen', async () => {
    world.spec = { ...world.spec!, writtenAt: new Date(clock.getTime() - 6000).toISOString() };
    await reconcile('my-node-pool', settleDeps());
    expect(world.calls).toContain('createLaunchTemplateVersion');
    expect(world.row?.specWrittenAt).toBe(world.spec?.writtenAt);
    // The same spec again, just after: seen, so no waiting (a roll's re-checks are not delayed).
    world.calls.length = 0;
    tick(1);
    expect(await reconcile('my-node-pool', settleDeps())).not.toMatchObject({ reason: 'SpecSettling' });
    expect(world.calls).not.toEqual(['getStatus', 'loadSpec']);
  });
});

/**
 * Rollback policy on-failure: the pass that starts the roll back loses its status write, so the
 * next pass finds the rollback through ListUpdates, in flight (observe) or already ended (the
 * executor's replay). Either way it must stay a rollback: its success must not read as a good roll
 * of the failed spec (which would clear failedRoll and roll the failed version again).
 */
describe.each([{ rollbackEndsFirst: false }, { rollbackEndsFirst: true }])(
  'a roll back whose status write was lost (it ended before the next pass: $rollbackEndsFirst)',
  ({ rollbackEndsFirst }) => {
    const withRollback = (text: string) =>
      text.replace(
        'kind: AWSManagedMachinePool\nmetadata:\n  name: my-node-pool\n',
        'kind: AWSManagedMachinePool\nmetadata:\n  name: my-node-pool\n  annotations:\n    enclave-pools.aws/rollback: on-failure\n',
      );
    /** The update in flight ends Successful and the node group moves to its version. */
    const succeed = () => {
      const running = world.updates.find((u) => u.status === 'InProgress');
      world.updates = world.updates.map((u) => (u === running ? { ...u, status: 'Successful' } : u));
      if (world.nodegroup && running?.launchTemplateVersion !== undefined) {
        world.nodegroup = {
          ...world.nodegroup,
          status: 'ACTIVE',
          launchTemplate: { ...world.nodegroup.launchTemplate, version: running.launchTemplateVersion },
        };
      }
    };

    it('stays a rollback: RolledBack, the failed roll kept, never a second roll of the failed spec', async () => {
      // Prepare: the spec (with the policy) written again; its roll starts, is recorded, then fails.
      eks(false);
      world.spec = { ...world.spec!, text: withRollback(world.spec!.text), writtenAt: clock.toISOString() };
      tick(5);
      expect(await run()).toMatchObject({ kind: 'requeue', reason: 'UpdateInProgress' });
      tick(30);
      failTheRoll();
      // The pass that starts the roll back loses its status write.
      world.failures.set('putStatus', new TransientAwsError('ThrottlingException: status write lost'));
      expect(await run()).toMatchObject({ kind: 'transient' });
      expect(rolls()).toBe(2);
      expect(world.updates.at(-1)).toMatchObject({ launchTemplateVersion: 1, status: 'InProgress' });
      tick(30);
      if (rollbackEndsFirst) succeed();

      // Act: passes until the pool stops, then two more.
      const outcomes = [await run()];
      tick(30);
      if (!rollbackEndsFirst) succeed();
      outcomes.push(await run(), await run(), await run());

      // Assess
      expect(rolls()).toBe(2);
      expect(world.updates.map((u) => [u.launchTemplateVersion, u.status])).toEqual([
        [2, 'Failed'],
        [1, 'Successful'],
      ]);
      expect(outcomes.at(-1)).toMatchObject({ kind: 'terminal', reason: 'RolledBack' });
      expect(condition('Ready')).toBe('False/RolledBack');
      expect(world.row?.update).toMatchObject({ launchTemplateVersion: 1, purpose: 'rollback' });
      expect(world.row?.failedRoll).toMatchObject({ updateId: 'u-1', errorCode: 'PodEvictionFailure' });
      expect(world.row?.rollback).toMatchObject({ fromVersion: 2, toVersion: 1, status: 'Successful' });
      expect(world.row?.launchTemplate?.lastKnownGoodVersion).toBe(1);
      const events = world.row?.history.map((e) => e.event) ?? [];
      expect(events).toContain('RollFailed');
      expect(events).toContain('RolledBack');
      expect(events).not.toContain('RollSucceeded');
    });
  },
);

describe.each([{ outcome: 'Successful' }, { outcome: 'Failed' }])(
  'a roll whose pass died before its status write, found after it ended $outcome (decision 0094)',
  ({ outcome }) => {
    it('records the version, the start and the outcome once, and sends no second roll', async () => {
      // As the sandbox and EKS report it: the node group's modifiedAt, recorded by the last pass.
      const created = '2026-01-01T00:00:00.000Z';
      world.nodegroup = { ...world.nodegroup!, modifiedAt: created };
      world.row = { ...world.row!, nodegroup: { ...world.row!.nodegroup!, modifiedAt: created } };
      eks(false);
      world.failures.set('putStatus', new TransientAwsError('the process died before its status write'));
      await run();
      expect(rolls()).toBe(1);
      tick(30);
      // The roll ends; EKS moves the node group's modifiedAt (and its version, on success).
      if (outcome === 'Failed') failTheRoll();
      else {
        world.updates = world.updates.map((u) => ({ ...u, status: 'Successful' }));
        const ng = world.nodegroup!;
        world.nodegroup = { ...ng, status: 'ACTIVE', launchTemplate: { ...ng.launchTemplate, version: 2 } };
      }
      world.nodegroup = { ...world.nodegroup!, modifiedAt: clock.toISOString() };
      world.calls.length = 0;

      await run();

      expect(rolls()).toBe(0);
      expect(world.calls).toContain('listUnrecordedUpdates');
      // The row listed no version 2: the template is read from EC2, not from the row.
      expect(world.calls).toContain('describeLaunchTemplate');
      const lines = world.row?.history.map((e) => `${e.event}${e.launchTemplateVersion ?? ''}`) ?? [];
      const expected = [
        'LaunchTemplateVersionCreated2',
        'RollStarted2',
        `Roll${outcome === 'Failed' ? 'Failed' : 'Succeeded'}2`,
      ];
      expect(expected.map((line) => lines.filter((l) => l === line).length)).toEqual([1, 1, 1]);
      if (outcome === 'Failed') {
        expect(condition('Ready')).toBe('False/NodegroupUpdateFailed');
        expect(world.row?.failedRoll).toMatchObject({ updateId: 'u-1', launchTemplateVersion: 2 });
      } else {
        expect(world.row?.launchTemplate?.pinnedVersion).toBe(2);
      }
      // The row now knows all of it: the next pass looks nothing up and records nothing again.
      world.calls.length = 0;
      tick(30);
      await run();
      expect(world.calls).not.toContain('listUnrecordedUpdates');
      expect(world.row?.history.filter((e) => e.event === 'RollStarted')).toHaveLength(1);
    });
  },
);
