import { plan } from '../../../lib/plan/plan';
import type { Action, Desired, Observed, Plan } from '../../../lib/plan/plan-types';
import type { UpdateRecord } from '../../../lib/status/status-row';
import {
  absent,
  desired,
  failedRollRecord,
  HASH_V1,
  HASH_V2,
  HASH_V3,
  LT_ID,
  launchTemplate,
  nodegroup,
  observed,
  POLICY,
  ROLE_ARN,
  SPEC_HASH,
  versionUpdate,
} from './plan-fixtures';

function tokenOf(action: Action | undefined): string | undefined {
  return action && 'clientRequestToken' in action ? action.clientRequestToken : undefined;
}

function kinds(p: Plan): Action['kind'][] {
  return p.actions.map((a) => a.kind);
}

function condition(p: Plan, type: string): string | undefined {
  const c = p.conditions.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}` : undefined;
}

const rollUpdate = versionUpdate;

const podEviction = {
  code: 'PodEvictionFailure',
  message: 'Reached max retries while trying to evict pods from nodes',
};

const failedRoll = failedRollRecord;

interface Case {
  name: string;
  desired: Desired;
  observed: Observed;
  actions: Action['kind'][];
  conditions?: Record<string, string>;
  requeue?: number;
  terminal?: string;
}

const cases: Case[] = [
  {
    name: 'nothing exists: create the launch template first',
    desired: desired(),
    observed: observed({ nodeRoleArn: ROLE_ARN }),
    actions: ['CreateLaunchTemplate'],
    conditions: { LaunchTemplateReady: 'False/LaunchTemplateChanging', SpecValid: 'True/SpecValid' },
  },
  {
    name: 'template without a version for this data: create one',
    desired: desired({ dataHash: HASH_V2 }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    actions: ['CreateLaunchTemplateVersion'],
  },
  {
    name: 'template ready, no node group: create it on the matching version',
    desired: desired(),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodeRoleArn: ROLE_ARN }),
    actions: ['CreateNodegroup'],
    conditions: {
      LaunchTemplateReady: 'True/LaunchTemplateUpToDate',
      EKSNodegroupReady: 'False/NodegroupCreating',
    },
  },
  {
    name: 'node role missing: a condition, no create',
    desired: desired(),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]) }),
    actions: [],
    conditions: { EKSNodegroupReady: 'False/NodeRoleNotFound' },
    terminal: 'NodeRoleNotFound',
  },
  {
    name: 'no subnet to place the node group',
    desired: desired({ nodegroup: { subnets: [] } }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodeRoleArn: ROLE_ARN }),
    actions: [],
    terminal: 'NoSubnets',
  },
  {
    name: 'in sync: nothing to do, everything True',
    desired: desired(),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    actions: [],
    conditions: {
      SpecValid: 'True/SpecValid',
      LaunchTemplateReady: 'True/LaunchTemplateUpToDate',
      EKSNodegroupReady: 'True/NodegroupActive',
      NodegroupUpdating: 'False/NoUpdateInProgress',
    },
  },
  {
    name: 'a template of our name without our tags is never adopted',
    desired: desired(),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1], { tags: { Name: 'hand-made' } }) }),
    actions: [],
    conditions: { LaunchTemplateReady: 'False/LaunchTemplateNotOwned' },
    terminal: 'LaunchTemplateNotOwned',
  },
  {
    name: 'a node group of our name without our tags is never adopted',
    desired: desired(),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup({ tags: {} }) }),
    actions: [],
    terminal: 'NodegroupNotOwned',
  },
  {
    name: 'a node group on another template cannot be moved to ours',
    desired: desired(),
    observed: observed({
      nodegroup: nodegroup({ launchTemplate: { id: 'lt-other', version: 1 } }),
    }),
    actions: [],
    terminal: 'NodegroupImmutableFieldChanged',
  },
  {
    name: 'node group CREATING: wait',
    desired: desired(),
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1]),
      nodegroup: nodegroup({ status: 'CREATING' }),
    }),
    actions: [],
    requeue: POLICY.requeueSeconds.creating,
    conditions: { EKSNodegroupReady: 'False/NodegroupCreating' },
  },
  {
    name: 'node group UPDATING: wait, reported as updating',
    desired: desired({ dataHash: HASH_V2 }),
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
      nodegroup: nodegroup({ status: 'UPDATING', version: 2 }),
      update: rollUpdate('InProgress'),
    }),
    actions: [],
    requeue: POLICY.requeueSeconds.updating,
    conditions: { NodegroupUpdating: 'True/UpdateInProgress', EKSNodegroupReady: 'True/NodegroupUpdating' },
  },
  {
    name: 'EKS said ResourceInUse: wait the busy delay',
    desired: desired({ dataHash: HASH_V2 }),
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
      nodegroup: nodegroup(),
      nodegroupBusy: true,
    }),
    actions: [],
    requeue: POLICY.requeueSeconds.busy,
  },
  {
    name: 'node group pinned to an older version: roll it',
    desired: desired({ dataHash: HASH_V2 }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1, HASH_V2]), nodegroup: nodegroup() }),
    actions: ['UpdateNodegroupVersion'],
  },
  {
    name: 'a roll and a config change: the roll first, one update at a time',
    desired: desired({ dataHash: HASH_V2, nodegroup: { labels: { a: 'b' } } }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1, HASH_V2]), nodegroup: nodegroup() }),
    actions: ['UpdateNodegroupVersion'],
  },
  {
    name: 'labels, taints, scaling and update config differ: one config update',
    desired: desired({
      nodegroup: {
        labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled', team: 'x' },
        taints: [{ key: 'enclave', effect: 'NO_SCHEDULE' }],
        scaling: { minSize: 1, maxSize: 3, desiredSize: 2 },
        updateConfig: { maxUnavailablePercentage: 50 },
      },
    }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    actions: ['UpdateNodegroupConfig'],
    conditions: { EKSNodegroupReady: 'True/NodegroupUpdating' },
  },
  {
    name: 'missing ownership tags on our node group are added back',
    desired: desired({ nodegroup: { tags: { ...nodegroup().tags, team: 'x' } } }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    actions: ['TagNodegroup'],
  },
  {
    name: 'a DEGRADED node group is reported, not treated as an error that blocks updates',
    desired: desired({ dataHash: HASH_V2 }),
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
      nodegroup: nodegroup({
        status: 'DEGRADED',
        healthIssues: [{ code: 'AsgInstanceLaunchFailures', message: 'x' }],
      }),
    }),
    actions: ['UpdateNodegroupVersion'],
  },
  {
    name: 'DEGRADED and in sync: a warning',
    desired: desired(),
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1]),
      nodegroup: nodegroup({
        status: 'DEGRADED',
        healthIssues: [{ code: 'AsgInstanceLaunchFailures', message: 'x' }],
      }),
    }),
    actions: [],
    conditions: { EKSNodegroupReady: 'False/NodegroupDegraded' },
  },
  {
    name: 'CREATE_FAILED: a terminal condition with the health issues',
    desired: desired(),
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1]),
      nodegroup: nodegroup({ status: 'CREATE_FAILED' }),
    }),
    actions: [],
    terminal: 'NodegroupCreateFailed',
  },
  {
    name: 'capacity type changed: cannot change in place, reported',
    desired: desired({ nodegroup: { capacityType: 'SPOT' } }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    actions: [],
    terminal: 'NodegroupImmutableFieldChanged',
  },
  {
    name: 'explicit subnets changed: reported; defaulted subnets are not compared',
    desired: desired({ nodegroup: { subnets: ['subnet-x'], subnetsExplicit: true } }),
    observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    actions: [],
    terminal: 'NodegroupImmutableFieldChanged',
  },
  {
    name: 'a roll past the version bound also prunes old versions',
    desired: desired({ dataHash: HASH_V3 }),
    observed: observed({
      launchTemplate: launchTemplate(['a', 'b', 'c', 'd', 'e', HASH_V3].map((h) => h.padEnd(64, '0'))),
      nodegroup: nodegroup({ version: 4 }),
      previous: { lastKnownGoodVersion: 3 },
    }),
    actions: ['UpdateNodegroupVersion', 'PruneLaunchTemplateVersions'],
  },
];

describe('plan', () => {
  it.each(cases)('$name', (c) => {
    const result = plan(c.desired, c.observed);
    expect(kinds(result)).toEqual(c.actions);
    for (const [type, expected] of Object.entries(c.conditions ?? {}))
      expect(condition(result, type)).toBe(expected);
    expect(result.requeueAfterSeconds).toBe(c.requeue);
    expect(result.requeueReason !== undefined).toBe(c.requeue !== undefined);
    expect(result.terminal?.reason).toBe(c.terminal);
  });

  it('re-tags with every desired tag, so the request carries the ownership tag IAM asks for', () => {
    const wanted = { ...nodegroup().tags, team: 'x' };
    const result = plan(
      desired({ nodegroup: { tags: wanted } }),
      observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    );
    expect(result.actions).toEqual([expect.objectContaining({ kind: 'TagNodegroup', tags: wanted })]);
  });

  it('says why it waits', () => {
    const creating = plan(
      desired(),
      observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup({ status: 'CREATING' }) }),
    );
    expect(creating.requeueReason).toBe('NodegroupCreating');
    const busy = plan(
      desired(),
      observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup(), nodegroupBusy: true }),
    );
    expect(busy.requeueReason).toBe('NodegroupBusy');
  });

  it('creates the node group with the launch template id, a numeric version, CUSTOM and the spec fields', () => {
    const result = plan(
      desired(),
      observed({ launchTemplate: launchTemplate([HASH_V1]), nodeRoleArn: ROLE_ARN }),
    );
    expect(result.actions[0]).toMatchObject({
      kind: 'CreateNodegroup',
      launchTemplateId: LT_ID,
      launchTemplateVersion: 1,
      amiType: 'CUSTOM',
      nodeRoleArn: ROLE_ARN,
      labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled' },
      scaling: { minSize: 1, maxSize: 1, desiredSize: 1 },
      subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
    });
  });

  it('rolls with the same template id, the target version, force only when asked, and a stable token', () => {
    const d = desired({ dataHash: HASH_V2, nodegroup: { force: true } });
    const o = observed({ launchTemplate: launchTemplate([HASH_V1, HASH_V2]), nodegroup: nodegroup() });
    const first = plan(d, o);
    expect(first.actions[0]).toMatchObject({
      kind: 'UpdateNodegroupVersion',
      launchTemplateId: LT_ID,
      launchTemplateVersion: 2,
      force: true,
    });
    expect(plan(d, o).actions).toEqual(first.actions);
    const rewritten = plan({ ...d, generation: 9 }, o).actions[0];
    // Both plans roll, each with a token, and a rewritten spec gets a new one.
    expect(rewritten).toMatchObject({
      kind: 'UpdateNodegroupVersion',
      clientRequestToken: expect.any(String),
    });
    expect(first.actions[0]).toMatchObject({ clientRequestToken: expect.any(String) });
    expect(rewritten).not.toMatchObject({ clientRequestToken: tokenOf(first.actions[0]) });
  });

  it('reuses an existing version with the same data instead of creating another (a retried pass)', () => {
    const result = plan(
      desired({ dataHash: HASH_V2 }),
      observed({
        launchTemplate: launchTemplate([HASH_V1, HASH_V2, HASH_V3]),
        nodegroup: nodegroup({ version: 3 }),
      }),
    );
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'UpdateNodegroupVersion', launchTemplateVersion: 2 }),
    ]);
  });

  it('computes the config changes: labels to add and remove, taints, scaling', () => {
    const result = plan(
      desired({
        nodegroup: {
          labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled', team: 'x' },
          taints: [{ key: 'enclave', value: 'true', effect: 'NO_SCHEDULE' }],
          scaling: { minSize: 1, maxSize: 3, desiredSize: 2 },
        },
      }),
      observed({
        launchTemplate: launchTemplate([HASH_V1]),
        nodegroup: nodegroup({
          labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled', old: 'y' },
          taints: [{ key: 'legacy', effect: 'NO_EXECUTE' }],
        }),
      }),
    );
    expect(result.actions[0]).toMatchObject({
      kind: 'UpdateNodegroupConfig',
      changes: {
        labels: { addOrUpdate: { team: 'x' }, remove: ['old'] },
        taints: {
          addOrUpdate: [{ key: 'enclave', value: 'true', effect: 'NO_SCHEDULE' }],
          remove: [{ key: 'legacy', effect: 'NO_EXECUTE' }],
        },
        scaling: { minSize: 1, maxSize: 3, desiredSize: 2 },
      },
    });
  });

  it('prunes only unprotected versions: never the pinned, last known good, default or target', () => {
    const hashes = ['a', 'b', 'c', 'd', 'e', 'f', HASH_V3].map((h) => h.padEnd(64, '0'));
    const result = plan(
      desired({ dataHash: HASH_V3 }),
      observed({
        launchTemplate: launchTemplate(hashes),
        nodegroup: nodegroup({ version: 7 }),
        previous: { lastKnownGoodVersion: 3 },
      }),
    );
    const prune = result.actions.find((a) => a.kind === 'PruneLaunchTemplateVersions');
    expect(prune).toEqual({
      kind: 'PruneLaunchTemplateVersions',
      launchTemplateId: LT_ID,
      versions: [2, 4, 5, 6],
    });
  });

  it('records the pinned version as last known good when the node group is ACTIVE on the target', () => {
    const result = plan(
      desired(),
      observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
    );
    expect(result.record.lastKnownGoodVersion).toBe(1);
  });

  describe('roll outcomes', () => {
    const inFlight = { previous: { update: rollUpdate('InProgress') } };

    it('a successful roll makes its version the last known good one, once', () => {
      const d = desired({ dataHash: HASH_V2, generation: 2 });
      const o = observed({
        launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
        nodegroup: nodegroup({ version: 2 }),
        update: rollUpdate('Successful'),
        ...inFlight,
      });
      const result = plan(d, o);
      expect(result.actions).toEqual([]);
      expect(result.record.lastKnownGoodVersion).toBe(2);
      expect(result.record.failedRoll).toBeNull();
      expect(result.record.events.map((e) => e.event)).toEqual(['RollSucceeded']);
      expect(condition(result, 'Ready')).toBeUndefined();
      const again = plan(d, { ...o, previous: { update: rollUpdate('Successful') } });
      expect(again.record.events).toEqual([]);
    });

    it('a failed roll is recorded with its EKS code and hint, and not retried', () => {
      const d = desired({ dataHash: HASH_V2, generation: 2 });
      const result = plan(
        d,
        observed({
          launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
          nodegroup: nodegroup({ version: 1 }),
          update: rollUpdate('Failed', { errors: [podEviction] }),
          ...inFlight,
        }),
      );
      expect(result.actions).toEqual([]);
      expect(result.record.failedRoll).toMatchObject({
        errorCode: 'PodEvictionFailure',
        launchTemplateVersion: 2,
        dataHash: HASH_V2,
        generation: 2,
      });
      expect(result.record.failedRoll?.hint).toMatch(/PodDisruptionBudget.*force/);
      expect(condition(result, 'EKSNodegroupReady')).toBe('False/NodegroupUpdateFailed');
      const ready = result.conditions.find((c) => c.type === 'EKSNodegroupReady');
      expect(ready?.message).toContain('PodEvictionFailure');
      expect(ready?.message).toContain(podEviction.message);
      expect(result.terminal?.reason).toBe('NodegroupUpdateFailed');
    });

    it('a recorded failure keeps blocking on later passes of the same spec (no retry loop)', () => {
      const result = plan(
        desired({ dataHash: HASH_V2, generation: 2 }),
        observed({
          launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
          nodegroup: nodegroup({ version: 1 }),
          update: rollUpdate('Failed', { errors: [podEviction] }),
          previous: { failedRoll: failedRoll(), update: rollUpdate('Failed', { errors: [podEviction] }) },
        }),
      );
      expect(result.actions).toEqual([]);
      expect(result.terminal?.reason).toBe('NodegroupUpdateFailed');
    });

    it('also when EKS left the failed version pinned', () => {
      const result = plan(
        desired({ dataHash: HASH_V2, generation: 2 }),
        observed({
          launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
          nodegroup: nodegroup({ version: 2 }),
          previous: { failedRoll: failedRoll() },
        }),
      );
      expect(result.actions).toEqual([]);
      expect(result.terminal?.reason).toBe('NodegroupUpdateFailed');
      expect(result.record.lastKnownGoodVersion).toBeUndefined();
    });

    it('writing the spec again (a new generation) retries the same version', () => {
      for (const version of [1, 2]) {
        const result = plan(
          desired({ dataHash: HASH_V2, generation: 3, nodegroup: { force: true } }),
          observed({
            launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
            nodegroup: nodegroup({ version }),
            previous: { failedRoll: failedRoll() },
          }),
        );
        expect(kinds(result)).toEqual(['UpdateNodegroupVersion']);
        expect(result.record.failedRoll).toBeNull();
      }
    });

    it('a changed spec rolls to a new version past the failed one', () => {
      const result = plan(
        desired({ dataHash: HASH_V3, generation: 3 }),
        observed({
          launchTemplate: launchTemplate([HASH_V1, HASH_V2, HASH_V3]),
          nodegroup: nodegroup({ version: 1 }),
          previous: { failedRoll: failedRoll() },
        }),
      );
      expect(result.actions).toEqual([
        expect.objectContaining({ kind: 'UpdateNodegroupVersion', launchTemplateVersion: 3 }),
      ]);
    });

    it('a failed roll does not block config updates', () => {
      const result = plan(
        desired({ dataHash: HASH_V1, generation: 2, nodegroup: { labels: { team: 'x' } } }),
        observed({
          launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
          nodegroup: nodegroup({ version: 1 }),
          previous: { failedRoll: failedRoll() },
        }),
      );
      expect(kinds(result)).toEqual(['UpdateNodegroupConfig']);
    });

    it('a failed config update is recorded and not retried until the spec is written again', () => {
      const d = desired({ generation: 2, nodegroup: { labels: { team: 'x' } } });
      const configUpdate: UpdateRecord = {
        id: 'upd-2',
        type: 'ConfigUpdate',
        status: 'Failed',
        specHash: SPEC_HASH,
        generation: 2,
        errors: [{ code: 'InvalidRequest', message: 'nope' }],
      };
      const o = observed({
        launchTemplate: launchTemplate([HASH_V1]),
        nodegroup: nodegroup(),
        update: configUpdate,
        previous: { update: { ...configUpdate, status: 'InProgress' } },
      });
      const result = plan(d, o);
      expect(result.actions).toEqual([]);
      expect(result.record.failedConfigUpdate).toMatchObject({ errorCode: 'InvalidRequest' });
      expect(result.terminal?.reason).toBe('NodegroupUpdateFailed');
      expect(
        kinds(
          plan(
            { ...d, generation: 3 },
            { ...o, previous: { failedConfigUpdate: result.record.failedConfigUpdate ?? undefined } },
          ),
        ),
      ).toEqual(['UpdateNodegroupConfig']);
    });
  });

  describe('deletion (spec gone)', () => {
    it.each([
      {
        name: 'deletes our node group first',
        observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
        actions: ['DeleteNodegroup'],
      },
      {
        name: 'waits while it is DELETING',
        observed: observed({
          launchTemplate: launchTemplate([HASH_V1]),
          nodegroup: nodegroup({ status: 'DELETING' }),
        }),
        actions: [],
        requeue: POLICY.requeueSeconds.deleting,
      },
      {
        name: 'waits while an update keeps it busy',
        observed: observed({ nodegroup: nodegroup(), nodegroupBusy: true }),
        actions: [],
        requeue: POLICY.requeueSeconds.busy,
      },
      {
        name: 'then deletes our launch template',
        observed: observed({ launchTemplate: launchTemplate([HASH_V1]) }),
        actions: ['DeleteLaunchTemplate'],
      },
      {
        name: 'never deletes a node group that is not ours',
        observed: observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup({ tags: {} }) }),
        actions: [],
        terminal: 'NodegroupNotOwned',
      },
      {
        name: 'never deletes a template that is not ours',
        observed: observed({ launchTemplate: launchTemplate([HASH_V1], { tags: {} }) }),
        actions: [],
        deleted: true,
      },
      {
        name: 'reports deleted once everything is gone',
        observed: observed(),
        actions: [],
        deleted: true,
      },
    ])(
      '$name',
      (c: {
        observed: Observed;
        actions: string[];
        requeue?: number;
        terminal?: string;
        deleted?: boolean;
      }) => {
        const result = plan(absent(), c.observed);
        expect(kinds(result)).toEqual(c.actions);
        expect(result.requeueAfterSeconds).toBe(c.requeue);
        expect(result.terminal?.reason).toBe(c.terminal);
        expect(result.record.deleted).toBe(c.deleted);
      },
    );
  });

  it('is pure: the same input gives the same plan and is not modified', () => {
    const d = desired({ dataHash: HASH_V2 });
    const o = observed({ launchTemplate: launchTemplate([HASH_V1, HASH_V2]), nodegroup: nodegroup() });
    const before = JSON.stringify([d, o]);
    expect(plan(d, o)).toEqual(plan(d, o));
    expect(JSON.stringify([d, o])).toBe(before);
  });
});
