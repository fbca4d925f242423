import { previousRollDurations, rollProgress } from '../../../lib/cli/roll-progress';

const start = '2026-01-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000);
const counted = (replaced: number, total: number, etaMinutes?: number) => ({
  updateId: 'u1',
  replaced,
  total,
  zones: [
    { zone: 'eu-west-1a', replaced, total: total - 1 },
    { zone: 'eu-west-1b', replaced: 0, total: 1 },
  ],
  startedAt: start,
  countedAt: at(8).toISOString(),
  ...(etaMinutes !== undefined ? { nodesPerMinute: 0.25, etaAt: at(etaMinutes).toISOString() } : {}),
});

describe('rollProgress', () => {
  it("shows the status row's count and estimates the rest from its ETA", () => {
    const progress = rollProgress({
      startedAt: start,
      now: at(10),
      status: 'InProgress',
      recorded: counted(2, 4, 16),
      previousRollDurations: [],
    });
    expect(progress).toEqual({
      status: 'InProgress',
      elapsedMs: 600_000,
      nodes: { replaced: 2, total: 4, zones: counted(2, 4).zones, nodesPerMinute: 0.25 },
      fraction: 0.5,
      remainingMs: 360_000,
      basis: 'pace',
    });
    // Past the ETA: "any moment", never a negative time.
    expect(
      rollProgress({
        startedAt: start,
        now: at(20),
        status: 'InProgress',
        recorded: counted(2, 4, 16),
        previousRollDurations: [],
      }),
    ).toMatchObject({ remainingMs: 0, basis: 'pace' });
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
        recorded: counted(0, 2),
        previousRollDurations: [],
      }),
    ).toEqual({
      status: 'InProgress',
      elapsedMs: 60_000,
      nodes: { replaced: 0, total: 2, zones: counted(0, 2).zones },
      basis: 'none',
    });
    expect(
      rollProgress({ startedAt: start, now: at(1), status: 'InProgress', previousRollDurations: [] }),
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
