import { emptyStatusRow } from '../../../lib/status/status-row';
import { statusRowProblems, unreadableRowMessage } from '../../../lib/status/status-row-check';

const ready = {
  type: 'Ready',
  status: 'True',
  reason: 'Ready',
  message: 'converged',
  severity: '',
  lastTransitionTime: '2026-12-01T10:00:00.000Z',
};
const row = {
  ...emptyStatusRow('my-node-pool'),
  revision: 3,
  conditions: [ready],
  observedGeneration: 2,
  launchTemplate: { id: 'lt-1', name: 'enclave-pools-c-my-node-pool', pinnedVersion: 1 },
  nodegroup: { name: 'ng', status: 'ACTIVE', healthIssues: [] },
  history: [{ at: '2026-12-01T10:00:00.000Z', event: 'NodegroupCreated', message: 'created' }],
};
const LISTED = ['poolId', 'deleted', 'conditions', 'observedGeneration', 'launchTemplate.pinnedVersion'];

it('finds nothing wrong with rows the reconciler writes', () => {
  expect(statusRowProblems(emptyStatusRow('p'))).toEqual([]);
  expect(statusRowProblems(row)).toEqual([]);
  // A projection holds parts of maps: launchTemplate without its id is fine there.
  expect(
    statusRowProblems(
      { poolId: 'p', deleted: false, conditions: [ready], launchTemplate: { pinnedVersion: 1 } },
      LISTED,
    ),
  ).toEqual([]);
});

it.each([
  [
    'JSON text where a list belongs',
    { ...row, conditions: '[{"type":"Ready",' },
    'conditions is a string ("[{\\"type\\":\\"Ready\\","), not a list',
  ],
  ['a missing field', (({ history: _h, ...rest }) => rest)(row), 'history is missing'],
  [
    'a number stored as a string',
    { ...row, observedGeneration: '2' },
    'observedGeneration is a string ("2"), not a number',
  ],
  [
    'a status outside True/False/Unknown',
    { ...row, conditions: [{ ...ready, status: 'Yes' }] },
    'conditions[0].status is "Yes", not one of True, False, Unknown',
  ],
  [
    'an entry that is not a map',
    { ...row, history: ['created'] },
    'history[0] is a string ("created"), not a map',
  ],
  [
    'a nested field of the wrong kind',
    { ...row, launchTemplate: { ...row.launchTemplate, pinnedVersion: 'v1' } },
    'launchTemplate.pinnedVersion is a string ("v1"), not a number',
  ],
])('names %s', (_what, item, problem) => {
  expect(statusRowProblems(item)).toEqual([problem]);
});

it('checks what a projection asked for, and only that', () => {
  expect(statusRowProblems({ poolId: 'p', deleted: false }, LISTED)).toEqual(['conditions is missing']);
  expect(statusRowProblems({ poolId: 'p', deleted: 'no', conditions: [] }, LISTED)).toEqual([
    'deleted is a string ("no"), not a boolean',
  ]);
  // history was not asked for: its absence says nothing.
  expect(statusRowProblems({ poolId: 'p', deleted: false, conditions: [] }, LISTED)).toEqual([]);
});

it('says where the item is, what is wrong and how to fix it', () => {
  expect(unreadableRowMessage('t-status', 'p', ['history is missing', 'revision is missing'])).toBe(
    'status table t-status, item poolId=p is not a status row: history is missing; revision is missing. Only the reconciler writes this table (docs/status.md). Delete the item and the next pass (a spec write or the 5-minute resync) writes a fresh row from what AWS has (the pool\'s history is lost): aws dynamodb delete-item --table-name t-status --key \'{"poolId":{"S":"p"}}\'',
  );
});
