import {
  DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS,
  LIVE_FACTS_AGE_SPREAD,
  liveFactsKey,
  liveFactsRefreshAgeMs,
} from '../../../lib/aws/live-facts-reader';

/**
 * When cached live facts are read again: within a bounded age, spread so a fleet does not refresh at
 * once. gatherCached's use of it runs against the sandbox in test/integration/rules/live-validation.
 */

const DAY_MS = DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS * 1000;
const READ_AT = '2026-12-01T00:00:00.000Z';

describe('liveFactsRefreshAgeMs', () => {
  it.each([
    ['a day', DAY_MS],
    ['an hour', 3_600_000],
    ['zero (always re-read)', 0],
  ])(
    'stays within 75-100 %% of a max age of %s, and is the same each time it is asked',
    (_name, maxAgeMs) => {
      for (let i = 0; i < 200; i++) {
        const entry = { key: `key-${i}`, readAt: READ_AT };
        const age = liveFactsRefreshAgeMs(entry, maxAgeMs);
        expect(age).toBeLessThanOrEqual(maxAgeMs);
        expect(age).toBeGreaterThanOrEqual(maxAgeMs * (1 - LIVE_FACTS_AGE_SPREAD));
        expect(liveFactsRefreshAgeMs({ ...entry }, maxAgeMs)).toBe(age);
      }
    },
  );

  it('spreads the refreshes of 1,000 pools read in the same second over the last quarter of the day', () => {
    const sweepMs = 300_000;
    const perSweep = new Map<number, number>();
    for (let pool = 0; pool < 1000; pool++) {
      const entry = {
        key: liveFactsKey({ instanceTypes: ['m5.xlarge'], subnetIds: [`subnet-${pool}`] }, []),
        readAt: `2026-12-01T00:00:00.${String(pool % 1000).padStart(3, '0')}Z`,
      };
      const sweep = Math.floor(liveFactsRefreshAgeMs(entry, DAY_MS) / sweepMs);
      perSweep.set(sweep, (perSweep.get(sweep) ?? 0) + 1);
    }
    // 6 hours hold 72 sweeps: about 14 pools each on average, instead of 1,000 in one.
    expect(Math.min(...perSweep.keys())).toBeGreaterThanOrEqual(Math.floor((DAY_MS * 0.75) / sweepMs));
    expect(perSweep.size).toBeGreaterThanOrEqual(60);
    expect(Math.max(...perSweep.values())).toBeLessThanOrEqual(40);
  });
});
