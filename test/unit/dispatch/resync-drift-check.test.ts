import { driftCheckDue, enqueueAllPools } from '../../../lib/dispatch/resync';
import { scheduleSeconds } from '../../../lib/dispatch/resync-deps';
import { quietLogs } from '../../support/quiet-logs';

// enqueueAllPools logs each sweep (resync-source-listed, resync-enqueued): kept out of the output.
quietLogs();

const HOUR = { intervalSeconds: 300, periodSeconds: 3600 };
const pools = Array.from({ length: 200 }, (_, i) => `pool-${i}`);
const sweepAt = (sweep: number) => sweep * 300 * 1000 + 17_000;

describe('driftCheckDue', () => {
  it('gives every pool exactly one drift check in each hour of 5-minute sweeps', () => {
    for (const hour of [0, 1, 4711]) {
      const checks = new Map<string, number>();
      for (let sweep = hour * 12; sweep < hour * 12 + 12; sweep++)
        for (const pool of pools)
          if (driftCheckDue(pool, sweepAt(sweep), HOUR)) checks.set(pool, (checks.get(pool) ?? 0) + 1);
      expect(pools.filter((pool) => checks.get(pool) !== 1)).toEqual([]);
    }
  });

  it('spreads the checks over the sweeps instead of one burst', () => {
    const perSweep = Array.from(
      { length: 12 },
      (_, sweep) => pools.filter((pool) => driftCheckDue(pool, sweepAt(sweep), HOUR)).length,
    );
    expect(Math.max(...perSweep)).toBeLessThan(pools.length / 4);
  });

  it('checks on every sweep when the sweep runs hourly or less often', () => {
    expect(
      pools.every((pool) => driftCheckDue(pool, sweepAt(3), { intervalSeconds: 7200, periodSeconds: 3600 })),
    ).toBe(true);
  });
});

describe('scheduleSeconds', () => {
  it.each([
    ['rate(5 minutes)', 300],
    ['rate(1 minute)', 60],
    ['rate(2 hours)', 7200],
    ['rate(1 day)', 86400],
    ['cron(0/5 * * * ? *)', undefined],
    [undefined, undefined],
  ])('%s → %s', (expression, seconds) => {
    expect(scheduleSeconds(expression)).toBe(seconds);
  });
});

describe('enqueueAllPools', () => {
  it('marks the resync messages of the pools whose drift check is due, and only those', async () => {
    const sent: Array<{ body: { poolId: string; driftCheck?: true } }> = [];
    const now = sweepAt(5);
    await enqueueAllPools({
      poolSources: [{ name: 'test', list: async () => pools }],
      queue: { sendAll: async (messages) => void sent.push(...messages) },
      jitterSeconds: 0,
      driftCheck: HOUR,
      now: () => now,
    });
    const flagged = sent.filter((m) => m.body.driftCheck === true).map((m) => m.body.poolId);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged).toEqual(pools.filter((pool) => driftCheckDue(pool, now, HOUR)).sort());
    expect(sent).toHaveLength(pools.length);
  });
});
