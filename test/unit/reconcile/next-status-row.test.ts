import { Outcome } from '../../../lib/outcome';
import { nextStatusRow, type PassReport } from '../../../lib/reconcile/next-status-row';
import { falseCondition, trueCondition } from '../../../lib/status/conditions';
import { HISTORY_LIMIT, statusRowChanged } from '../../../lib/status/status-row';
import { HASH_V1, launchTemplate, nodegroup, observed } from '../plan/plan-fixtures';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:10:00Z');

function report(overrides: Partial<PassReport> = {}): PassReport {
  return {
    poolId: 'my-node-pool',
    now: T0,
    spec: {
      clusterName: 'my-cluster',
      nodegroupName: 'my-node-pool',
      source: 's3',
      location: 's3://bucket/pools/my-node-pool.yaml',
      generation: 1,
      specHash: 'f'.repeat(64),
    },
    conditions: [
      trueCondition('SpecValid', 'SpecValid'),
      trueCondition('LaunchTemplateReady', 'LaunchTemplateUpToDate', 'v1'),
      trueCondition('EKSNodegroupReady', 'NodegroupActive', 'ACTIVE'),
      falseCondition('NodegroupUpdating', 'NoUpdateInProgress', 'none', ''),
    ],
    record: { events: [], targetVersion: 1, lastKnownGoodVersion: 1 },
    actionEvents: [],
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    launchTemplateName: 'enclave-pools-my-cluster-my-node-pool',
    desiredDataHash: HASH_V1,
    outcome: Outcome.done('in sync'),
    ...overrides,
  };
}

describe('nextStatusRow', () => {
  it('records conditions with a Ready summary, the template, the node group and the spec', () => {
    const row = nextStatusRow(undefined, report());
    expect(row.conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=True',
      'SpecValid=True',
      'LaunchTemplateReady=True',
      'EKSNodegroupReady=True',
      'NodegroupUpdating=False',
    ]);
    expect(row).toMatchObject({
      poolId: 'my-node-pool',
      clusterName: 'my-cluster',
      specHash: 'f'.repeat(64),
      observedGeneration: 1,
      deleted: false,
      launchTemplate: {
        name: 'enclave-pools-my-cluster-my-node-pool',
        pinnedVersion: 1,
        lastKnownGoodVersion: 1,
      },
      nodegroup: { status: 'ACTIVE', desiredSize: 1 },
      outcome: { kind: 'done' },
    });
  });

  it('produces an equal row for an unchanged outcome, so nothing is written', () => {
    const first = nextStatusRow(undefined, report());
    const second = nextStatusRow({ ...first, revision: 1 }, report({ now: T1 }));
    expect(statusRowChanged({ ...first, revision: 1 }, second)).toBe(false);
    expect(second.conditions[0]?.lastTransitionTime).toBe(T0.toISOString());
  });

  it('notices a changed outcome', () => {
    const first = nextStatusRow(undefined, report());
    const second = nextStatusRow(
      first,
      report({ now: T1, conditions: [trueCondition('NodegroupUpdating', 'UpdateInProgress', 'rolling')] }),
    );
    expect(statusRowChanged(first, second)).toBe(true);
    expect(second.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      lastTransitionTime: T1.toISOString(),
    });
  });

  it('keeps the previous AWS state when the pass stopped before observing (an invalid spec)', () => {
    const first = nextStatusRow(undefined, report());
    const invalid = nextStatusRow(
      first,
      report({
        now: T1,
        observed: undefined,
        conditions: [falseCondition('SpecValid', 'NitroEnclaveEdgeZoneUnsupported', 'edge')],
        record: { events: [] },
        outcome: Outcome.terminal('NitroEnclaveEdgeZoneUnsupported', 'edge'),
      }),
    );
    expect(invalid.launchTemplate).toEqual(first.launchTemplate);
    expect(invalid.nodegroup).toEqual(first.nodegroup);
    expect(invalid.outcome).toEqual({ kind: 'terminal', reason: 'NitroEnclaveEdgeZoneUnsupported' });
  });

  it('marks the row deleted, with a TTL, once the pool is gone', () => {
    const first = nextStatusRow(undefined, report());
    const deleted = nextStatusRow(
      first,
      report({ now: T1, spec: undefined, observed: observed(), record: { events: [], deleted: true } }),
    );
    expect(deleted).toMatchObject({ deleted: true, deletedAt: T1.toISOString(), clusterName: 'my-cluster' });
    expect(deleted.expiresAt).toBeGreaterThan(Date.parse(T1.toISOString()) / 1000);
    expect(deleted.launchTemplate).toBeUndefined();
    expect(deleted.nodegroup).toBeUndefined();
  });

  it('remembers when the pool was first seen, and starts again when a deleted pool comes back', () => {
    const first = nextStatusRow(undefined, report());
    const later = nextStatusRow(first, report({ now: T1 }));
    expect(later.createdAt).toBe(T0.toISOString());

    const deleted = nextStatusRow(
      later,
      report({ now: T1, spec: undefined, observed: observed(), record: { events: [], deleted: true } }),
    );
    expect(deleted.createdAt).toBe(T0.toISOString());
    const T2 = new Date('2026-01-02T00:00:00Z');
    expect(nextStatusRow(deleted, report({ now: T2 })).createdAt).toBe(T2.toISOString());
  });

  it('keeps a bounded history, newest last', () => {
    let row = nextStatusRow(undefined, report());
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      row = nextStatusRow(row, report({ actionEvents: [{ event: 'E', message: String(i) }] }));
    }
    expect(row.history).toHaveLength(HISTORY_LIMIT);
    expect(row.history.at(-1)?.message).toBe(String(HISTORY_LIMIT + 4));
  });

  it('clears a failed roll when the record says so', () => {
    const failed = nextStatusRow(
      undefined,
      report({
        record: {
          events: [],
          failedRoll: {
            updateId: 'u',
            type: 'VersionUpdate',
            status: 'Failed',
            specHash: 's',
            generation: 1,
            errorCode: 'PodEvictionFailure',
            errorMessage: 'm',
            hint: 'h',
            launchTemplateVersion: 2,
            dataHash: 'd',
          },
        },
      }),
    );
    expect(failed.failedRoll?.errorCode).toBe('PodEvictionFailure');
    expect(nextStatusRow(failed, report()).failedRoll?.errorCode).toBe('PodEvictionFailure');
    expect(
      nextStatusRow(failed, report({ record: { events: [], failedRoll: null } })).failedRoll,
    ).toBeUndefined();
  });
});
