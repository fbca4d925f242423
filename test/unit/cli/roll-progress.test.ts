import { previousRollDurations, rollProgress } from '../../../lib/cli/roll-progress';

const start = '2026-01-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000);
const instance = (id: string, launchedMinutes: number, state = 'running') => ({
  instanceId: id,
  launchTime: at(launchedMinutes).toISOString(),
  state,
});

describe('rollProgress', () => {
  it('estimates from the pace of replaced nodes', () => {
    const progress = rollProgress({
      startedAt: start,
      now: at(10),
      status: 'InProgress',
      totalNodes: 4,
      instances: [
        instance('old-1', -60),
        instance('old-2', -60),
        instance('new-1', 2),
        instance('new-2', 6),
        instance('gone', -60, 'terminated'),
      ],
      previousRollDurations: [],
    });
    expect(progress).toEqual({
      status: 'InProgress',
      elapsedMs: 600_000,
      nodes: { replaced: 2, total: 4, launched: 2 },
      fraction: 0.5,
      remainingMs: 600_000,
      basis: 'pace',
    });
  });

  it('falls back to the last roll duration before any node is replaced', () => {
    const progress = rollProgress({
      startedAt: start,
      now: at(5),
      status: 'InProgress',
      previousRollDurations: [1_200_000],
    });
    expect(progress).toMatchObject({ fraction: 0.25, remainingMs: 900_000, basis: 'previous-roll' });
    const late = rollProgress({
      startedAt: start,
      now: at(30),
      status: 'InProgress',
      previousRollDurations: [1_200_000],
    });
    expect(late).toMatchObject({ fraction: 0.99, remainingMs: 0 });
  });

  it('gives no estimate without nodes or history, and none is needed once done', () => {
    expect(
      rollProgress({
        startedAt: start,
        now: at(1),
        status: 'InProgress',
        instances: [],
        previousRollDurations: [],
      }),
    ).toEqual({
      status: 'InProgress',
      elapsedMs: 60_000,
      basis: 'none',
    });
    expect(
      rollProgress({ startedAt: start, now: at(9), status: 'Successful', previousRollDurations: [] }),
    ).toMatchObject({
      fraction: 1,
      remainingMs: 0,
    });
    expect(
      rollProgress({ startedAt: start, now: at(9), status: 'Failed', previousRollDurations: [] }).fraction,
    ).toBeUndefined();
  });
});

describe('previousRollDurations', () => {
  it('pairs RollStarted and RollSucceeded of the same update', () => {
    expect(
      previousRollDurations([
        { at: at(0).toISOString(), event: 'RollStarted', message: '', updateId: 'u1' },
        { at: at(1).toISOString(), event: 'LaunchTemplateVersionCreated', message: '' },
        { at: at(12).toISOString(), event: 'RollSucceeded', message: '', updateId: 'u1' },
        { at: at(20).toISOString(), event: 'RollStarted', message: '', updateId: 'u2' },
        { at: at(40).toISOString(), event: 'RollFailed', message: '', updateId: 'u2' },
        { at: at(50).toISOString(), event: 'RollSucceeded', message: '', updateId: 'u3' },
      ]),
    ).toEqual([720_000]);
  });
});
