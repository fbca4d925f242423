import { quietLogs } from '../support/quiet-logs';
import { type FaultWorld, startFaultWorld } from './support/fault-world';

/**
 * Spec events the status row has already seen end right after the status read: exactly one AWS
 * call, whatever arrives late or twice (issue 12.2 / 13.2). Counted at the fault proxy, which sees
 * every call the event path makes.
 */
quietLogs();
jest.setTimeout(180_000);

let faults: FaultWorld;
beforeAll(async () => {
  faults = await startFaultWorld();
});
afterAll(async () => faults?.close());

describe('stale spec events', () => {
  it('cost one call each, and change nothing', async () => {
    const poolId = 'stale-events';
    await faults.putSpec(poolId);
    await faults.converge([poolId]);
    const before = await faults.state(poolId);
    const writtenAt = before.row?.specWrittenAt;
    expect(writtenAt).toBeDefined();
    const seconds = (offset: number) =>
      new Date(Date.parse(writtenAt as string) + offset * 1000).toISOString();

    // The write's own event, delivered again, and an older one, ten times in one batch.
    for (const bodies of [
      [faults.objectEvent(poolId, seconds(0))],
      Array.from({ length: 10 }, () => faults.objectEvent(poolId, seconds(-30))),
    ]) {
      faults.proxy.log.length = 0;
      const { result } = await faults.invokeBodies(bodies);
      expect(result.pools[poolId]).toEqual({ result: 'stale-event' });
      expect(result.batchItemFailures).toEqual([]);
      expect(faults.proxy.log.map((c) => `${c.service}:${c.operation}`)).toEqual(['dynamodb:GetItem']);
    }
    const after = await faults.state(poolId);
    expect(after.row?.revision).toBe(before.row?.revision);
    expect(after.versions).toBe(1);
  });

  it('an event from after the seen write is not stale: the pass runs (and finds nothing to do)', async () => {
    const poolId = 'stale-events';
    const { row } = await faults.state(poolId);
    faults.proxy.log.length = 0;
    const later = new Date(Date.parse(row?.specWrittenAt as string) + 1000).toISOString();

    const { result } = await faults.invokeBodies([faults.objectEvent(poolId, later)]);

    expect(result.pools[poolId]).toMatchObject({ result: 'reconciled', outcome: { kind: 'done' } });
    expect(faults.proxy.log.length).toBeGreaterThan(1);
    expect((await faults.state(poolId)).versions).toBe(1);
  });
});
