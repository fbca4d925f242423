import { describeWrite, previewText } from '../../../lib/cli/preview-text';
import { styler } from '../../../lib/cli/terminal';
import type { Preview } from '../../../lib/preview/preview';
import type { PreviewWrite } from '../../../lib/preview/preview-pass';

const plain = styler(false);

function report(overrides: Partial<Preview> = {}): Preview {
  return {
    poolId: 'p',
    outcome: { kind: 'done', summary: '' },
    problems: [],
    launchTemplate: {
      name: 'lt-name',
      id: 'lt-1',
      exists: true,
      pinnedVersion: 1,
      targetVersion: 2,
      newVersion: true,
      changes: [
        { path: 'InstanceType', kind: 'changed', before: 'm5.xlarge', after: 'm5.2xlarge' },
        { path: 'KeyName', kind: 'added', after: 'ops' },
        { path: 'SecurityGroupIds[0]', kind: 'removed', before: 'sg-1' },
      ],
      userData: [
        {
          label: 'shell',
          contentType: 'text/x-shellscript; charset="us-ascii"',
          status: 'changed',
          diff: { changed: true, added: 1, removed: 1, hunks: ['@@ -1,1 +1,1 @@\n-a\n+b'] },
        },
        {
          label: 'NodeConfig',
          contentType: 'application/node.eks.aws',
          status: 'unchanged',
          diff: { changed: false, added: 0, removed: 0, hunks: [] },
        },
      ],
      userDataBytes: { before: 100, after: 101 },
    },
    nodegroup: {
      name: 'ng',
      exists: true,
      status: 'ACTIVE',
      nodes: 2,
      configChanges: {
        labels: { addOrUpdate: { team: 'x' }, remove: ['old'] },
        taints: {
          addOrUpdate: [{ key: 'k', value: 'v', effect: 'NO_SCHEDULE' }],
          remove: [{ key: 'z', effect: 'NO_EXECUTE' }],
        },
        scaling: { minSize: 1, maxSize: 3, desiredSize: 2 },
        updateConfig: { maxUnavailable: 2 },
      },
      configAfterRoll: false,
      delete: false,
    },
    roll: true,
    rollReason: 'because',
    impact: {
      nodesToReplace: 2,
      availabilityZones: ['a'],
      updateStrategy: 'DEFAULT',
      maxUnavailable: '1',
      nodesPerBatch: 1,
      batches: 2,
      maxExtraInstances: 2,
      force: false,
      summary: 'will replace 2 nodes',
    },
    inFlight: { id: 'u1', type: 'ConfigUpdate', status: 'InProgress' },
    writes: [
      {
        kind: 'CreateLaunchTemplateVersion',
        launchTemplateId: 'lt-1',
        version: 2,
        data: {} as never,
        dataHash: 'h',
      },
    ],
    ...overrides,
  };
}

describe('previewText', () => {
  it('prints the diff, the user data hunks, the node group changes, the roll and the steps', () => {
    const text = previewText(report(), 'pool.yaml', plain);
    expect(text).toBe(
      [
        'Pool p (pool.yaml)',
        '',
        'Launch template lt-name (lt-1): node group pinned to version 1',
        '  new version: yes (version 2)',
        '  ~ InstanceType: "m5.xlarge" → "m5.2xlarge"',
        '  + KeyName: "ops"',
        '  - SecurityGroupIds[0]: "sg-1"',
        '  ~ UserData: 100 → 101 bytes (decoded and diffed below)',
        '',
        'User data, shell part (text/x-shellscript): changed, +1 -1 lines',
        '@@ -1,1 +1,1 @@',
        '-a',
        '+b',
        '',
        'User data, NodeConfig (application/node.eks.aws): unchanged',
        '',
        'Node group ng: ACTIVE, 2 nodes',
        '  ~ label team=x',
        '  - label old',
        '  ~ taint k=v:NO_SCHEDULE',
        '  - taint z:NO_EXECUTE',
        '  ~ scaling min 1, max 3, desired 2',
        '  ~ updateConfig {"maxUnavailable":2}',
        '  update in flight: u1 (ConfigUpdate, InProgress)',
        '',
        'roll: yes (because)',
        '  will replace 2 nodes',
        '  nodes to replace: 2; AZs: a; update strategy: DEFAULT; max unavailable: 1',
        '',
        'The reconciler would:',
        '  1. create launch template version 2',
        'Nothing was written.',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing changes, when the template and node group are new, and when the pass stops', () => {
    const same = previewText(
      report({
        launchTemplate: {
          ...report().launchTemplate,
          newVersion: false,
          changes: [],
          userData: [],
          userDataBytes: {},
        },
        roll: false,
        writes: [],
        nodegroup: { exists: false, configAfterRoll: false, delete: false },
      }),
      'f',
      plain,
    );
    expect(same).toContain('  new version: no\n  no field changes');
    expect(same).toContain('Node group: none yet');
    expect(same).toContain('The reconciler would change nothing: the pool matches this spec.');
    const created = previewText(
      report({
        launchTemplate: { ...report().launchTemplate, exists: false },
        nodegroup: {
          name: 'ng',
          exists: false,
          create: { desiredSize: 1, launchTemplateVersion: 1, subnets: [] },
          configAfterRoll: false,
          delete: false,
        },
      }),
      'f',
      plain,
    );
    expect(created).toContain('Launch template lt-name (lt-1): created');
    expect(created).toContain('Node group ng: created with 1 node in the cluster subnets');
    const stopped = previewText(
      report({
        problems: [
          {
            type: 'SpecValid',
            status: 'False',
            reason: 'Bad',
            message: 'fix it',
            severity: 'Error',
            lastTransitionTime: '',
            observedGeneration: 1,
          },
        ],
      }),
      'f',
      plain,
    );
    expect(stopped).toContain('The reconciler would stop here:\n  SpecValid Bad: fix it');
    expect(stopped).toContain('Nothing would change in AWS until these are fixed.');
  });
});

describe('previewText with config changes queued behind the roll', () => {
  it('says they come after the update in flight', () => {
    const base = report();
    const text = previewText(
      report({
        nodegroup: {
          ...base.nodegroup,
          configChanges: { labels: { addOrUpdate: { team: 'x' }, remove: [] } },
          configAfterRoll: true,
        },
      }),
      'f',
      plain,
    );
    expect(text).toContain(
      '  config changes (made by the pass after the update in flight ends):\n  ~ label team=x',
    );
    expect(text).toContain(
      '  then: update node group ng config: labels (UpdateNodegroupConfig, once the update in flight ends)',
    );
  });
});

describe('describeWrite', () => {
  it.each<[PreviewWrite, string]>([
    [
      { kind: 'CreateLaunchTemplate', name: 'n', data: {} as never, dataHash: '' },
      'create launch template n (version 1)',
    ],
    [
      { kind: 'DeleteLaunchTemplateVersions', launchTemplateId: 'lt', versions: [1, 2] },
      'delete old launch template versions 1, 2',
    ],
    [{ kind: 'DeleteLaunchTemplate', launchTemplateId: 'lt' }, 'delete the launch template'],
    [
      { kind: 'CreateNodegroup', nodegroupName: 'ng', launchTemplateVersion: 1, desiredSize: 3, subnets: [] },
      'create node group ng on version 1 with 3 nodes',
    ],
    [
      { kind: 'UpdateNodegroupVersion', nodegroupName: 'ng', launchTemplateVersion: 4, force: true },
      'roll node group ng to launch template version 4 (UpdateNodegroupVersion, force)',
    ],
    [
      {
        kind: 'UpdateNodegroupConfig',
        nodegroupName: 'ng',
        changes: { scaling: { minSize: 1, maxSize: 1, desiredSize: 1 } },
      },
      'update node group ng config: scaling (UpdateNodegroupConfig)',
    ],
    [{ kind: 'TagNodegroup', tags: { a: 'b' } }, 'tag the node group with a'],
    [{ kind: 'DeleteNodegroup', nodegroupName: 'ng' }, 'delete node group ng'],
  ])('%p', (write, text) => {
    expect(describeWrite(write)).toBe(text);
  });
});
