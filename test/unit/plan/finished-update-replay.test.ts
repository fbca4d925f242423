import { applyActionResult, historyEventFor } from '../../../lib/plan/action-result';
import { plan } from '../../../lib/plan/plan';
import type { Desired, Observed, Plan, PlanRecord } from '../../../lib/plan/plan-types';
import type { UpdateRecord } from '../../../lib/status/status-row';
import { desired, HASH_V1, HASH_V2, launchTemplate, nodegroup, observed, SPEC_HASH } from './plan-fixtures';

/**
 * An update request answered with an update that has already ended: EKS (or the sandbox) replays
 * the update a reused token started, or the executor found the roll a lost pass started. It must
 * be read as finished, never as one that just started (issue 12.1, fault experiment 3b).
 */

function update(status: string, overrides: Partial<UpdateRecord> = {}): UpdateRecord {
  return {
    id: 'u-lost',
    type: 'VersionUpdate',
    status,
    launchTemplateVersion: 2,
    dataHash: HASH_V2,
    specHash: SPEC_HASH,
    generation: 1,
    errors: status === 'Failed' ? [{ code: 'PodEvictionFailure', message: 'PDB blocks the drain' }] : [],
    ...overrides,
  };
}

/** reconcile()'s loop, pure: every roll is answered with `answer`. */
function converge(d: Desired, start: Observed, answer: UpdateRecord) {
  let o = start;
  let last: Plan | undefined;
  const sent: string[] = [];
  const records: PlanRecord[] = [];
  const events: string[] = [];
  for (let step = 0; step < 6; step++) {
    last = plan(d, o);
    records.push(last.record);
    if (last.actions.length === 0) break;
    for (const action of last.actions) {
      if (action.kind !== 'UpdateNodegroupVersion') continue;
      sent.push(action.kind);
      const result = { kind: 'NodegroupUpdateStarted' as const, update: answer };
      const line = historyEventFor(result);
      if (line) events.push(line.event);
      o = applyActionResult(o, result);
    }
  }
  return { last, sent, records, events };
}

const rolling = () =>
  observed({ launchTemplate: launchTemplate([HASH_V1, HASH_V2]), nodegroup: nodegroup({ version: 1 }) });

describe('an update request answered with a finished update', () => {
  it.each([
    {
      answer: 'Failed',
      ready: 'False/NodegroupUpdateFailed',
      recorded: {
        failedRoll: expect.objectContaining({ updateId: 'u-lost', errorCode: 'PodEvictionFailure' }),
      },
      event: 'RollFailed',
    },
    {
      answer: 'Cancelled',
      ready: 'False/NodegroupUpdateFailed',
      recorded: { failedRoll: expect.objectContaining({ updateId: 'u-lost', status: 'Cancelled' }) },
      event: 'RollFailed',
    },
    {
      answer: 'Successful',
      ready: undefined,
      recorded: { lastKnownGoodVersion: 2 },
      event: 'RollSucceeded',
    },
  ])('a replayed $answer roll is sent once, recorded as $event, never taken as started', (row) => {
    const { last, sent, records, events } = converge(
      desired({ dataHash: HASH_V2 }),
      rolling(),
      update(row.answer),
    );

    expect(sent).toEqual(['UpdateNodegroupVersion']);
    expect(events).toEqual([]);
    expect(Object.assign({}, ...records)).toMatchObject(row.recorded);
    expect(records.flatMap((r) => r.events.map((e) => e.event))).toEqual([row.event]);
    const ready = last?.conditions.find((c) => c.type === 'EKSNodegroupReady');
    if (row.ready) expect(`${ready?.status}/${ready?.reason}`).toBe(row.ready);
    else expect(last?.terminal).toBeUndefined();
    expect(last?.conditions.find((c) => c.type === 'NodegroupUpdating')?.status).toBe('False');
  });

  it('an InProgress answer is one that just started: UPDATING, its outcome news for a later pass', () => {
    const { last, sent, events } = converge(desired({ dataHash: HASH_V2 }), rolling(), update('InProgress'));
    expect(sent).toEqual(['UpdateNodegroupVersion']);
    expect(events).toEqual(['RollStarted']);
    expect(last?.requeueReason).toBe('UpdateInProgress');
  });
});
