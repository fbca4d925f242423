import { type PoolTrigger, parsePoolTrigger, TriggerKind } from '../../../lib/dispatch/pool-trigger';
import { mayBeStale, pendingSettleCovers, specEventsSeen } from '../../../lib/dispatch/stale-events';

const context = {
  specBucket: 'specs',
  poolIdFromKey: (key: string) => /^pools\/([a-z0-9-]+)\.yaml$/.exec(key)?.[1],
};
const s3Event = (time?: unknown) =>
  JSON.stringify({
    source: 'aws.s3',
    ...(time === undefined ? {} : { time }),
    detail: { bucket: { name: 'specs' }, object: { key: 'pools/p1.yaml' } },
  });
const object = (eventTime?: string, location = 's3://specs/pools/p1.yaml'): PoolTrigger => ({
  poolId: 'p1',
  kind: TriggerKind.SpecObject,
  location,
  ...(eventTime ? { eventTime } : {}),
});

describe('spec events the status row has already seen', () => {
  it('reads the EventBridge time of an S3 object event, and nothing from a time that is not one', () => {
    expect(parsePoolTrigger(s3Event('2026-12-01T12:00:05Z'), context)).toEqual({
      trigger: {
        poolId: 'p1',
        kind: 'spec-object',
        location: 's3://specs/pools/p1.yaml',
        eventTime: '2026-12-01T12:00:05.000Z',
      },
    });
    const withoutTime = {
      trigger: { poolId: 'p1', kind: 'spec-object', location: 's3://specs/pools/p1.yaml' },
    };
    expect(parsePoolTrigger(s3Event('yesterday'), context)).toEqual(withoutTime);
    expect(parsePoolTrigger(s3Event(), context)).toEqual(withoutTime);
  });

  it.each([
    {
      what: 'an event from the second the seen spec was written',
      events: ['2026-12-01T12:00:05Z'],
      seen: true,
    },
    { what: 'an event from before it', events: ['2026-12-01T12:00:01Z'], seen: true },
    { what: 'ten copies of one old event', events: Array(10).fill('2026-12-01T12:00:04Z'), seen: true },
    { what: 'an event from the next second', events: ['2026-12-01T12:00:06Z'], seen: false },
    {
      what: 'one newer event among old ones',
      events: ['2026-12-01T12:00:01Z', '2026-12-01T12:00:07Z'],
      seen: false,
    },
  ])('$what: seen $seen', ({ events, seen }) => {
    const triggers = events.map((time: string) => object(new Date(time).toISOString()));
    expect(specEventsSeen(triggers, '2026-12-01T12:00:05.000Z')).toBe(seen);
  });

  it('never calls stale what it cannot date: no row time, an event without time, other triggers', () => {
    expect(specEventsSeen([object('2026-12-01T12:00:01.000Z')], undefined)).toBe(false);
    expect(specEventsSeen([object()], '2026-12-01T12:00:05.000Z')).toBe(false);
    expect(specEventsSeen([{ poolId: 'p1', kind: TriggerKind.SpecItem }], '2026-12-01T12:00:05.000Z')).toBe(
      false,
    );
    expect(specEventsSeen([], '2026-12-01T12:00:05.000Z')).toBe(false);
    expect(mayBeStale([object('2026-12-01T12:00:01.000Z'), { poolId: 'p1', kind: TriggerKind.Resync }])).toBe(
      false,
    );
    expect(mayBeStale([object('2026-12-01T12:00:01.000Z')])).toBe(true);
  });
});

describe('spec events a pending settling requeue covers', () => {
  const now = Date.parse('2026-12-01T12:00:08Z');
  const overdueMs = 45_000;
  const pending = {
    settlingWrittenAt: '2026-12-01T12:00:05.000Z',
    settlingLocation: 's3://specs/pools/p1.yaml',
    settleDueAt: Date.parse('2026-12-01T12:00:11Z'),
  };
  const at = (time: string, location?: string) => object(new Date(time).toISOString(), location);

  it.each([
    {
      what: 'an event no later than the write it saw',
      lease: pending,
      events: [at('2026-12-01T12:00:04Z')],
      covered: true,
    },
    {
      what: 'a later write of the object it reads, lease free, requeue due',
      lease: pending,
      events: [at('2026-12-01T12:00:07Z')],
      covered: true,
    },
    {
      what: 'a later write while a pass holds the lease (it may have read the spec before it)',
      lease: { ...pending, leaseExpiresAt: now + 30_000 },
      events: [at('2026-12-01T12:00:07Z')],
      covered: false,
    },
    {
      what: 'a later write when the lease a crashed pass held has run out',
      lease: { ...pending, leaseExpiresAt: now - 1 },
      events: [at('2026-12-01T12:00:07Z')],
      covered: true,
    },
    {
      what: 'a later write when the requeue is overdue by more than the margin (failing, or dead-lettered)',
      lease: { ...pending, settleDueAt: now - overdueMs - 1 },
      events: [at('2026-12-01T12:00:07Z')],
      covered: false,
    },
    {
      what: 'a later write when the requeue is overdue within the margin',
      lease: { ...pending, settleDueAt: now - overdueMs },
      events: [at('2026-12-01T12:00:07Z')],
      covered: true,
    },
    {
      what: 'an event for another key of the pool, even an old one (a second object is news to it)',
      lease: pending,
      events: [at('2026-12-01T12:00:04Z', 's3://specs/pools/p1.yml')],
      covered: false,
    },
    {
      what: 'one event of another key among covered ones',
      lease: pending,
      events: [at('2026-12-01T12:00:07Z'), at('2026-12-01T12:00:07Z', 's3://specs/pools/p1.yml')],
      covered: false,
    },
    {
      what: 'a lease item from before the location was stored: old events only',
      lease: { settlingWrittenAt: pending.settlingWrittenAt },
      events: [at('2026-12-01T12:00:04Z', 's3://specs/pools/p1.yml')],
      covered: true,
    },
    {
      what: 'a lease item from before the location was stored: a later write runs a pass',
      lease: { settlingWrittenAt: pending.settlingWrittenAt },
      events: [at('2026-12-01T12:00:07Z')],
      covered: false,
    },
    { what: 'no settle pending', lease: {}, events: [at('2026-12-01T12:00:04Z')], covered: false },
    {
      what: 'a spec item event (the requeue reads only the object)',
      lease: pending,
      events: [{ poolId: 'p1', kind: TriggerKind.SpecItem }],
      covered: false,
    },
    { what: 'an event without a time', lease: pending, events: [object()], covered: false },
  ])('$what: covered $covered', ({ lease, events, covered }) => {
    expect(pendingSettleCovers(events, lease, now, overdueMs)).toBe(covered);
  });
});
