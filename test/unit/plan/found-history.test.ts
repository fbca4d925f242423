import {
  foundResources,
  UnrecordedLookupReason,
  unrecordedLookupReason,
} from '../../../lib/plan/found-history';
import { plan } from '../../../lib/plan/plan';
import type { ObservedFound } from '../../../lib/plan/plan-types';
import { emptyStatusRow, type StatusRow, type UpdateRecord } from '../../../lib/status/status-row';
import * as fx from './plan-fixtures';

/**
 * Decision 0094: what a pass that died before its status write did to AWS is found by the next
 * pass and recorded once, under the actions' own event names. The lookup of updates runs only
 * when the status row and DescribeNodegroup disagree.
 */

const MODIFIED = '2026-12-01T10:00:00.000Z';
const LATER = '2026-12-01T10:05:00.000Z';

/** The row a pass wrote after the node group settled on version 1, size 2 (nodegroupShape's). */
function row(
  overrides: Partial<StatusRow> = {},
  ng: Partial<NonNullable<StatusRow['nodegroup']>> = {},
): StatusRow {
  const observedNg = fx.nodegroup();
  return {
    ...emptyStatusRow('my-node-pool'),
    updatedAt: '2026-12-01T10:01:00.000Z',
    launchTemplate: {
      id: fx.LT_ID,
      name: 'enclave-pools-my-cluster-my-node-pool',
      pinnedVersion: 1,
      latestVersion: 1,
      defaultVersion: 1,
      versions: [{ number: 1, dataHash: fx.HASH_V1 }],
      tags: {},
    },
    nodegroup: {
      name: 'my-node-pool',
      status: 'ACTIVE',
      desiredSize: observedNg.scaling?.desiredSize,
      minSize: observedNg.scaling?.minSize,
      maxSize: observedNg.scaling?.maxSize,
      launchTemplateVersion: 1,
      modifiedAt: MODIFIED,
      healthIssues: [],
      ...ng,
    },
    ...overrides,
  };
}

const configUpdate = (status: string, extra: Partial<UpdateRecord> = {}): UpdateRecord => ({
  id: 'cfg-1',
  type: 'ConfigUpdate',
  status,
  errors: [],
  ...extra,
});

describe('unrecordedLookupReason: when observe looks up updates the status row does not know', () => {
  const scaled = { ...fx.nodegroup().scaling, desiredSize: (fx.nodegroup().scaling?.desiredSize ?? 0) + 1 };
  it.each([
    {
      name: 'the row matches DescribeNodegroup (no-op pass)',
      ng: fx.nodegroup({ modifiedAt: MODIFIED }),
      r: row(),
      want: undefined,
    },
    { name: 'no node group', ng: undefined, r: row(), want: undefined },
    {
      name: 'no row, a node group',
      ng: fx.nodegroup(),
      r: undefined,
      want: UnrecordedLookupReason.NodegroupUnrecorded,
    },
    {
      name: 'a row without a node group, a node group',
      ng: fx.nodegroup(),
      r: { ...row(), nodegroup: undefined },
      want: UnrecordedLookupReason.NodegroupUnrecorded,
    },
    {
      name: 'another version, no roll recorded',
      ng: fx.nodegroup({ version: 2, modifiedAt: LATER }),
      r: row(),
      want: UnrecordedLookupReason.VersionUnexplained,
    },
    {
      name: 'another version, the recorded roll to it in flight',
      ng: fx.nodegroup({ version: 2, modifiedAt: LATER }),
      r: row({ update: fx.versionUpdate('InProgress') }),
      want: undefined,
    },
    {
      name: 'another version, the recorded roll to it already ended when recorded',
      ng: fx.nodegroup({ version: 2, modifiedAt: LATER }),
      r: row({ update: fx.versionUpdate('Successful') }),
      want: UnrecordedLookupReason.VersionUnexplained,
    },
    {
      name: 'another version, a recorded roll to a third one in flight',
      ng: fx.nodegroup({ version: 2 }),
      r: row({ update: fx.versionUpdate('InProgress', { launchTemplateVersion: 3 }) }),
      want: UnrecordedLookupReason.VersionUnexplained,
    },
    {
      name: 'another size, no config update recorded',
      ng: fx.nodegroup({ scaling: scaled, modifiedAt: LATER }),
      r: row(),
      want: UnrecordedLookupReason.ScalingUnexplained,
    },
    {
      name: 'another size, a recorded config update in flight',
      ng: fx.nodegroup({ scaling: scaled, modifiedAt: LATER }),
      r: row({ update: configUpdate('InProgress') }),
      want: undefined,
    },
    {
      name: 'another size, only a recorded roll in flight',
      ng: fx.nodegroup({ scaling: scaled, modifiedAt: LATER }),
      r: row({ update: fx.versionUpdate('InProgress', { launchTemplateVersion: 1 }) }),
      want: UnrecordedLookupReason.ScalingUnexplained,
    },
    {
      name: 'modified since recorded (labels, taints), nothing in flight',
      ng: fx.nodegroup({ modifiedAt: LATER }),
      r: row(),
      want: UnrecordedLookupReason.ModifiedUnexplained,
    },
    {
      name: 'modified since recorded, a recorded update in flight (its end moved it)',
      ng: fx.nodegroup({ modifiedAt: LATER }),
      r: row({ update: configUpdate('InProgress') }),
      want: undefined,
    },
    {
      name: 'a row from before modifiedAt was kept',
      ng: fx.nodegroup({ modifiedAt: LATER }),
      r: row({}, { modifiedAt: undefined }),
      want: undefined,
    },
  ])('$name → $want', ({ ng, r, want }) => {
    expect(unrecordedLookupReason(ng, r)).toBe(want);
  });
});

describe('foundResources: the template, versions and node group the row does not record', () => {
  it.each([
    {
      name: 'the row knows them all',
      r: row(),
      lt: fx.launchTemplate([fx.HASH_V1]),
      ng: fx.nodegroup(),
      hash: fx.HASH_V1,
      want: {},
    },
    {
      name: 'no row: a template and a node group a dead pass created',
      r: undefined,
      lt: fx.launchTemplate([fx.HASH_V1]),
      ng: fx.nodegroup(),
      hash: fx.HASH_V1,
      want: {
        launchTemplate: { id: fx.LT_ID, name: 'enclave-pools-my-cluster-my-node-pool', version: 1 },
        nodegroup: { name: 'my-node-pool', version: 1 },
      },
    },
    {
      name: 'no row: only the template (killed after CreateLaunchTemplate)',
      r: undefined,
      lt: fx.launchTemplate([fx.HASH_V1]),
      ng: undefined,
      hash: fx.HASH_V1,
      want: { launchTemplate: { id: fx.LT_ID, name: 'enclave-pools-my-cluster-my-node-pool', version: 1 } },
    },
    {
      name: 'a newer version with the spec data',
      r: row(),
      lt: fx.launchTemplate([fx.HASH_V1, fx.HASH_V2]),
      ng: fx.nodegroup({ version: 2 }),
      hash: fx.HASH_V2,
      want: { versions: [2] },
    },
    {
      name: 'a newer version with other data (made by hand: drift, not ours)',
      r: row(),
      lt: fx.launchTemplate([fx.HASH_V1, fx.HASH_V2]),
      ng: fx.nodegroup(),
      hash: fx.HASH_V1,
      want: {},
    },
    {
      name: 'the template read from the row (the no-op pass)',
      r: row(),
      lt: undefined,
      ng: fx.nodegroup(),
      hash: fx.HASH_V1,
      want: {},
    },
  ])('$name', ({ r, lt, ng, hash, want }) => {
    expect(foundResources(r, lt, ng, hash)).toEqual(want);
  });
});

describe('plan() records what was found, once, before planning', () => {
  const events = (p: ReturnType<typeof plan>) =>
    p.record.events.map((e) => `${e.event}${e.launchTemplateVersion ?? ''}`);

  it('a template and a node group a dead pass created', () => {
    const found: ObservedFound = foundResources(
      undefined,
      fx.launchTemplate([fx.HASH_V1]),
      fx.nodegroup(),
      fx.HASH_V1,
    );
    const p = plan(
      fx.desired(),
      fx.observed({ found, launchTemplate: fx.launchTemplate([fx.HASH_V1]), nodegroup: fx.nodegroup() }),
    );
    expect(events(p)).toEqual(['LaunchTemplateCreated1', 'NodegroupCreated1']);
    expect(p.record.events.every((e) => e.message.includes('found; no pass recorded it'))).toBe(true);
  });

  it('a roll a dead pass started that has since succeeded: its version, start and success', () => {
    const roll = fx.versionUpdate('Successful', {
      specHash: undefined,
      generation: undefined,
      dataHash: undefined,
    });
    const p = plan(
      fx.desired({ dataHash: fx.HASH_V2 }),
      fx.observed({
        found: { versions: [2], updates: [roll] },
        launchTemplate: fx.launchTemplate([fx.HASH_V1, fx.HASH_V2]),
        nodegroup: fx.nodegroup({ version: 2 }),
        update: roll,
      }),
    );
    expect(events(p)).toEqual(['LaunchTemplateVersionCreated2', 'RollStarted2', 'RollSucceeded2']);
    expect(p.record.lastKnownGoodVersion).toBe(2);
    expect(p.actions.map((a) => a.kind)).not.toContain('UpdateNodegroupVersion');
  });

  it('a roll a dead pass started that failed: recorded as failed, and not sent again for this spec', () => {
    const roll = fx.versionUpdate('Failed', {
      errors: [{ code: 'PodEvictionFailure', message: 'PDB blocks the drain' }],
      specHash: undefined,
      generation: undefined,
    });
    const p = plan(
      fx.desired({ dataHash: fx.HASH_V2 }),
      fx.observed({
        found: { updates: [roll] },
        launchTemplate: fx.launchTemplate([fx.HASH_V1, fx.HASH_V2]),
        nodegroup: fx.nodegroup({ version: 1 }),
        update: roll,
      }),
    );
    expect(events(p)).toEqual(['RollStarted2', 'RollFailed2']);
    expect(p.record.failedRoll).toEqual(
      expect.objectContaining({ updateId: 'upd-1', launchTemplateVersion: 2 }),
    );
    expect(p.actions).toEqual([]);
  });

  it('a config update, then a roll, both by dead passes: each start and outcome, in order', () => {
    const config = configUpdate('Successful', { createdAt: MODIFIED });
    const roll = fx.versionUpdate('Successful', { createdAt: LATER });
    const p = plan(
      fx.desired({ dataHash: fx.HASH_V2 }),
      fx.observed({
        found: { updates: [config, roll] },
        launchTemplate: fx.launchTemplate([fx.HASH_V1, fx.HASH_V2]),
        nodegroup: fx.nodegroup({ version: 2 }),
        update: roll,
      }),
    );
    expect(events(p)).toEqual([
      'ConfigUpdateStarted',
      'ConfigUpdateSucceeded',
      'RollStarted2',
      'RollSucceeded2',
    ]);
  });

  it('nothing found: no line (the no-op pass)', () => {
    const p = plan(
      fx.desired(),
      fx.observed({ launchTemplate: fx.launchTemplate([fx.HASH_V1]), nodegroup: fx.nodegroup() }),
    );
    expect(events(p)).toEqual([]);
  });
});
