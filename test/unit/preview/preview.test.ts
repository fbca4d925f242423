import type { ObservedNodegroup } from '../../../lib/plan/plan-types';
import type { PoolSpec } from '../../../lib/pool-spec';
import { buildPreview, type PreviewInput } from '../../../lib/preview/preview';
import type { PreviewWrite } from '../../../lib/preview/preview-pass';
import { type LaunchTemplateData, renderLaunchTemplateData } from '../../../lib/render/launch-template-data';
import type { StatusRow } from '../../../lib/status/status-row';
import { CLUSTER_FACTS, seedPoolSpec, withMemoryMib } from '../../support/pool-spec-fixture';

function render(spec: PoolSpec): LaunchTemplateData {
  const result = renderLaunchTemplateData(spec, CLUSTER_FACTS, 'ami-0123456789abcdef0');
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  return result.rendered.data;
}

const seedData = render(seedPoolSpec());
const editedData = render(
  withMemoryMib(
    seedPoolSpec({ launchTemplate: { ...seedPoolSpec().launchTemplate, instanceType: 'm5.2xlarge' } }),
    1024,
  ),
);

const nodegroup: ObservedNodegroup = {
  name: 'my-node-pool',
  status: 'ACTIVE',
  tags: {},
  labels: {},
  taints: [],
  subnets: ['subnet-a', 'subnet-b'],
  healthIssues: [],
  scaling: { minSize: 3, maxSize: 3, desiredSize: 3 },
  updateConfig: { maxUnavailable: 1 },
  launchTemplate: { id: 'lt-1', version: 1 },
};

function input(overrides: Partial<PreviewInput>): PreviewInput {
  return {
    poolId: 'my-node-pool',
    outcome: { kind: 'done', summary: 'x' },
    writes: [],
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    updateConfig: {},
    force: false,
    ...overrides,
  };
}

const versionWrite: PreviewWrite = {
  kind: 'CreateLaunchTemplateVersion',
  launchTemplateId: 'lt-1',
  version: 2,
  data: editedData,
  dataHash: 'h2',
};
const rollWrite: PreviewWrite = {
  kind: 'UpdateNodegroupVersion',
  nodegroupName: 'my-node-pool',
  launchTemplateVersion: 2,
  force: false,
};

describe('buildPreview', () => {
  it('for a new pool: a template and a node group to create, no roll', () => {
    const report = buildPreview(
      input({
        writes: [
          {
            kind: 'CreateLaunchTemplate',
            name: 'enclave-pools-my-cluster-my-node-pool',
            data: seedData,
            dataHash: 'h1',
          },
          {
            kind: 'CreateNodegroup',
            nodegroupName: 'my-node-pool',
            launchTemplateVersion: 1,
            desiredSize: 1,
            subnets: ['subnet-a'],
          },
        ],
      }),
    );
    expect(report).toMatchObject({
      roll: false,
      rollReason: 'no node group yet: it is created on launch template version 1 with 1 node',
      launchTemplate: {
        exists: false,
        newVersion: true,
        targetVersion: 1,
        name: 'enclave-pools-my-cluster-my-node-pool',
      },
      nodegroup: {
        exists: false,
        create: { desiredSize: 1, launchTemplateVersion: 1, subnets: ['subnet-a'] },
        delete: false,
      },
    });
    expect(report.impact).toBeUndefined();
    expect(report.launchTemplate.userData.map((p) => [p.label, p.status])).toEqual([
      ['shell', 'added'],
      ['NodeConfig', 'added'],
    ]);
  });

  it('after an edit: field changes, user data diffed per part, roll with its impact', () => {
    const report = buildPreview(
      input({
        writes: [versionWrite, rollWrite],
        pinnedData: seedData,
        nodegroup,
        updateConfig: { maxUnavailable: 2 },
      }),
    );
    expect(report.launchTemplate.changes).toEqual([
      { path: 'InstanceType', kind: 'changed', before: 'm5.xlarge', after: 'm5.2xlarge' },
    ]);
    const [shell, nodeConfig] = report.launchTemplate.userData;
    expect(shell).toMatchObject({ label: 'shell', status: 'changed', diff: { added: 1, removed: 1 } });
    expect(shell?.diff.hunks[0]).toContain(
      '+sed -i "s/memory_mib:.*/memory_mib: 1024/" /etc/nitro_enclaves/allocator.yaml',
    );
    expect(nodeConfig).toMatchObject({ label: 'NodeConfig', status: 'unchanged' });
    expect(report.launchTemplate.userDataBytes.after).toBeGreaterThan(0);
    expect(report).toMatchObject({
      roll: true,
      rollReason: 'the node group runs version 1 and the spec renders a new version 2',
      launchTemplate: { pinnedVersion: 1, targetVersion: 2, newVersion: true },
      nodegroup: { exists: true, status: 'ACTIVE', nodes: 3 },
      impact: {
        nodesToReplace: 3,
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        nodesPerBatch: 2,
        updateStrategy: 'DEFAULT',
      },
    });
  });

  it('a roll that waits for a config update or an update in flight is still a roll', () => {
    const configFirst = buildPreview(
      input({
        writes: [
          versionWrite,
          {
            kind: 'UpdateNodegroupConfig',
            nodegroupName: 'my-node-pool',
            changes: { labels: { addOrUpdate: { a: 'b' }, remove: [] } },
          },
        ],
        pinnedData: seedData,
        nodegroup,
      }),
    );
    expect(configFirst).toMatchObject({
      roll: true,
      nodegroup: { configChanges: { labels: { addOrUpdate: { a: 'b' } } } },
    });
    expect(configFirst.rollReason).toBe(
      'the node group runs version 1, which differs from the spec; the roll follows the config update',
    );

    const previous = {
      update: { id: 'u7', type: 'ConfigUpdate', status: 'InProgress', errors: [] },
    } as unknown as StatusRow;
    const waiting = buildPreview(
      input({ writes: [versionWrite], pinnedData: seedData, nodegroup, previous }),
    );
    expect(waiting).toMatchObject({ roll: true, inFlight: { id: 'u7', type: 'ConfigUpdate' } });
    expect(waiting.rollReason).toContain('starts after update u7 (ConfigUpdate) ends');
  });

  it('reports config changes the reconciler makes after the roll', () => {
    const pendingConfigChanges = { labels: { addOrUpdate: { team: 'payments' }, remove: [] } };
    const afterRoll = buildPreview(
      input({ writes: [versionWrite, rollWrite], pinnedData: seedData, nodegroup, pendingConfigChanges }),
    );
    expect(afterRoll.nodegroup).toMatchObject({ configChanges: pendingConfigChanges, configAfterRoll: true });
    const now = buildPreview(
      input({
        writes: [
          { kind: 'UpdateNodegroupConfig', nodegroupName: 'my-node-pool', changes: pendingConfigChanges },
        ],
        pinnedData: seedData,
        nodegroup,
        pendingConfigChanges,
      }),
    );
    expect(now.nodegroup).toMatchObject({ configChanges: pendingConfigChanges, configAfterRoll: false });
  });

  it('no change: no version, no roll; a deleted spec: no roll either', () => {
    const same = buildPreview(input({ pinnedData: seedData, nodegroup }));
    expect(same).toMatchObject({ roll: false, launchTemplate: { newVersion: false, changes: [] } });
    expect(same.rollReason).toBe('the node group already runs version 1, whose data matches the spec');
    const gone = buildPreview(
      input({
        writes: [{ kind: 'DeleteNodegroup', nodegroupName: 'my-node-pool' }],
        pinnedData: seedData,
        nodegroup,
      }),
    );
    expect(gone).toMatchObject({ roll: false, nodegroup: { delete: true } });
  });

  it('rolls back to an existing version without creating one', () => {
    const report = buildPreview(
      input({
        writes: [{ ...rollWrite, launchTemplateVersion: 1 }],
        pinnedData: editedData,
        existingTargetData: seedData,
        nodegroup: { ...nodegroup, launchTemplate: { id: 'lt-1', version: 2 } },
      }),
    );
    expect(report).toMatchObject({ roll: true, launchTemplate: { newVersion: false } });
    expect(report.rollReason).toBe('the node group runs version 2 and the spec renders version 1');
    expect(report.launchTemplate.changes).toEqual([
      { path: 'InstanceType', kind: 'changed', before: 'm5.2xlarge', after: 'm5.xlarge' },
    ]);
  });

  it('lists the Error conditions the pass would leave as problems', () => {
    const next = {
      conditions: [
        {
          type: 'SpecValid',
          status: 'False',
          reason: 'InstanceTypeNotEnclaveCapable',
          message: 't3.large',
          severity: 'Error',
        },
        {
          type: 'Ready',
          status: 'False',
          reason: 'InstanceTypeNotEnclaveCapable',
          message: 't3.large',
          severity: 'Error',
        },
        {
          type: 'EKSNodegroupReady',
          status: 'False',
          reason: 'NodegroupCreating',
          message: '',
          severity: 'Info',
        },
      ],
    } as unknown as StatusRow;
    expect(buildPreview(input({ next })).problems.map((c) => c.type)).toEqual(['SpecValid']);
  });
});
