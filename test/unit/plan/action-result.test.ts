import { type ActionResult, applyActionResult, historyEventFor } from '../../../lib/plan/action-result';
import { selectVersionsToPrune } from '../../../lib/plan/launch-template-version-pruning';
import { plan } from '../../../lib/plan/plan';
import {
  desired,
  HASH_V1,
  HASH_V2,
  LT_ID,
  launchTemplate,
  nodegroup,
  observed,
  ROLE_ARN,
} from './plan-fixtures';

describe('applyActionResult', () => {
  it('lets plan() continue from a created template to the node group, then to done, without reading AWS', () => {
    // Prepare
    let o = observed({ nodeRoleArn: ROLE_ARN });
    const d = desired();

    // Act: fold each step's result the way reconcile() does.
    const steps: string[][] = [];
    for (let i = 0; i < 4; i++) {
      const p = plan(d, o);
      steps.push(p.actions.map((a) => a.kind));
      for (const action of p.actions) {
        if (action.kind === 'CreateLaunchTemplate') {
          o = applyActionResult(o, {
            kind: 'LaunchTemplateCreated',
            launchTemplate: launchTemplate([HASH_V1]),
          });
        } else if (action.kind === 'CreateNodegroup') {
          o = applyActionResult(o, { kind: 'NodegroupCreated', nodegroup: nodegroup() });
        }
      }
    }

    // Assess
    expect(steps).toEqual([['CreateLaunchTemplate'], ['CreateNodegroup'], [], []]);
  });

  it('a started roll marks the node group UPDATING so the next plan waits', () => {
    const o = applyActionResult(
      observed({ launchTemplate: launchTemplate([HASH_V1, HASH_V2]), nodegroup: nodegroup() }),
      {
        kind: 'NodegroupUpdateStarted',
        update: {
          id: 'u1',
          type: 'VersionUpdate',
          status: 'InProgress',
          launchTemplateVersion: 2,
          errors: [],
        },
      },
    );
    expect(o.nodegroup).toMatchObject({ status: 'UPDATING', launchTemplate: { version: 1 } });
    expect(o.previous.update?.id).toBe('u1');
    expect(plan(desired({ dataHash: HASH_V2 }), o).requeueAfterSeconds).toBeDefined();
  });

  it('a config update that finished at once is applied to the observed node group', () => {
    const o = applyActionResult(
      observed({ nodegroup: nodegroup({ taints: [{ key: 'old', effect: 'NO_SCHEDULE' }] }) }),
      {
        kind: 'NodegroupUpdateStarted',
        update: { id: 'u2', type: 'ConfigUpdate', status: 'Successful', errors: [] },
        changes: {
          labels: { addOrUpdate: { team: 'x' }, remove: ['aws-nitro-enclaves-k8s-dp'] },
          taints: {
            addOrUpdate: [{ key: 'new', effect: 'NO_EXECUTE' }],
            remove: [{ key: 'old', effect: 'NO_SCHEDULE' }],
          },
          scaling: { minSize: 0, maxSize: 2, desiredSize: 1 },
          updateConfig: { maxUnavailablePercentage: 10 },
        },
      },
    );
    expect(o.nodegroup).toMatchObject({
      status: 'ACTIVE',
      labels: { team: 'x' },
      taints: [{ key: 'new', effect: 'NO_EXECUTE' }],
      scaling: { minSize: 0, maxSize: 2, desiredSize: 1 },
    });
  });

  it.each<[ActionResult, (o: ReturnType<typeof observed>) => unknown, unknown, string | undefined]>([
    [
      {
        kind: 'LaunchTemplateVersionCreated',
        launchTemplateId: LT_ID,
        version: { number: 2, dataHash: HASH_V2 },
      },
      (o) => o.launchTemplate?.versions.map((v) => v.number),
      [1, 2],
      'LaunchTemplateVersionCreated',
    ],
    [
      { kind: 'LaunchTemplateVersionsPruned', launchTemplateId: LT_ID, deleted: [1] },
      (o) => o.launchTemplate?.versions.map((v) => v.number),
      [],
      'LaunchTemplateVersionsPruned',
    ],
    [{ kind: 'NodegroupBusy', message: 'in use' }, (o) => o.nodegroupBusy, true, undefined],
    [{ kind: 'NodegroupTagged', tags: { a: 'b' } }, (o) => o.nodegroup?.tags.a, 'b', 'NodegroupTagged'],
    [
      { kind: 'NodegroupDeleteStarted', nodegroupName: 'my-node-pool' },
      (o) => o.nodegroup?.status,
      'DELETING',
      'NodegroupDeleteStarted',
    ],
    [
      { kind: 'LaunchTemplateDeleted', launchTemplateId: LT_ID, name: 'n' },
      (o) => o.launchTemplate,
      undefined,
      'LaunchTemplateDeleted',
    ],
  ])('folds %j', (result, read, expected, event) => {
    const o = applyActionResult(
      observed({ launchTemplate: launchTemplate([HASH_V1]), nodegroup: nodegroup() }),
      result,
    );
    expect(read(o)).toEqual(expected);
    expect(historyEventFor(result)?.event).toBe(event);
  });

  it('ignores results for another template', () => {
    const o = observed({ launchTemplate: launchTemplate([HASH_V1]) });
    expect(
      applyActionResult(o, {
        kind: 'LaunchTemplateVersionCreated',
        launchTemplateId: 'lt-x',
        version: { number: 9 },
      }),
    ).toBe(o);
  });
});

describe('selectVersionsToPrune', () => {
  it.each([
    { versions: [1, 2, 3], protect: [], max: 5, expected: [] },
    { versions: [1, 2, 3, 4, 5, 6], protect: [1, 6], max: 3, expected: [2, 3, 4] },
    { versions: [1, 2, 3, 4], protect: [1, 2, 3, 4], max: 2, expected: [] },
    { versions: [4, 1, 3, 2], protect: [1], max: 2, expected: [2, 3] },
  ])('$versions keeping $max, protecting $protect → $expected', ({ versions, protect, max, expected }) => {
    expect(selectVersionsToPrune(versions, new Set(protect), max)).toEqual(expected);
  });
});
