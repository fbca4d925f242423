import { type PoolTrigger, parsePoolTrigger, TriggerKind } from '../../../lib/dispatch/pool-trigger';
import { mayBeStale, specEventsSeen } from '../../../lib/dispatch/stale-events';

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
const object = (eventTime?: string): PoolTrigger => ({
  poolId: 'p1',
  kind: TriggerKind.SpecObject,
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
