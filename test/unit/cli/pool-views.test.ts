import { describePool, describePoolText, poolTable, summarizePool } from '../../../lib/cli/pool-views';
import { styler } from '../../../lib/cli/terminal';
import type { Condition } from '../../../lib/status/conditions';
import type { StatusRow } from '../../../lib/status/status-row';
import { seedPoolSpec } from '../../support/pool-spec-fixture';
import { storedSpec } from '../reconcile/fake-ports';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const plain = styler(false);

const condition = (
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message = '',
): Condition => ({
  type,
  status,
  reason,
  message,
  severity: status === 'True' ? '' : 'Error',
  lastTransitionTime: '2026-01-01T11:55:00.000Z',
  observedGeneration: 3,
});

const stored = storedSpec('', { generation: 3 });

function row(overrides: Partial<StatusRow> = {}): StatusRow {
  return {
    poolId: 'my-node-pool',
    revision: 4,
    updatedAt: '2026-01-01T11:59:00.000Z',
    clusterName: 'my-cluster',
    nodegroupName: 'my-node-pool',
    observedGeneration: 3,
    deleted: false,
    conditions: [
      condition('Ready', 'True', 'Ready', 'the pool matches its spec'),
      condition('SpecValid', 'True', 'SpecValid'),
    ],
    outcome: { kind: 'done' },
    launchTemplate: {
      id: 'lt-1',
      name: 'enclave-pools-my-cluster-my-node-pool',
      pinnedVersion: 2,
      targetVersion: 2,
      lastKnownGoodVersion: 2,
      latestVersion: 2,
    },
    nodegroup: {
      name: 'my-node-pool',
      status: 'ACTIVE',
      desiredSize: 1,
      minSize: 1,
      maxSize: 1,
      launchTemplateVersion: 2,
      healthIssues: [],
    },
    history: [
      { at: '2026-01-01T09:00:00.000Z', event: 'LaunchTemplateCreated', message: 'created launch template' },
    ],
    ...overrides,
  };
}

describe('summarizePool', () => {
  it('joins the spec and the status row', () => {
    expect(summarizePool({ poolId: 'my-node-pool', row: row(), stored, spec: seedPoolSpec() })).toMatchObject(
      {
        name: 'my-node-pool',
        cluster: 'my-cluster',
        instanceType: 'm5.xlarge',
        enclaves: { enabled: true, cpuCount: 2, memoryMib: 768 },
        pinnedVersion: 2,
        nodegroupStatus: 'ACTIVE',
        ready: 'True',
        since: '2026-01-01T09:00:00.000Z',
        spec: { source: 's3', generation: 3 },
        deleted: false,
      },
    );
  });

  it.each([
    ['stored, never reconciled', { stored }, 'Unknown', 'NotReconciled'],
    ['spec deleted, resources going', { row: row() }, 'False', 'Deleting'],
    ['deleted', { row: row({ deleted: true }) }, 'False', 'Deleted'],
    [
      'a newer generation waiting',
      { row: row(), stored: { ...stored, generation: 4 } },
      'Unknown',
      'NewGenerationPending',
    ],
    ['no Ready yet', { row: row({ conditions: [] }), stored }, 'Unknown', 'NoReadyCondition'],
    [
      'not ready',
      { row: row({ conditions: [condition('Ready', 'False', 'UpdateInProgress')] }), stored },
      'False',
      'UpdateInProgress',
    ],
  ])('%s → Ready %s (%s)', (_label, sources, status, reason) => {
    expect(summarizePool({ poolId: 'my-node-pool', ...sources })).toMatchObject({
      ready: status,
      readyReason: reason,
    });
  });
});

describe('poolTable', () => {
  it('prints the kubectl-style table', () => {
    const spec = seedPoolSpec();
    const pending = summarizePool({ poolId: 'other', stored: { ...stored, poolId: 'other' } });
    const noEnclaves = summarizePool({
      poolId: 'plain',
      stored,
      spec: { ...spec, launchTemplate: { ...spec.launchTemplate, enclavesEnabled: false } },
    });
    expect(
      poolTable(
        [summarizePool({ poolId: 'my-node-pool', row: row(), stored, spec }), pending, noEnclaves],
        NOW,
        plain,
      ),
    ).toBe(
      [
        'NAME           CLUSTER      INSTANCE TYPE   ENCLAVES         PINNED   NODEGROUP   READY                     ROLL   AGE',
        'my-node-pool   my-cluster   m5.xlarge       2 CPU, 768 MiB   2        ACTIVE      True                      -      3h',
        'other          -            -               -                -        -           Unknown (NotReconciled)   -      -',
        'plain          my-cluster   m5.xlarge       off              -        -           Unknown (NotReconciled)   -      -',
      ].join('\n'),
    );
  });
});

describe('roll progress in get pools and describe', () => {
  const progress = {
    updateId: 'u9',
    launchTemplateVersion: 3,
    replaced: 1,
    total: 3,
    zones: [
      { zone: 'eu-west-1a', replaced: 1, total: 2 },
      { zone: 'eu-west-1b', replaced: 0, total: 1 },
    ],
    startedAt: new Date(NOW.getTime() - 120_000).toISOString(),
    nodesPerMinute: 0.5,
    etaAt: new Date(NOW.getTime() + 240_000).toISOString(),
    countedAt: new Date(NOW.getTime() - 10_000).toISOString(),
  };
  const rolling = row({
    update: { id: 'u9', type: 'VersionUpdate', status: 'InProgress', launchTemplateVersion: 3, errors: [] },
    rollProgress: progress,
  });

  it('shows replaced/total and the time left in the ROLL column', () => {
    const table = poolTable([summarizePool({ poolId: 'my-node-pool', row: rolling, stored })], NOW, plain);
    expect(table.split('\n')[1]).toMatch(/ 1\/3 ~4m00s +3h$/);
    const late = row({ ...rolling, rollProgress: { ...progress, etaAt: progress.countedAt } });
    expect(poolTable([summarizePool({ poolId: 'p', row: late, stored })], NOW, plain)).toContain(
      ' 1/3 any moment ',
    );
  });

  it('prints the per-zone counts, pace and ETA under the update, and carries them in -o json', () => {
    const description = describePool({ poolId: 'my-node-pool', row: rolling, stored });
    expect(description.rollProgress).toEqual(progress);
    expect(describePoolText(description, NOW, plain)).toContain(
      `Roll progress:    1/3 nodes replaced (eu-west-1a 1/2, eu-west-1b 0/1), 0.5 nodes/min since the roll started, ETA ~4m00s (${progress.etaAt}); counted 10s ago`,
    );
  });
});

describe('describePoolText', () => {
  it('shows conditions, template versions, node group, the update in flight and the history', () => {
    const text = describePoolText(
      describePool({
        poolId: 'my-node-pool',
        row: row({
          update: {
            id: 'u9',
            type: 'VersionUpdate',
            status: 'InProgress',
            createdAt: '2026-01-01T11:58:00.000Z',
            launchTemplateVersion: 3,
            errors: [],
          },
          nodegroup: {
            name: 'my-node-pool',
            status: 'DEGRADED',
            desiredSize: 1,
            healthIssues: [{ code: 'NodeCreationFailure', message: 'boom' }],
          },
        }),
        stored,
        spec: seedPoolSpec(),
      }),
      NOW,
      plain,
    );
    expect(text).toContain(
      'Spec:             s3://b/pools/my-node-pool.yaml (generation 3, observed generation 3)',
    );
    expect(text).toContain(
      'Launch template:  enclave-pools-my-cluster-my-node-pool (lt-1): pinned v2, target v2, last known good v2, latest v2',
    );
    expect(text).toContain('Node group:       my-node-pool DEGRADED, 1 desired (min ?, max ?)');
    expect(text).toContain('  Health issue:   NodeCreationFailure: boom');
    expect(text).toContain(
      'Update:           VersionUpdate u9 InProgress to launch template version 3, started 2m0s ago',
    );
    expect(text).toMatch(/ {2}Ready\s+True\s+Ready\s+5m0s\s+the pool matches its spec/);
    expect(text).toMatch(/ {2}3h ago\s+LaunchTemplateCreated\s+created launch template/);
  });

  it('shows a failed roll with its hint, violations, and a pool with nothing recorded', () => {
    const failed = describePoolText(
      describePool({
        poolId: 'my-node-pool',
        row: row({
          update: { id: 'u1', type: 'VersionUpdate', status: 'Failed', errors: [] },
          failedRoll: {
            updateId: 'u1',
            type: 'VersionUpdate',
            status: 'Failed',
            specHash: 'h',
            generation: 3,
            errorCode: 'PodEvictionFailure',
            errorMessage: 'evictions blocked',
            hint: 'fix the PDB',
            launchTemplateVersion: 3,
            dataHash: 'd',
          },
          failedConfigUpdate: {
            updateId: 'u2',
            type: 'ConfigUpdate',
            status: 'Failed',
            specHash: 'h',
            generation: 3,
            errorCode: 'AccessDenied',
            errorMessage: 'no',
            hint: 'fix IAM',
          },
        }),
        stored,
        violations: [
          { path: 'NodeadmConfig: x', value: 1, rule: 'SomeRule', severity: 'Warning', message: 'look' },
        ],
      }),
      NOW,
      plain,
    );
    expect(failed).toContain('Last update:      VersionUpdate u1 Failed');
    expect(failed).toContain(
      'Failed roll:      PodEvictionFailure (update u1, version 3): evictions blocked',
    );
    expect(failed).toContain('  Hint:           fix the PDB');
    expect(failed).toContain('Failed config:    AccessDenied: no');
    expect(failed).toContain('  SomeRule  NodeadmConfig: x: look');

    const empty = describePoolText(describePool({ poolId: 'new', stored }), NOW, plain);
    expect(empty).toContain('Ready:            Unknown (NotReconciled)');
    expect(empty).toContain('Update:           none in flight');
    expect(empty).toContain('Conditions:\n  none recorded yet');
    expect(empty).toContain('History (newest last):\n  none');
    const gone = describePoolText(describePool({ poolId: 'gone', row: row({ deleted: true }) }), NOW, plain);
    expect(gone).toContain('Spec:             deleted');
  });
});
