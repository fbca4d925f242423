import { plan } from '../../../lib/plan/plan';
import type { Observed } from '../../../lib/plan/plan-types';
import { desired, HASH_V1, HASH_V2, launchTemplate, nodegroup, observed, SPEC_HASH } from './plan-fixtures';

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
