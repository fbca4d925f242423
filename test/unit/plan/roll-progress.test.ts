import type { ObservedFleet, ObservedInstance } from '../../../lib/plan/plan-types';
import { rollProgressRecord } from '../../../lib/plan/roll-progress';
import type { UpdateRecord } from '../../../lib/status/status-row';
import { LT_ID, nodegroup, observed } from './plan-fixtures';

const START = '2026-01-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000);

const roll = (status = 'InProgress', id = 'u2'): UpdateRecord => ({
  id,
  type: 'VersionUpdate',
  status,
  createdAt: START,
  launchTemplateVersion: 2,
  errors: [],
});

const node = (id: string, zone: string, version: string, state = 'running'): ObservedInstance => ({
  instanceId: id,
  launchTime: START,
  state,
  availabilityZone: zone,
  launchTemplateId: LT_ID,
  launchTemplateVersion: version,
});

/** The group already points at version 2 (EKS does that when the roll starts). */
const fleet = (instances: ObservedInstance[], duringUpdateId = 'u2'): ObservedFleet => ({
  autoScalingGroup: {
    name: 'eks-g',
    launchTemplate: { id: LT_ID, version: '2' },
    tags: {},
    desiredCapacity: 3,
  },
  instances,
  ...(duringUpdateId ? { duringUpdateId } : {}),
});

const threeNodes = nodegroup({ status: 'UPDATING', scaling: { minSize: 3, maxSize: 3, desiredSize: 3 } });

describe('rollProgressRecord', () => {
  it('counts live instances on the roll version per zone, with the pace and ETA since the start', () => {
    const record = rollProgressRecord(
      observed({
        nodegroup: threeNodes,
        update: roll(),
        fleet: fleet([
          node('i-new1', 'eu-west-1a', '2'),
          node('i-old1', 'eu-west-1a', '1', 'terminated'),
          node('i-old2', 'eu-west-1b', '1'),
          node('i-old3', 'eu-west-1c', '1'),
        ]),
      }),
      undefined,
      at(2),
    );
    expect(record).toEqual({
      updateId: 'u2',
      launchTemplateVersion: 2,
      replaced: 1,
      total: 3,
      zones: [
        { zone: 'eu-west-1a', replaced: 1, total: 1 },
        { zone: 'eu-west-1b', replaced: 0, total: 1 },
        { zone: 'eu-west-1c', replaced: 0, total: 1 },
      ],
      startedAt: START,
      nodesPerMinute: 0.5,
      etaAt: at(6).toISOString(),
      countedAt: at(2).toISOString(),
    });
  });

  it('has no pace or ETA before the first node, and keeps the record while the counts stay', () => {
    const before = observed({
      nodegroup: threeNodes,
      update: roll(),
      fleet: fleet([node('a', 'z1', '1'), node('b', 'z1', '1'), node('c', 'z2', '1')]),
    });
    const first = rollProgressRecord(before, undefined, at(1));
    expect(first).toMatchObject({ replaced: 0, total: 3 });
    expect(first?.nodesPerMinute).toBeUndefined();
    expect(first?.etaAt).toBeUndefined();
    // Same counts later: the same record (no status write only because the clock moved).
    expect(rollProgressRecord(before, first, at(5))).toBe(first);
  });

  it('counts surge nodes at most up to the node group size', () => {
    const record = rollProgressRecord(
      observed({
        nodegroup: threeNodes,
        update: roll(),
        fleet: fleet([
          node('n1', 'z1', '2'),
          node('n2', 'z1', '2'),
          node('n3', 'z2', '2'),
          node('n4', 'z2', '2'),
          node('o1', 'z1', '1'),
        ]),
      }),
      undefined,
      at(3),
    );
    expect(record).toMatchObject({ replaced: 3, total: 3, etaAt: at(3).toISOString() });
  });

  it('keeps the earlier count when the pass did not list the instances during this roll', () => {
    const earlier = rollProgressRecord(
      observed({ nodegroup: threeNodes, update: roll(), fleet: fleet([node('n1', 'z1', '2')]) }),
      undefined,
      at(1),
    );
    // Listed before the roll started (the verification read of the pass that started it).
    const stale = observed({
      nodegroup: threeNodes,
      update: roll(),
      fleet: fleet([node('o1', 'z1', '1')], ''),
    });
    expect(rollProgressRecord(stale, undefined, at(2))).toBeUndefined();
    expect(rollProgressRecord(stale, earlier, at(2))).toBe(earlier);
    expect(rollProgressRecord(observed({ nodegroup: threeNodes, update: roll() }), earlier, at(2))).toBe(
      earlier,
    );
    // Another update's record is not this roll's.
    expect(
      rollProgressRecord(
        observed({ nodegroup: threeNodes, update: roll('InProgress', 'u3') }),
        earlier,
        at(2),
      ),
    ).toBeUndefined();
  });

  it('is dropped once no roll runs', () => {
    const earlier = rollProgressRecord(
      observed({ nodegroup: threeNodes, update: roll(), fleet: fleet([node('n1', 'z1', '2')]) }),
      undefined,
      at(1),
    );
    expect(
      rollProgressRecord(observed({ nodegroup: threeNodes, update: roll('Successful') }), earlier, at(2)),
    ).toBeUndefined();
    const config = { ...roll(), type: 'ConfigUpdate' };
    expect(
      rollProgressRecord(observed({ nodegroup: threeNodes, update: config }), undefined, at(2)),
    ).toBeUndefined();
  });
});
