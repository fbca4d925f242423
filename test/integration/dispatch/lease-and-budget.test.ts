import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DEADLINE_ERROR_NAME } from '../../../lib/aws/call-deadline';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { PoolLeases } from '../../../lib/aws/pool-leases';
import { PoolQueue, type QueuedPoolMessage } from '../../../lib/aws/pool-queue';
import { StatusTable } from '../../../lib/aws/status-table';
import {
  DEFAULT_PASS_BUDGET,
  dispatchBatch,
  leaseSecondsFor,
  type PassBudget,
  type QueueRecord,
} from '../../../lib/dispatch/reconcile-batch';
import { errorMessage } from '../../../lib/errors';
import { Outcome, type ReconcileOutcome } from '../../../lib/outcome';
import { quietLogs } from '../../support/quiet-logs';
import { dispatchDeps, names, provisionDispatchSandbox, s3Record } from './dispatch-harness';

/**
 * The lease and the batch's time budget on the sandbox's lease table and queue (issue 12.1 items
 * 2, 4, 5): a holder recognises its own lease, a delivery that finds a dead holder is not lost,
 * pools run with bounded concurrency, and a batch hands back what it cannot finish in time.
 * A fake clock drives lease expiry, so nothing here waits for a lease to run out.
 */
let clients: AwsClients;

quietLogs();
// The first beforeEach runs `osls print` for serverless.yml: tens of seconds on a saturated machine.
jest.setTimeout(120_000);

beforeEach(async () => {
  ({ clients } = await provisionDispatchSandbox());
});

const ownRecord = (id: string, body: QueuedPoolMessage['body']): QueueRecord => ({
  messageId: id,
  receiveCount: 1,
  body: JSON.stringify(body),
});

class FakeClock {
  constructor(public ms = Date.now()) {}
  readonly now = () => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

function harness(options: {
  holderId: string;
  clock: FakeClock;
  reconcile?: (poolId: string) => Promise<ReconcileOutcome>;
  budget?: PassBudget;
  remainingMs?: () => number;
}) {
  const sent: QueuedPoolMessage[] = [];
  const queue = new PoolQueue(clients, names.reconcileQueue);
  const leases = new PoolLeases(clients, names.leaseTable, options.clock.now);
  const { deps, reconciled } = dispatchDeps(
    clients,
    {
      leases,
      queue: {
        send: async (message) => {
          sent.push(message);
          await queue.send(message);
        },
      },
      holderId: options.holderId,
      budget: options.budget ?? DEFAULT_PASS_BUDGET,
      ...(options.remainingMs ? { remainingMs: options.remainingMs } : {}),
      now: options.clock.now,
    },
    options.reconcile ?? (() => Outcome.done('in sync')),
  );
  return { deps, reconciled, sent, leases };
}

describe('the lease', () => {
  it('recognises its holder: a retried take by the same holder succeeds, anyone else finds it busy', async () => {
    const leases = new PoolLeases(clients, names.leaseTable);
    expect(await leases.acquire('blue', 'worker-1', 45)).toEqual({ acquired: true });
    // The SDK resending the same conditional write after a lost response.
    expect(await leases.acquire('blue', 'worker-1', 45)).toEqual({ acquired: true });
    expect(await leases.acquire('blue', 'worker-2', 45)).toMatchObject({
      acquired: false,
      heldBy: 'worker-1',
    });
    expect(await leases.release('blue', 'worker-1')).toEqual({ dirty: true, lost: false });
  });

  it('runs for the pass budget plus bookkeeping and a margin, so a crashed holder blocks the pool 45 s at most', () => {
    expect(leaseSecondsFor(DEFAULT_PASS_BUDGET)).toBe(45);
  });
});

describe('a delivery that finds the pool busy', () => {
  it('is not lost when the holder died: it leaves a check for the lease expiry, and the check reconciles', async () => {
    const clock = new FakeClock();
    const crashed = new PoolLeases(clients, names.leaseTable, clock.now);
    expect(await crashed.acquire('blue', 'crashed-worker', 45)).toEqual({ acquired: true });

    clock.advance(10);
    const second = harness({ holderId: 'worker-2', clock });
    const busy = await dispatchBatch([s3Record('m1', 'blue'), s3Record('m2', 'blue')], second.deps);
    expect(busy.pools.blue).toEqual({ result: 'busy' });
    expect(busy.batchItemFailures).toEqual([]);
    // One check, timed for one second after the lease runs out (45 s taken 10 s ago).
    expect(second.sent).toEqual([{ body: { poolId: 'blue', trigger: 'lease-check' }, delaySeconds: 36 }]);
    expect(second.reconciled).toEqual([]);

    clock.advance(36);
    const third = harness({ holderId: 'worker-3', clock });
    const checked = await dispatchBatch(
      [ownRecord('check', { poolId: 'blue', trigger: 'lease-check' })],
      third.deps,
    );
    expect(checked.pools.blue).toEqual({ result: 'reconciled', outcome: Outcome.done('in sync') });
    expect(third.reconciled).toEqual(['blue']);
    expect(await third.leases.state('blue')).toEqual({ dirty: false });
  });

  it('leaves a check that is stale when the holder released normally (its release queued the pass)', async () => {
    const clock = new FakeClock();
    const holder = new PoolLeases(clients, names.leaseTable, clock.now);
    await holder.acquire('blue', 'worker-1', 45);
    const second = harness({ holderId: 'worker-2', clock });
    await dispatchBatch([s3Record('m1', 'blue')], second.deps);
    expect(second.sent.map((m) => m.body.trigger)).toEqual(['lease-check']);
    expect(await holder.release('blue', 'worker-1')).toEqual({ dirty: true, lost: false });

    clock.advance(46);
    const third = harness({ holderId: 'worker-3', clock });
    const checked = await dispatchBatch(
      [ownRecord('check', { poolId: 'blue', trigger: 'lease-check' })],
      third.deps,
    );
    expect(checked.pools.blue).toEqual({ result: 'stale-lease-check' });
    expect(third.reconciled).toEqual([]);
  });
});

describe('a batch under its time budget', () => {
  it('reconciles its pools at most poolConcurrency at a time', async () => {
    const clock = new FakeClock();
    let inFlight = 0;
    let most = 0;
    let releaseFirstWave: () => void = () => {};
    const firstWave = new Promise<void>((resolve) => {
      releaseFirstWave = resolve;
    });
    const { deps, reconciled } = harness({
      holderId: 'worker-1',
      clock,
      budget: { ...DEFAULT_PASS_BUDGET, poolConcurrency: 3 },
      reconcile: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        // The first three wait for each other: this only resolves if three really run together.
        if (inFlight === 3) releaseFirstWave();
        await firstWave;
        inFlight--;
        return Outcome.done('in sync');
      },
    });
    const pools = Array.from({ length: 10 }, (_, i) => `pool-${i}`);
    const result = await dispatchBatch(
      pools.map((poolId, i) => s3Record(`m${i}`, poolId)),
      deps,
    );
    expect(most).toBe(3);
    expect(reconciled.sort()).toEqual([...pools].sort());
    expect(result.batchItemFailures).toEqual([]);
  });

  it('returns the pools it has no time left for as item failures, most-delivered first', async () => {
    const clock = new FakeClock();
    const { deps, reconciled } = harness({
      holderId: 'worker-1',
      clock,
      budget: { passSeconds: 20, bookkeepingSeconds: 10, poolConcurrency: 1 },
      // 50 s left, 2 s of them kept to return: room for one 30 s pass, not for a second after it.
      remainingMs: () => 50_000,
      reconcile: async () => {
        clock.advance(25);
        return Outcome.done('in sync');
      },
    });
    const result = await dispatchBatch(
      [s3Record('a', 'alpha', 1), s3Record('b', 'bravo', 3), s3Record('c', 'charlie', 2)],
      deps,
    );
    expect(reconciled).toEqual(['bravo']);
    expect(result.pools).toEqual({
      bravo: { result: 'reconciled', outcome: Outcome.done('in sync') },
      charlie: { result: 'unprocessed' },
      alpha: { result: 'unprocessed' },
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c' }, { itemIdentifier: 'a' }]);
  });

  it('hands on, instead of dead-lettering untried, a pool on its last delivery it has no time for', async () => {
    const clock = new FakeClock();
    const { deps, reconciled, sent } = harness({ holderId: 'worker-1', clock, remainingMs: () => 1000 });
    const result = await dispatchBatch([s3Record('last', 'alpha', 5), s3Record('early', 'bravo', 1)], deps);
    expect(reconciled).toEqual([]);
    expect(sent).toEqual([{ body: { poolId: 'alpha', trigger: 'coalesced' } }]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'early' }]);
  });

  it('refuses pool-resource calls after the pass budget but still records and frees the lease', async () => {
    const clock = new FakeClock();
    const status = new StatusTable(clients, names.statusTable);
    let refused = '';
    const { deps, leases } = harness({
      holderId: 'worker-1',
      clock,
      budget: { passSeconds: 0.2, bookkeepingSeconds: 20, poolConcurrency: 1 },
      reconcile: async (poolId) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        try {
          await clients.ec2.send(new DescribeSubnetsCommand({}));
        } catch (error: unknown) {
          refused = (error as Error).name;
          // Bookkeeping still has time: the status table answers.
          await status.get(poolId);
          return Outcome.transient(errorMessage(error));
        }
        return Outcome.done('in sync');
      },
    });
    const result = await dispatchBatch([s3Record('m1', 'blue')], deps);
    expect(refused).toBe(DEADLINE_ERROR_NAME);
    expect(result.pools.blue).toMatchObject({ result: 'failed' });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect((await leases.state('blue')).leaseExpiresAt).toBeUndefined();
  });
});
