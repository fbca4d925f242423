import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { resolveResourceNames } from '../../lib/config';
import { quietLogs } from '../support/quiet-logs';
import { type FaultWorld, startFaultWorld } from './support/fault-world';

/**
 * Spec events the status row has already seen end after one read: exactly one AWS call, whatever
 * arrives late or twice (issue 12.2 / 13.2); so do events a pending settle covers (13.6). The one
 * read is the lease item, which holds the settle's spec time and a copy of the row's specWrittenAt
 * (decision 0085). Counted at the fault proxy, which sees every call the event path makes.
 */
quietLogs();
jest.setTimeout(180_000);

const names = resolveResourceNames();
const calls = () => faults.proxy.log.map((c) => `${c.service}:${c.operation}:${c.table ?? ''}`);
const leaseRead = `dynamodb:GetItem:${names.leaseTable}`;
const statusRead = `dynamodb:GetItem:${names.statusTable}`;

/** Sets (or, with undefined, removes) attributes of the pool's lease item, straight on the sandbox. */
async function setLease(
  poolId: string,
  attributes: Record<string, string | number | undefined>,
): Promise<void> {
  const set = Object.entries(attributes).filter(([, value]) => value !== undefined);
  const remove = Object.entries(attributes).filter(([, value]) => value === undefined);
  await faults.direct.documents.send(
    new UpdateCommand({
      TableName: names.leaseTable,
      Key: { poolId },
      UpdateExpression: [
        set.length ? `SET ${set.map(([name]) => `${name} = :${name}`).join(', ')}` : '',
        remove.length ? `REMOVE ${remove.map(([name]) => name).join(', ')}` : '',
      ].join(' '),
      ...(set.length
        ? { ExpressionAttributeValues: Object.fromEntries(set.map(([n, v]) => [`:${n}`, v])) }
        : {}),
    }),
  );
}

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
      expect(calls()).toEqual([leaseRead]);
    }
    const after = await faults.state(poolId);
    expect(after.row?.revision).toBe(before.row?.revision);
    expect(after.versions).toBe(1);
    expect((await faults.leaseState(poolId)).recordedSpecWrittenAt).toBe(writtenAt);
  });

  it('a lease with no copy of the row yet (its first pass since 0085): stale after the lease and the status read', async () => {
    const poolId = 'stale-events';
    const { row } = await faults.state(poolId);
    await setLease(poolId, { recordedSpecWrittenAt: undefined });
    faults.proxy.log.length = 0;

    const { result } = await faults.invokeBodies([faults.objectEvent(poolId, row?.specWrittenAt as string)]);

    expect(result.pools[poolId]).toEqual({ result: 'stale-event' });
    expect(calls()).toEqual([leaseRead, statusRead]);
    await setLease(poolId, { recordedSpecWrittenAt: row?.specWrittenAt });
  });

  it('events a pending settle covers cost the lease read alone, and change nothing', async () => {
    const poolId = 'stale-events';
    const before = await faults.state(poolId);
    const at = (offset: number) =>
      new Date(Date.parse(before.row?.specWrittenAt as string) + offset * 1000).toISOString();
    // A settling requeue is pending (as its pass's release leaves it): it saw a write 10 s later.
    await setLease(poolId, { requeueToken: 'pending-settle', settlingWrittenAt: at(10) });
    faults.proxy.log.length = 0;

    const { result } = await faults.invokeBodies([
      faults.objectEvent(poolId, at(5)),
      faults.objectEvent(poolId, at(10)),
    ]);

    expect(result.pools[poolId]).toEqual({ result: 'settling' });
    expect(result.batchItemFailures).toEqual([]);
    expect(calls()).toEqual([leaseRead]);
    // A write after the one the settle saw is news: that delivery is not covered.
    faults.proxy.log.length = 0;
    const { result: newer } = await faults.invokeBodies([faults.objectEvent(poolId, at(11))]);
    expect(newer.pools[poolId]).not.toEqual({ result: 'settling' });
    expect(newer.pools[poolId]).not.toEqual({ result: 'stale-event' });
    expect(calls().length).toBeGreaterThan(1);
    const after = await faults.state(poolId);
    expect(after.versions).toBe(1);
    await setLease(poolId, { requeueToken: undefined, settlingWrittenAt: undefined });
  });

  it('later writes of the object a settling requeue reads cost the lease read alone, unless a pass holds the lease or the requeue is long overdue', async () => {
    const poolId = 'stale-events';
    const before = await faults.state(poolId);
    const location = before.row?.specLocation as string;
    expect(location).toMatch(/^s3:\/\//);
    const at = (offset: number) =>
      new Date(Date.parse(before.row?.specWrittenAt as string) + offset * 1000).toISOString();
    const settle = { requeueToken: 'pending-settle', settlingWrittenAt: at(10), settlingLocation: location };
    const later = () =>
      faults.invokeBodies([faults.objectEvent(poolId, at(12)), faults.objectEvent(poolId, at(13))]);

    // Due in 10 s, nobody holds the lease: its pass will read the spec after these writes.
    await setLease(poolId, { ...settle, settleDueAt: Date.now() + 10_000 });
    faults.proxy.log.length = 0;
    const covered = await later();
    expect(covered.result.pools[poolId]).toEqual({ result: 'settling' });
    expect(calls()).toEqual([leaseRead]);

    // A pass holds the lease: it may have read the spec before these writes, so they are not covered.
    await setLease(poolId, { holder: 'another-pass', leaseExpiresAt: Date.now() + 30_000 });
    faults.proxy.log.length = 0;
    const held = await later();
    expect(held.result.pools[poolId]).toEqual({ result: 'busy' });
    expect((await faults.leaseState(poolId)).dirty).toBe(true);

    // Overdue by more than a lease (failing, or dead-lettered): news runs a pass of its own.
    await setLease(poolId, {
      holder: undefined,
      leaseExpiresAt: undefined,
      dirty: undefined,
      settleDueAt: Date.now() - 120_000,
    });
    faults.proxy.log.length = 0;
    const overdue = await later();
    expect(overdue.result.pools[poolId]).toMatchObject({ result: 'reconciled' });
    expect(calls().length).toBeGreaterThan(1);
    expect((await faults.state(poolId)).versions).toBe(before.versions);
    await setLease(poolId, {
      requeueToken: undefined,
      settlingWrittenAt: undefined,
      settlingLocation: undefined,
      settleDueAt: undefined,
    });
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
