import { fleetReadReason, verificationDue } from '../../../lib/plan/fleet-reads';
import { plan } from '../../../lib/plan/plan';
import type { ObservedFleet, ObservedInstance } from '../../../lib/plan/plan-types';
import type { UpdateRecord, VerificationRecord } from '../../../lib/status/status-row';
import { desired, HASH_V1, LT_ID, launchTemplate, nodegroup, observed } from './plan-fixtures';

const GROUP = 'eks-my-node-pool-1234';

const instance = (id: string, overrides: Partial<ObservedInstance> = {}): ObservedInstance => ({
  instanceId: id,
  launchTime: '2026-01-01T00:00:00.000Z',
  state: 'running',
  enclavesEnabled: true,
  launchTemplateId: LT_ID,
  launchTemplateVersion: '1',
  ...overrides,
});

const fleet = (instances: ObservedInstance[], version = '1'): ObservedFleet => ({
  autoScalingGroup: {
    name: GROUP,
    launchTemplate: { id: LT_ID, version },
    tags: {},
    desiredCapacity: instances.length,
  },
  instances,
});

const recorded = (overrides: Partial<VerificationRecord> = {}): VerificationRecord => ({
  launchTemplateVersion: 1,
  result: 'Verified',
  instancesChecked: 1,
  withoutEnclaves: [],
  onOtherVersion: [],
  at: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const update = (id: string, status: string, type = 'VersionUpdate'): UpdateRecord => ({
  id,
  type,
  status,
  errors: [],
});

const withGroup = (overrides: Parameters<typeof nodegroup>[0] = {}) =>
  nodegroup({ autoScalingGroups: [GROUP], ...overrides });

function verified(parts: Parameters<typeof observed>[0]) {
  const p = plan(desired(), observed({ launchTemplate: launchTemplate([HASH_V1]), ...parts }));
  return { plan: p, condition: p.conditions.find((c) => c.type === 'EnclavesVerified') };
}

describe('fleet reads: when the instances are listed', () => {
  it('lists them after a create, after an update it has not checked, and for another pinned version', () => {
    expect(verificationDue(withGroup(), undefined, undefined)).toBe(true);
    expect(verificationDue(withGroup(), update('u1', 'Successful'), recorded())).toBe(true);
    expect(verificationDue(withGroup({ version: 2 }), undefined, recorded())).toBe(true);
    expect(verificationDue(withGroup(), update('u1', 'Failed'), recorded({ afterUpdateId: 'u0' }))).toBe(
      true,
    );
  });

  it('does not list them for a settled pool verified on its pinned version since its last update', () => {
    expect(verificationDue(withGroup(), update('u1', 'Successful'), recorded({ afterUpdateId: 'u1' }))).toBe(
      false,
    );
    expect(verificationDue(withGroup(), undefined, recorded())).toBe(false);
    expect(
      fleetReadReason({ nodegroup: withGroup(), update: undefined, verification: recorded() }),
    ).toBeUndefined();
  });

  it('does not check while the node group is creating or an update runs, but reads a roll for its progress', () => {
    expect(verificationDue(withGroup({ status: 'CREATING' }), undefined, undefined)).toBe(false);
    expect(verificationDue(withGroup(), update('u2', 'InProgress', 'ConfigUpdate'), recorded())).toBe(false);
    expect(
      fleetReadReason({
        nodegroup: withGroup({ status: 'UPDATING' }),
        update: update('u2', 'InProgress'),
        verification: recorded(),
      }),
    ).toBe('RollInProgress');
    expect(
      fleetReadReason({ nodegroup: nodegroup(), update: undefined, verification: undefined }),
    ).toBeUndefined();
  });

  it('reads a settled group on the drift check (drift policy report), never during an update', () => {
    const settled = { nodegroup: withGroup(), update: undefined, verification: recorded() };
    expect(fleetReadReason({ ...settled, driftCheck: true })).toBe('DriftCheck');
    expect(fleetReadReason({ ...settled, driftCheck: false })).toBeUndefined();
    expect(
      fleetReadReason({
        nodegroup: withGroup({ status: 'UPDATING' }),
        update: update('u2', 'InProgress', 'ConfigUpdate'),
        verification: recorded(),
        driftCheck: true,
      }),
    ).toBeUndefined();
  });
});

describe('plan: EnclavesVerified', () => {
  it('is True, and recorded, when every running instance has enclaves and runs the group version', () => {
    const { plan: p, condition } = verified({
      nodegroup: withGroup(),
      fleet: fleet([
        instance('i-1'),
        instance('i-2'),
        instance('i-3', { state: 'terminated', enclavesEnabled: false }),
      ]),
    });
    expect(condition).toMatchObject({ status: 'True', reason: 'EnclavesVerified' });
    expect(p.record.verification).toEqual({
      launchTemplateVersion: 1,
      result: 'Verified',
      instancesChecked: 2,
      withoutEnclaves: [],
      onOtherVersion: [],
    });
  });

  it('is False/InstancesWithoutEnclaves naming each instance without enclaves', () => {
    const { condition, plan: p } = verified({
      nodegroup: withGroup(),
      fleet: fleet([
        instance('i-1'),
        instance('i-2', { enclavesEnabled: false }),
        instance('i-3', { enclavesEnabled: undefined }),
      ]),
    });
    expect(condition).toMatchObject({
      status: 'False',
      reason: 'InstancesWithoutEnclaves',
      severity: 'Error',
    });
    expect(condition?.message).toContain('i-2, i-3');
    expect(p.record.verification?.withoutEnclaves).toEqual(['i-2', 'i-3']);
  });

  it('is False/InstancesOnOldVersion naming each instance not on the group version (EKS copy numbers, not ours)', () => {
    // The group launches from EKS's copy, version 7; the node group is pinned to our version 1.
    const { condition, plan: p } = verified({
      nodegroup: withGroup(),
      update: update('u1', 'Failed'),
      fleet: fleet(
        [instance('i-1', { launchTemplateVersion: '7' }), instance('i-2', { launchTemplateVersion: '6' })],
        '7',
      ),
    });
    expect(condition).toMatchObject({ status: 'False', reason: 'InstancesOnOldVersion' });
    expect(condition?.message).toContain('i-2');
    expect(condition?.message).not.toContain('i-1');
    expect(p.record.verification).toMatchObject({ afterUpdateId: 'u1', onOtherVersion: ['i-2'] });
  });

  it('is Unknown/VerificationPending during a roll, and requeues when due but not read this pass', () => {
    expect(
      verified({ nodegroup: withGroup({ status: 'UPDATING' }), update: update('u2', 'InProgress') })
        .condition,
    ).toMatchObject({ status: 'Unknown', reason: 'VerificationPending' });
    const due = verified({ nodegroup: withGroup() });
    expect(due.condition).toMatchObject({ status: 'Unknown', reason: 'VerificationPending' });
    expect(due.plan).toMatchObject({ requeueReason: 'VerificationPending' });
  });

  it('does not make the pinned version last-known-good while its check is still pending', () => {
    // A roll EKS ended Successful (u1), read on a pass that did not list the instances; the recorded
    // check is an older one (after u0).
    const after = { verification: recorded({ afterUpdateId: 'u0' }) };
    const pendingPass = verified({
      nodegroup: withGroup(),
      update: update('u1', 'Successful'),
      previous: after,
    });
    expect(pendingPass.condition).toMatchObject({ reason: 'VerificationPending' });
    expect(pendingPass.plan.record.lastKnownGoodVersion).toBeUndefined();
    // The pass that lists them and finds them right makes the version known good.
    const checked = verified({
      nodegroup: withGroup(),
      update: update('u1', 'Successful'),
      previous: after,
      fleet: fleet([instance('i-1')]),
    });
    expect(checked.condition).toMatchObject({ status: 'True' });
    expect(checked.plan.record.lastKnownGoodVersion).toBe(1);
  });

  it('does not make a version last-known-good on the pass that reads its roll Successful but not its instances', () => {
    // The recorded roll to version 1 was InProgress; this pass reads it Successful (DescribeUpdate)
    // without listing the instances. Before, the outcome alone made version 1 known good, and a
    // failed check on the next pass had no other version to roll back to.
    const roll = { ...update('u1', 'Successful'), launchTemplateVersion: 1 };
    const previous = {
      update: { ...roll, status: 'InProgress' },
      verification: recorded({ afterUpdateId: 'u0' }),
    };
    const unread = verified({ nodegroup: withGroup(), update: roll, previous });
    expect(unread.condition).toMatchObject({ reason: 'VerificationPending' });
    expect(unread.plan.record.events.map((e) => e.event)).toContain('RollSucceeded');
    expect(unread.plan.record.lastKnownGoodVersion).toBeUndefined();
    const checked = verified({
      nodegroup: withGroup(),
      update: roll,
      previous,
      fleet: fleet([instance('i-1')]),
    });
    expect(checked.plan.record.lastKnownGoodVersion).toBe(1);
    const failing = verified({
      nodegroup: withGroup(),
      update: roll,
      previous,
      fleet: fleet([instance('i-1', { enclavesEnabled: false })]),
    });
    expect(failing.condition).toMatchObject({ status: 'False' });
    expect(failing.plan.record.lastKnownGoodVersion).toBeUndefined();
  });

  it('says nothing new for a pool verified on its pinned version (the recorded condition stands)', () => {
    const { condition, plan: p } = verified({
      nodegroup: withGroup(),
      previous: { verification: recorded() },
    });
    expect(condition).toBeUndefined();
    expect(p.record.verification).toBeUndefined();
  });

  it('does not ask for enclaves when the spec turns them off', () => {
    const off = desired();
    off.launchTemplate.data = { ...off.launchTemplate.data, EnclaveOptions: { Enabled: false } };
    const p = plan(
      off,
      observed({
        launchTemplate: launchTemplate([HASH_V1]),
        nodegroup: withGroup(),
        fleet: fleet([instance('i-1', { enclavesEnabled: false })]),
      }),
    );
    expect(p.conditions.find((c) => c.type === 'EnclavesVerified')).toMatchObject({ status: 'True' });
  });
});
