import { parseMaintenanceWindow } from '../../../lib/maintenance-window';
import { plan } from '../../../lib/plan/plan';
import type { Observed } from '../../../lib/plan/plan-types';
import type { PoolPolicies } from '../../../lib/pool-spec';
import {
  desired,
  failedRollRecord,
  HASH_V1,
  HASH_V2,
  launchTemplate,
  nodegroup,
  observed,
  versionUpdate,
} from './plan-fixtures';

/** Staged and windowed rolls (decision 0121): each row is one pass's input and what it must plan. */

const window = parseMaintenanceWindow('Sat 02:00-04:00 UTC');
if ('error' in window) throw new Error(window.error);
// 2026-12-01 is a Tuesday; the window next opens on Saturday 2026-12-05 at 02:00 UTC.
const TUESDAY = '2026-12-01T11:00:00.000Z';
const SATURDAY_INSIDE = '2026-12-05T02:30:00.000Z';

const approval = (dataHash: string) => ({ dataHash, launchTemplateVersion: 2, approvedAt: TUESDAY });
const changed = (parts: Partial<Observed> = {}, previous: Observed['previous'] = {}): Observed =>
  observed({
    launchTemplate: launchTemplate([HASH_V1, HASH_V2]),
    nodegroup: nodegroup({ version: 1 }),
    now: TUESDAY,
    ...parts,
    previous: { lastKnownGoodVersion: 1, ...previous },
  });

const inFlight = versionUpdate('InProgress');
const failedRoll = failedRollRecord({ errorCode: 'NodeCreationFailure', errorMessage: 'no join', hint: 'h' });

interface Row {
  name: string;
  policies: Partial<PoolPolicies>;
  observed: Observed;
  actions: string[];
  ready: string;
  terminal?: string;
  requeue?: number;
}

const rows: Row[] = [
  {
    name: 'manual, not approved: the version exists, the roll waits (RollPending), nothing started',
    policies: { roll: 'manual' },
    observed: changed(),
    actions: [],
    ready: 'False/RollPending',
    terminal: 'RollPending',
  },
  {
    name: 'manual, approved for this data: the roll starts',
    policies: { roll: 'manual' },
    observed: changed({}, { rollApproval: approval(HASH_V2) }),
    actions: ['UpdateNodegroupVersion'],
    ready: 'True/NodegroupUpdating',
  },
  {
    name: 'manual, approved for other data: still pending',
    policies: { roll: 'manual' },
    observed: changed({}, { rollApproval: approval(HASH_V1) }),
    actions: [],
    ready: 'False/RollPending',
    terminal: 'RollPending',
  },
  {
    name: 'window closed: waits, and comes back when it opens (Tuesday 11:00 to Saturday 02:00)',
    policies: { maintenanceWindow: window },
    observed: changed(),
    actions: [],
    ready: 'False/RollWaitingForWindow',
    requeue: (3 * 24 + 15) * 3600,
  },
  {
    name: 'window open: the roll starts',
    policies: { maintenanceWindow: window },
    observed: changed({ now: SATURDAY_INSIDE }),
    actions: ['UpdateNodegroupVersion'],
    ready: 'True/NodegroupUpdating',
  },
  {
    name: 'a roll in flight when the window closes is not interrupted',
    policies: { maintenanceWindow: window },
    observed: changed(
      { nodegroup: nodegroup({ version: 1, status: 'UPDATING' }), update: inFlight },
      { update: inFlight },
    ),
    actions: [],
    ready: 'True/NodegroupUpdating',
    requeue: 30,
  },
  {
    name: 'manual and a window: approved, but the window is closed: waits for the window',
    policies: { roll: 'manual', maintenanceWindow: window },
    observed: changed({}, { rollApproval: approval(HASH_V2) }),
    actions: [],
    ready: 'False/RollWaitingForWindow',
    requeue: (3 * 24 + 15) * 3600,
  },
  {
    name: 'a window and no clock in the input: waits',
    policies: { maintenanceWindow: window },
    observed: { ...changed(), now: undefined },
    actions: [],
    ready: 'False/RollWaitingForWindow',
    requeue: 30,
  },
  {
    name: 'the rollback after a failed roll is not held by the window',
    policies: { maintenanceWindow: window, rollback: 'on-failure' },
    observed: changed({}, { failedRoll }),
    actions: ['UpdateNodegroupVersion'],
    ready: 'False/RollingBack',
  },
];

describe('plan: staged and windowed rolls', () => {
  it.each(rows)('$name', (row) => {
    const d = desired({
      dataHash: HASH_V2,
      generation: 2,
      policies: { rollback: 'off', roll: 'auto', drift: 'revert', autoscalerTags: true, ...row.policies },
      policy: { ...desired().policy, requeueSeconds: { creating: 30, updating: 30, deleting: 30, busy: 5 } },
    });
    const result = plan(d, row.observed);
    expect(result.actions.map((a) => a.kind)).toEqual(row.actions);
    const ready = result.conditions.find((c) => c.type === 'EKSNodegroupReady');
    expect(`${ready?.status}/${ready?.reason}`).toBe(row.ready);
    expect(result.terminal?.reason).toBe(row.terminal);
    expect(result.requeueAfterSeconds).toBe(row.requeue);
  });

  it('says what waits and why: the versions, the nodes, the command or the window opening', () => {
    const base = { rollback: 'off', roll: 'auto', drift: 'revert', autoscalerTags: true } as const;
    const pending = plan(
      desired({ dataHash: HASH_V2, generation: 2, policies: { ...base, roll: 'manual' } }),
      changed(),
    );
    expect(pending.conditions.find((c) => c.type === 'EKSNodegroupReady')?.message).toMatch(
      /launch template version 1 → 2 .*replaces 1 node.*enclave-pools roll my-node-pool/,
    );
    const waiting = plan(
      desired({ dataHash: HASH_V2, generation: 2, policies: { ...base, maintenanceWindow: window } }),
      changed(),
    );
    expect(waiting.conditions.find((c) => c.type === 'EKSNodegroupReady')?.message).toContain(
      'the roll waits for the maintenance window "Sat 02:00-04:00 UTC", which opens at 2026-12-05T02:00:00.000Z',
    );
  });
});
