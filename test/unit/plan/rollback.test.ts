import { plan } from '../../../lib/plan/plan';
import type { Action, Observed, ObservedFleet, ObservedInstance, Plan } from '../../../lib/plan/plan-types';
import type {
  FailedRollRecord,
  RollbackRecord,
  UpdateRecord,
  VerificationRecord,
} from '../../../lib/status/status-row';
import {
  desired,
  HASH_V1,
  HASH_V2,
  LT_ID,
  launchTemplate,
  nodegroup,
  observed,
  SPEC_HASH,
  versionUpdate,
} from './plan-fixtures';

/** Rollback policy on-failure (decision 0120): each row is one pass's input and the plan it must give. */

const podEviction = { code: 'PodEvictionFailure', message: 'Reached max retries while trying to evict pods' };

const roll = (status: string, extra: Partial<UpdateRecord> = {}): UpdateRecord =>
  versionUpdate(status, { id: 'upd-roll', errors: status === 'Failed' ? [podEviction] : [], ...extra });

const rollbackUpdate = (status: string, extra: Partial<UpdateRecord> = {}): UpdateRecord =>
  roll(status, {
    id: 'upd-back',
    launchTemplateVersion: 1,
    dataHash: HASH_V1,
    purpose: 'rollback',
    errors: status === 'Failed' ? [{ code: 'AsgInstanceLaunchFailures', message: 'no capacity' }] : [],
    ...extra,
  });

const failedRoll: FailedRollRecord = {
  updateId: 'upd-roll',
  type: 'VersionUpdate',
  status: 'Failed',
  specHash: SPEC_HASH,
  generation: 2,
  errorCode: podEviction.code,
  errorMessage: podEviction.message,
  hint: 'fix the budget',
  launchTemplateVersion: 2,
  dataHash: HASH_V2,
};

const rollbackRecord = (status: string, extra: Partial<RollbackRecord> = {}): RollbackRecord => ({
  failedUpdateId: 'upd-roll',
  fromVersion: 2,
  toVersion: 1,
  status,
  ...extra,
});

const onFailure = (generation = 2) =>
  desired({
    dataHash: HASH_V2,
    generation,
    policies: { rollback: 'on-failure', roll: 'auto', drift: 'revert', autoscalerTags: true },
  });
const versions = launchTemplate([HASH_V1, HASH_V2]);

interface Row {
  name: string;
  policy?: 'off';
  generation?: number;
  observed: Observed;
  actions: Array<Partial<Action>>;
  ready?: string;
  terminal?: string;
  rollback?: Partial<RollbackRecord> | null;
  events?: string[];
}

const rows: Row[] = [
  {
    name: 'policy off: a failed roll is reported and waits for a spec write, as before',
    policy: 'off',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      update: roll('Failed'),
      previous: { update: roll('InProgress'), lastKnownGoodVersion: 1 },
    }),
    actions: [],
    ready: 'False/NodegroupUpdateFailed',
    terminal: 'NodegroupUpdateFailed',
  },
  {
    name: 'the roll just failed, node group reporting its old version: one roll back to the last-known-good version',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      update: roll('Failed'),
      previous: { update: roll('InProgress'), lastKnownGoodVersion: 1 },
    }),
    actions: [
      { kind: 'UpdateNodegroupVersion', launchTemplateVersion: 1, purpose: 'rollback', dataHash: HASH_V1 },
    ],
    ready: 'False/RollingBack',
    rollback: { failedUpdateId: 'upd-roll', fromVersion: 2, toVersion: 1, status: 'InProgress' },
    events: ['RollFailed'],
  },
  {
    name: 'the roll failed and EKS left the failed version pinned: the same one roll back',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 2 }),
      previous: { failedRoll, lastKnownGoodVersion: 1 },
    }),
    actions: [{ kind: 'UpdateNodegroupVersion', launchTemplateVersion: 1, purpose: 'rollback' }],
    ready: 'False/RollingBack',
  },
  {
    name: 'EKS answered busy to the roll back: it is started again (same token), still one rollback',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      previous: { failedRoll, lastKnownGoodVersion: 1, rollback: rollbackRecord('InProgress') },
    }),
    actions: [{ kind: 'UpdateNodegroupVersion', launchTemplateVersion: 1, purpose: 'rollback' }],
    ready: 'False/RollingBack',
  },
  {
    name: 'the roll back is in flight: wait for it',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1, status: 'UPDATING' }),
      update: rollbackUpdate('InProgress'),
      previous: {
        failedRoll,
        lastKnownGoodVersion: 1,
        rollback: rollbackRecord('InProgress'),
        update: rollbackUpdate('InProgress'),
      },
    }),
    actions: [],
    ready: 'True/NodegroupUpdating',
  },
  {
    name: 'the roll back succeeded: RolledBack, the failed roll stays recorded, nothing is retried',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      update: rollbackUpdate('Successful'),
      previous: {
        failedRoll,
        lastKnownGoodVersion: 1,
        rollback: rollbackRecord('InProgress'),
        update: rollbackUpdate('InProgress'),
      },
    }),
    actions: [],
    ready: 'False/RolledBack',
    terminal: 'RolledBack',
    rollback: { status: 'Successful', updateId: 'upd-back' },
    events: ['RolledBack'],
  },
  {
    name: 'a later pass of the same spec after the roll back: no second attempt',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      update: rollbackUpdate('Successful'),
      previous: {
        failedRoll,
        lastKnownGoodVersion: 1,
        rollback: rollbackRecord('Successful', { updateId: 'upd-back' }),
        update: rollbackUpdate('Successful'),
      },
    }),
    actions: [],
    ready: 'False/RolledBack',
    terminal: 'RolledBack',
    events: [],
  },
  {
    name: 'the roll back failed too: RollbackFailed, and it is not tried again',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      update: rollbackUpdate('Failed'),
      previous: {
        failedRoll,
        lastKnownGoodVersion: 1,
        rollback: rollbackRecord('InProgress'),
        update: rollbackUpdate('InProgress'),
      },
    }),
    actions: [],
    ready: 'False/RollbackFailed',
    terminal: 'RollbackFailed',
    rollback: { status: 'Failed', errorCode: 'AsgInstanceLaunchFailures', errorMessage: 'no capacity' },
    events: ['RollbackFailed'],
  },
  {
    name: 'a later pass after the failed roll back: still nothing',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      previous: {
        failedRoll,
        lastKnownGoodVersion: 1,
        rollback: rollbackRecord('Failed', { updateId: 'upd-back', errorCode: 'X', errorMessage: 'y' }),
      },
    }),
    actions: [],
    ready: 'False/RollbackFailed',
    terminal: 'RollbackFailed',
  },
  {
    name: 'no last-known-good version to go back to: reported, no roll',
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 2 }),
      previous: { failedRoll },
    }),
    actions: [],
    ready: 'False/NodegroupUpdateFailed',
    terminal: 'NodegroupUpdateFailed',
  },
  {
    name: 'the spec written again (new generation): the roll is tried once more and the rollback forgotten',
    generation: 3,
    observed: observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1 }),
      previous: {
        failedRoll,
        lastKnownGoodVersion: 1,
        rollback: rollbackRecord('Successful', { updateId: 'upd-back' }),
      },
    }),
    actions: [{ kind: 'UpdateNodegroupVersion', launchTemplateVersion: 2 }],
    ready: 'True/NodegroupUpdating',
    rollback: null,
  },
];

function condition(p: Plan, type: string): string | undefined {
  const c = p.conditions.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}` : undefined;
}

describe('plan: rollback on failure', () => {
  it.each(rows)('$name', (row) => {
    const d =
      row.policy === 'off'
        ? desired({ dataHash: HASH_V2, generation: row.generation ?? 2 })
        : onFailure(row.generation);
    const result = plan(d, row.observed);
    expect(result.actions).toEqual(row.actions.map((action) => expect.objectContaining(action)));
    if (row.ready) expect(condition(result, 'EKSNodegroupReady')).toBe(row.ready);
    expect(result.terminal?.reason).toBe(row.terminal);
    if (row.rollback === null) expect(result.record.rollback).toBeNull();
    else if (row.rollback) expect(result.record.rollback).toMatchObject(row.rollback);
    if (row.events) expect(result.record.events.map((e) => e.event)).toEqual(row.events);
    // A failed roll is never cleared by its own rollback: only a spec write or a good roll does that.
    if (row.rollback !== null && row.generation === undefined)
      expect(result.record.failedRoll).not.toBeNull();
  });

  it('names the failed version, the EKS error and the version rolled back to', () => {
    const result = plan(onFailure(), rows[5]?.observed ?? observed());
    const message = result.conditions.find((c) => c.type === 'EKSNodegroupReady')?.message;
    expect(message).toContain('the roll to version 2 failed (update upd-roll, Failed)');
    expect(message).toContain(`PodEvictionFailure: ${podEviction.message}`);
    expect(message).toContain('Rolled back to last-known-good version 1 (update upd-back)');
    expect(message).toContain('not tried again until the spec is written again');
  });

  it('gives the roll back a token of its own, the same on every pass for the same failure', () => {
    const first = plan(onFailure(), rows[2]?.observed ?? observed());
    const again = plan(onFailure(), rows[3]?.observed ?? observed());
    const token = (p: Plan) =>
      (p.actions[0] as { clientRequestToken?: string } | undefined)?.clientRequestToken;
    expect(token(first)).toBeDefined();
    expect(token(first)).toBe(token(again));
  });
});

/** The second trigger: EKS ended the roll Successful, but the instances failed their check. */
describe('plan: rollback on a failed verification', () => {
  const GROUP = 'eks-my-node-pool-1234';
  const instance = (id: string, version: string, enclavesEnabled = true): ObservedInstance => ({
    instanceId: id,
    launchTime: '2026-01-01T00:00:00.000Z',
    state: 'running',
    enclavesEnabled,
    launchTemplateId: LT_ID,
    launchTemplateVersion: version,
  });
  const fleet = (version: string, instances: ObservedInstance[]): ObservedFleet => ({
    autoScalingGroup: { name: GROUP, launchTemplate: { id: LT_ID, version }, tags: {}, desiredCapacity: 2 },
    instances,
  });
  const checked = (version: number, afterUpdateId: string): VerificationRecord => ({
    launchTemplateVersion: version,
    afterUpdateId,
    result: 'Verified',
    instancesChecked: 2,
    withoutEnclaves: [],
    onOtherVersion: [],
    at: '2026-01-01T00:00:00.000Z',
  });
  const verificationFailed: FailedRollRecord = {
    ...failedRoll,
    status: 'VerificationFailed',
    errorCode: 'InstancesWithoutEnclaves',
    errorMessage:
      'EKS ended the update Successful, but 1 of 2 running instances have no Nitro Enclaves: i-bare',
  };
  /** The pass that notices the roll to 2 ended Successful, with i-bare launched without enclaves. */
  const rollEnded = (instances = [instance('i-bare', '2', false), instance('i-good', '2')]) =>
    observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 2, autoScalingGroups: [GROUP] }),
      update: roll('Successful'),
      fleet: fleet('2', instances),
      previous: {
        update: roll('InProgress'),
        lastKnownGoodVersion: 1,
        verification: checked(1, 'upd-create'),
      },
    });
  /** The pass that notices the roll back to 1 (after the failed check of 2) ended Successful. */
  const rollbackEnded = (instances: ObservedInstance[]) =>
    observed({
      launchTemplate: versions,
      nodegroup: nodegroup({ version: 1, autoScalingGroups: [GROUP] }),
      update: rollbackUpdate('Successful'),
      fleet: fleet('1', instances),
      previous: {
        failedRoll: verificationFailed,
        lastKnownGoodVersion: 1,
        rollback: rollbackRecord('InProgress', { updateId: 'upd-back' }),
        update: rollbackUpdate('InProgress'),
        verification: {
          ...checked(2, 'upd-roll'),
          result: 'InstancesWithoutEnclaves',
          withoutEnclaves: ['i-bare'],
        },
      },
    });
  const ready = (p: Plan, type = 'EKSNodegroupReady') => {
    const c = p.conditions.find((x) => x.type === type);
    return c ? `${c.status}/${c.reason}` : undefined;
  };

  it('records the roll as failed by its check and rolls back to the last-known-good version, once', () => {
    const result = plan(onFailure(), rollEnded());

    expect(result.actions).toEqual([
      expect.objectContaining({
        kind: 'UpdateNodegroupVersion',
        launchTemplateVersion: 1,
        dataHash: HASH_V1,
        purpose: 'rollback',
      }),
    ]);
    expect(ready(result)).toBe('False/RollingBack');
    expect(ready(result, 'EnclavesVerified')).toBe('False/InstancesWithoutEnclaves');
    expect(result.record.failedRoll).toMatchObject({
      updateId: 'upd-roll',
      status: 'VerificationFailed',
      errorCode: 'InstancesWithoutEnclaves',
      launchTemplateVersion: 2,
      dataHash: HASH_V2,
      specHash: SPEC_HASH,
      generation: 2,
    });
    expect(result.record.failedRoll?.errorMessage).toContain('i-bare');
    expect(result.record.rollback).toMatchObject({
      failedUpdateId: 'upd-roll',
      fromVersion: 2,
      toVersion: 1,
    });
    // The version whose nodes failed is not the last known good one.
    expect(result.record.lastKnownGoodVersion).toBeUndefined();
    expect(result.record.events.map((e) => e.event)).toEqual(['RollSucceeded', 'RollVerificationFailed']);
  });

  it('treats nodes left on another version after a Successful roll the same way', () => {
    const result = plan(onFailure(), rollEnded([instance('i-old', '1'), instance('i-new', '2')]));
    expect(result.actions).toEqual([
      expect.objectContaining({ purpose: 'rollback', launchTemplateVersion: 1 }),
    ]);
    expect(result.record.failedRoll).toMatchObject({ errorCode: 'InstancesOnOldVersion' });
    expect(result.record.failedRoll?.errorMessage).toContain('do not run version 2: i-old');
  });

  it('without the policy: no rollback, but the version is not made last-known-good either', () => {
    const result = plan(desired({ dataHash: HASH_V2, generation: 2 }), rollEnded());
    expect(result.actions).toEqual([]);
    expect(ready(result, 'EnclavesVerified')).toBe('False/InstancesWithoutEnclaves');
    expect(result.record.lastKnownGoodVersion).toBeUndefined();
    expect(result.record.failedRoll).toBeNull();
  });

  it('a roll whose instances pass the check is the last known good one and nothing is rolled back', () => {
    const result = plan(onFailure(), rollEnded([instance('i-1', '2'), instance('i-2', '2')]));
    expect(result.actions).toEqual([]);
    expect(result.record.lastKnownGoodVersion).toBe(2);
    expect(result.record.failedRoll).toBeNull();
    expect(ready(result)).toBe('True/NodegroupActive');
  });

  it('after the roll back: RolledBack names the failed version and the check, and nothing is retried', () => {
    const result = plan(onFailure(), rollbackEnded([instance('i-3', '1'), instance('i-4', '1')]));
    expect(result.actions).toEqual([]);
    expect(result.terminal?.reason).toBe('RolledBack');
    expect(ready(result, 'EnclavesVerified')).toBe('True/EnclavesVerified');
    const message = result.conditions.find((c) => c.type === 'EKSNodegroupReady')?.message;
    expect(message).toContain('the roll to version 2 failed (update upd-roll, VerificationFailed)');
    expect(message).toContain('InstancesWithoutEnclaves: EKS ended the update Successful, but 1 of 2');
    expect(message).toContain('i-bare');
    expect(message).toContain('Rolled back to last-known-good version 1 (update upd-back)');
    expect(result.record.events.map((e) => e.event)).toEqual(['RolledBack']);
  });

  it('a roll back whose own nodes fail the check is a failed rollback: RollbackFailed, never retried', () => {
    const result = plan(onFailure(), rollbackEnded([instance('i-5', '1', false), instance('i-6', '1')]));
    expect(result.actions).toEqual([]);
    expect(result.terminal?.reason).toBe('RollbackFailed');
    expect(result.record.rollback).toMatchObject({
      status: 'VerificationFailed',
      errorCode: 'InstancesWithoutEnclaves',
      updateId: 'upd-back',
    });
    expect(result.conditions.find((c) => c.type === 'EKSNodegroupReady')?.message).toContain(
      'ended VerificationFailed: InstancesWithoutEnclaves: EKS ended the update Successful, but 1 of 2 running instances have no Nitro Enclaves: i-5',
    );
    expect(result.record.events.map((e) => e.event)).toEqual(['RolledBack', 'RollbackVerificationFailed']);
    expect(result.record.lastKnownGoodVersion).toBeUndefined();
  });

  it('the spec written again: the roll is tried once more', () => {
    const result = plan(
      onFailure(3),
      observed({
        launchTemplate: versions,
        nodegroup: nodegroup({ version: 1, autoScalingGroups: [GROUP] }),
        previous: {
          failedRoll: verificationFailed,
          lastKnownGoodVersion: 1,
          rollback: rollbackRecord('Successful', { updateId: 'upd-back' }),
          verification: checked(1, 'upd-back'),
        },
      }),
    );
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'UpdateNodegroupVersion', launchTemplateVersion: 2 }),
    ]);
    expect(result.actions[0]).not.toHaveProperty('purpose');
  });
});
