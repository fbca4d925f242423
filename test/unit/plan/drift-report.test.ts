import { plan } from '../../../lib/plan/plan';
import type { Observed, ObservedFleet } from '../../../lib/plan/plan-types';
import type { VerificationRecord } from '../../../lib/status/status-row';
import {
  desired,
  HASH_V1,
  HASH_V2,
  LT_ID,
  launchTemplate,
  nodegroup,
  observed,
  SPEC_HASH,
} from './plan-fixtures';

/** Drift policy report (decision 0122): each row is one pass's input and what the plan must say. */

const report = (generation = 1) =>
  desired({ generation, policies: { rollback: 'off', roll: 'auto', drift: 'report', autoscalerTags: true } });
const converged = { converged: { specHash: SPEC_HASH, generation: 1 } };

interface Row {
  name: string;
  generation?: number;
  observed: Observed;
  drifted: string;
  fields?: string[];
  actions?: string[];
}

const rows: Row[] = [
  {
    name: 'converged and unchanged: Drifted=False, nothing to do',
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1]),
      nodegroup: nodegroup(),
      previous: converged,
    }),
    drifted: 'False/NoDrift',
    actions: [],
  },
  {
    name: 'a label removed and the scaling changed out of band: listed, not reverted',
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1]),
      nodegroup: nodegroup({ labels: { extra: 'x' }, scaling: { minSize: 1, maxSize: 3, desiredSize: 2 } }),
      previous: converged,
    }),
    drifted: 'True/DriftReported',
    fields: [
      'labels.aws-nitro-enclaves-k8s-dp: observed none, desired "enabled"',
      'labels.extra: observed "x", desired none',
      'scaling.maxSize: observed 3, desired 1',
      'scaling.desiredSize: observed 2, desired 1',
    ],
  },
  {
    name: 'rolled out of band to another version: the pinned version is listed, no roll back',
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
      nodegroup: nodegroup({ version: 2 }),
      previous: converged,
    }),
    drifted: 'True/DriftReported',
    fields: ['launchTemplate.pinnedVersion: observed 2, desired 1'],
  },
  {
    name: 'taints, update config and a tag changed: each is listed',
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1]),
      nodegroup: nodegroup({
        taints: [{ key: 'k', value: 'v', effect: 'NO_SCHEDULE' }],
        updateConfig: { maxUnavailable: 2 },
        tags: { ...nodegroup().tags, 'kubernetes.io/cluster/my-cluster': 'shared' },
      }),
      previous: converged,
    }),
    drifted: 'True/DriftReported',
    fields: [
      'taints: observed [k=v:NO_SCHEDULE], desired []',
      'updateConfig: observed {"maxUnavailable":2}, desired {"maxUnavailable":1}',
      'tags.kubernetes.io/cluster/my-cluster: observed "shared", desired "owned"',
    ],
  },
  {
    name: 'the matching version deleted out of band: listed, not cut again',
    observed: observed({
      launchTemplate: launchTemplate([HASH_V2]),
      nodegroup: nodegroup(),
      previous: converged,
    }),
    drifted: 'True/DriftReported',
    fields: ['launchTemplate.version: observed no version with the spec data'],
  },
  {
    name: 'the spec written again (new generation): the spec is applied, drift or not',
    generation: 2,
    observed: observed({
      launchTemplate: launchTemplate([HASH_V1]),
      nodegroup: nodegroup({ labels: {} }),
      previous: converged,
    }),
    drifted: 'False/NoDrift',
    actions: ['UpdateNodegroupConfig'],
  },
];

/** The drift check's listing: i-ok has enclaves, i-bare lost them since the last check. */
const listing: ObservedFleet = {
  autoScalingGroup: {
    name: 'eks-g',
    launchTemplate: { id: LT_ID, version: '1' },
    tags: {},
    desiredCapacity: 2,
  },
  instances: ['i-ok', 'i-bare'].map((id) => ({
    instanceId: id,
    launchTime: '2026-01-01T00:00:00.000Z',
    state: 'running',
    enclavesEnabled: id === 'i-ok',
    launchTemplateId: LT_ID,
    launchTemplateVersion: '1',
  })),
};
const verifiedAfterRoll: VerificationRecord = {
  launchTemplateVersion: 1,
  afterUpdateId: 'u1',
  result: 'Verified',
  instancesChecked: 2,
  withoutEnclaves: [],
  onOtherVersion: [],
  at: '2026-01-01T00:00:00.000Z',
};

describe('plan: drift policy report, instances without enclaves', () => {
  const settled = nodegroup({
    autoScalingGroups: ['eks-g'],
    scaling: { minSize: 2, maxSize: 2, desiredSize: 2 },
  });
  const twoNodes = () => {
    const d = report();
    return { ...d, nodegroup: { ...d.nodegroup, scaling: { minSize: 2, maxSize: 2, desiredSize: 2 } } };
  };

  it("lists the drift check's bare instance and records the check for the same update (no roll back, no re-read)", () => {
    const result = plan(
      twoNodes(),
      observed({
        launchTemplate: launchTemplate([HASH_V1]),
        nodegroup: settled,
        fleet: listing,
        previous: { ...converged, verification: verifiedAfterRoll },
      }),
    );
    const drifted = result.conditions.find((c) => c.type === 'Drifted');
    expect(`${drifted?.status}/${drifted?.reason}`).toBe('True/DriftReported');
    expect(drifted?.message).toContain(
      'instances.i-bare.EnclaveOptions.Enabled: observed false, desired true',
    );
    expect(drifted?.message).not.toContain('i-ok');
    expect(result.actions).toEqual([]);
    expect(result.record.verification).toMatchObject({
      afterUpdateId: 'u1',
      result: 'InstancesWithoutEnclaves',
      withoutEnclaves: ['i-bare'],
    });
    expect(result.record.failedRoll).toBeUndefined();
    expect(result.conditions.find((c) => c.type === 'EnclavesVerified')?.reason).toBe(
      'InstancesWithoutEnclaves',
    );
  });

  it('lists the recorded ones on a pass that read no instances', () => {
    const result = plan(
      twoNodes(),
      observed({
        launchTemplate: launchTemplate([HASH_V1]),
        nodegroup: settled,
        previous: {
          ...converged,
          verification: {
            ...verifiedAfterRoll,
            result: 'InstancesWithoutEnclaves',
            withoutEnclaves: ['i-bare'],
          },
        },
      }),
    );
    expect(result.conditions.find((c) => c.type === 'Drifted')?.message).toContain(
      'instances.i-bare.EnclaveOptions.Enabled: observed false, desired true',
    );
    expect(result.record.verification).toBeUndefined();
  });
});

describe('plan: drift policy report', () => {
  it.each(rows)('$name', (row) => {
    const result = plan(report(row.generation), row.observed);
    const drifted = result.conditions.find((c) => c.type === 'Drifted');
    expect(`${drifted?.status}/${drifted?.reason}`).toBe(row.drifted);
    expect(result.actions.map((a) => a.kind)).toEqual(row.actions ?? []);
    for (const field of row.fields ?? []) expect(drifted?.message).toContain(field);
    if (row.drifted.startsWith('True')) {
      expect(drifted?.severity).toBe('Warning');
      expect(result.terminal).toBeUndefined();
      expect(result.requeueAfterSeconds).toBeUndefined();
    }
  });

  it('revert (the default) converges back as before and sets no Drifted condition', () => {
    const result = plan(
      desired(),
      observed({
        launchTemplate: launchTemplate([HASH_V1]),
        nodegroup: nodegroup({ labels: {} }),
        previous: converged,
      }),
    );
    expect(result.actions.map((a) => a.kind)).toEqual(['UpdateNodegroupConfig']);
    expect(result.conditions.find((c) => c.type === 'Drifted')).toBeUndefined();
  });
});
