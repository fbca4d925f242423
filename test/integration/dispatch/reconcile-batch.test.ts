import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { AwsCallCounter } from '../../../infra/local/aws-call-counter';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { PoolLeases } from '../../../lib/aws/pool-leases';
import { PoolQueue } from '../../../lib/aws/pool-queue';
import { StatusTable } from '../../../lib/aws/status-table';
import { type DispatchDeps, dispatchBatch, type QueueRecord } from '../../../lib/dispatch/reconcile-batch';
import { TerminalAwsError } from '../../../lib/errors';
import { classifyS3Key } from '../../../lib/manifests/store-format';
import { Outcome, type ReconcileOutcome } from '../../../lib/outcome';
import { DEAD_LETTERED_REASON, statusRowAfterDeadLetter } from '../../../lib/status/dead-letter-status';
import { quietLogs } from '../../support/quiet-logs';
import { functionClients } from '../../support/sandbox';
import { dispatchDeps, names, provisionDispatchSandbox, s3Record } from './dispatch-harness';

let clients: AwsClients;
let queueUrl: string;

quietLogs();

beforeEach(async () => {
  ({ clients, queueUrl } = await provisionDispatchSandbox());
});

const ownRecord = (id: string, poolId: string, trigger: string, requeueToken?: string): QueueRecord => ({
  messageId: id,
  receiveCount: 1,
  body: JSON.stringify({ poolId, trigger, ...(requeueToken ? { requeueToken } : {}) }),
});

interface Harness {
  deps: DispatchDeps;
  reconciled: string[];
  leases: PoolLeases;
  counter: AwsCallCounter;
}

function harness(
  outcomes: (poolId: string) => Promise<ReconcileOutcome> | ReconcileOutcome,
  holderId = 'worker-1',
) {
  // The reconcile function's parts run with its credentials (the IAM gate evaluates them).
  const reconcileClients = functionClients('reconcile');
  const leases = new PoolLeases(reconcileClients, names.leaseTable);
  const status = new StatusTable(reconcileClients, names.statusTable);
  let tokens = 0;
  // Counts the lease table's calls only: the harness's reconcile() and queue are fakes or SQS.
  const counter = new AwsCallCounter(reconcileClients, ['dynamodb']);
  const { deps, reconciled } = dispatchDeps(
    clients,
    {
      leases,
      queue: new PoolQueue(reconcileClients, names.reconcileQueue),
      holderId,
      triggerContext: {
        specBucket: names.specBucket,
        poolIdFromKey: (key) => /^pools\/([a-z0-9-]+)\.yaml$/.exec(key)?.[1],
        whyNotPool: (key) => {
          const classified = classifyS3Key(key, names.specPrefix);
          return classified.kind === 'ignored' ? classified.reason : 'a pool';
        },
      },
      reportDeadLetter: async (poolId, error, terminal) => {
        const previous = await status.get(poolId);
        const next = statusRowAfterDeadLetter(previous, {
          poolId,
          error,
          attempts: 5,
          terminal,
          deadLetterQueue: names.deadLetterQueue,
          now: new Date(),
        });
        await status.put(next, previous?.revision ?? 0);
      },
      newToken: () => `token-${holderId}-${++tokens}`,
    },
    outcomes,
  );
  return { deps, reconciled, leases, counter } satisfies Harness;
}

async function queuedBodies(waitSeconds = 0): Promise<Array<Record<string, unknown>>> {
  if (waitSeconds > 0) await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
  const out = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (out.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}'));
}

async function leaseItem(poolId: string) {
  const out = await clients.dynamodb.send(
    new GetItemCommand({ TableName: names.leaseTable, Key: { poolId: { S: poolId } }, ConsistentRead: true }),
  );
  return out.Item;
}

describe('dispatchBatch on the sandbox queue and lease table', () => {
  it('reconciles each pool once per batch, however many messages name it, and frees the lease', async () => {
    const { deps, reconciled } = harness(() => Outcome.done('in sync'));
    const records = [
      ...Array.from({ length: 9 }, (_, i) => s3Record(`m${i}`, 'blue')),
      ownRecord('r1', 'green', 'resync'),
      ownRecord('x', 'green', 'unknown-trigger'),
    ];
    const result = await dispatchBatch(records, deps);
    expect(reconciled.sort()).toEqual(['blue', 'green']);
    expect(result.batchItemFailures).toEqual([]);
    expect((await leaseItem('blue'))?.holder).toBeUndefined();
    expect(await queuedBodies()).toEqual([]);
  });

  it('leaves a pool another worker holds alone, and that worker queues one more pass when it finishes', async () => {
    const other = harness(() => Outcome.done('in sync'), 'worker-2');
    let inner: Awaited<ReturnType<typeof dispatchBatch>> | undefined;
    // While worker-1 reconciles blue, worker-2 receives two more events for it.
    const first = harness(async () => {
      inner = await dispatchBatch([s3Record('late-1', 'blue'), s3Record('late-2', 'blue')], other.deps);
      return Outcome.done('in sync');
    });
    const result = await dispatchBatch([s3Record('m1', 'blue')], first.deps);
    expect(inner?.pools.blue).toEqual({ result: 'busy' });
    expect(inner?.batchItemFailures).toEqual([]);
    expect(other.reconciled).toEqual([]);
    expect(result.pools.blue).toEqual({ result: 'reconciled', outcome: Outcome.done('in sync') });
    // One coalesced message, carrying the two late events, delayed by the queue's settle window.
    const settle = Number(process.env.SETTLE_SECONDS ?? 5);
    expect(await queuedBodies(settle + 0.5)).toEqual([{ poolId: 'blue', trigger: 'coalesced' }]);
  });

  it('events during a pass that only waits for the spec to settle queue no pass of their own: the settling requeue reads the spec after them', async () => {
    const other = harness(() => Outcome.done('in sync'), 'worker-2');
    let inner: Awaited<ReturnType<typeof dispatchBatch>> | undefined;
    const location = `s3://${names.specBucket}/pools/blue.yaml`;
    const writtenAt = new Date().toISOString();
    const first = harness(async () => {
      inner = await dispatchBatch([s3Record('late-1', 'blue')], other.deps);
      return {
        ...Outcome.requeue(1, 'SpecSettling'),
        settlingWrittenAt: writtenAt,
        settlingLocation: location,
      };
    });
    const before = Date.now();
    await dispatchBatch([s3Record('m1', 'blue')], first.deps);
    expect(inner?.pools.blue).toEqual({ result: 'busy' });
    const lease = await leaseItem('blue');
    expect(lease?.dirty?.BOOL).toBe(false);
    expect(lease?.settlingWrittenAt?.S).toBe(writtenAt);
    expect(lease?.settlingLocation?.S).toBe(location);
    const due = Number(lease?.settleDueAt?.N);
    expect(due).toBeGreaterThanOrEqual(before + 1000);
    expect(due).toBeLessThanOrEqual(Date.now() + 1000);
    // The requeue alone (the lease check the busy delivery left is due after the lease, later).
    const settle = Number(process.env.SETTLE_SECONDS ?? 5);
    expect(await queuedBodies(settle + 0.5)).toEqual([
      { poolId: 'blue', trigger: 'requeue', requeueToken: 'token-worker-1-1' },
    ]);
  });

  it('turns a requeue outcome into one delayed message whose chain makes older requeues stale', async () => {
    const { deps, reconciled } = harness(() => Outcome.requeue(1, 'roll in progress'));
    await dispatchBatch([s3Record('m1', 'blue')], deps);
    expect((await leaseItem('blue'))?.requeueToken?.S).toBe('token-worker-1-1');
    expect(await queuedBodies(1.5)).toEqual([
      { poolId: 'blue', trigger: 'requeue', requeueToken: 'token-worker-1-1' },
    ]);

    const stale = await dispatchBatch([ownRecord('old', 'blue', 'requeue', 'token-from-an-old-chain')], deps);
    expect(stale.pools.blue).toEqual({ result: 'stale-requeue' });
    expect(reconciled).toEqual(['blue']);
  });

  it('keeps its lease bookkeeping to two writes a pass: the take, and the release that sets the chain', async () => {
    let outcome: ReconcileOutcome = Outcome.requeue(600, 'roll in progress');
    const { deps, counter } = harness(() => outcome);
    await dispatchBatch([s3Record('m1', 'blue')], deps);
    expect(counter.writes()).toEqual(['UpdateItem', 'UpdateItem']);
    expect((await leaseItem('blue'))?.requeueToken?.S).toBe('token-worker-1-1');
    expect((await leaseItem('blue'))?.holder).toBeUndefined();

    counter.reset();
    outcome = Outcome.done('in sync');
    await dispatchBatch([ownRecord('m2', 'blue', 'requeue', 'token-worker-1-1')], deps);
    expect(counter.writes()).toEqual(['UpdateItem', 'UpdateItem']);
    expect((await leaseItem('blue'))?.requeueToken).toBeUndefined();
  });

  it('ends the requeue chain when a pass is done', async () => {
    let outcome: ReconcileOutcome = Outcome.requeue(600, 'roll in progress');
    const { deps } = harness(() => outcome);
    await dispatchBatch([s3Record('m1', 'blue')], deps);
    outcome = Outcome.done('in sync');
    await dispatchBatch([ownRecord('m2', 'blue', 'requeue', 'token-worker-1-1')], deps);
    expect((await leaseItem('blue'))?.requeueToken).toBeUndefined();
  });

  it('fails one message per failing pool, and on the last delivery says so in the status row', async () => {
    const { deps } = harness((poolId) =>
      poolId === 'blue' ? Outcome.transient('ThrottlingException: Rate exceeded') : Outcome.done('ok'),
    );
    const first = await dispatchBatch(
      [s3Record('a', 'blue', 2), s3Record('b', 'blue', 3), s3Record('c', 'green')],
      deps,
    );
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
    expect(await new StatusTable(clients, names.statusTable).get('blue')).toBeUndefined();

    const last = await dispatchBatch([s3Record('d', 'blue', 5)], deps);
    expect(last.batchItemFailures).toEqual([{ itemIdentifier: 'd' }]);
    const row = await new StatusTable(clients, names.statusTable).get('blue');
    const ready = row?.conditions.find((condition) => condition.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: DEAD_LETTERED_REASON, severity: 'Error' });
    expect(ready?.message).toContain('ThrottlingException: Rate exceeded');
    expect(ready?.message).toContain(names.deadLetterQueue);
  });

  it('treats a crash inside reconcile like a transient failure', async () => {
    const { deps } = harness(() => {
      throw new Error('boom');
    });
    const result = await dispatchBatch([s3Record('a', 'blue')], deps);
    expect(result.pools.blue).toEqual({ result: 'failed', error: 'boom' });
    expect((await leaseItem('blue'))?.holder).toBeUndefined();
  });
});

describe('PoolLeases', () => {
  it('lets a new holder take an expired lease, and tells the old holder it lost it', async () => {
    const leases = new PoolLeases(clients, names.leaseTable);
    expect(await leases.acquire('blue', 'crashed-worker', 0)).toEqual({ acquired: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await leases.acquire('blue', 'worker-2', 60)).toEqual({ acquired: true });
    expect(await leases.acquire('blue', 'worker-3', 60)).toMatchObject({
      acquired: false,
      heldBy: 'worker-2',
      markedDirty: true,
    });
    // Only the first busy delivery of a lease period marks it (and leaves the check).
    expect(await leases.acquire('blue', 'worker-4', 60)).toMatchObject({
      acquired: false,
      markedDirty: false,
    });
    expect(await leases.release('blue', 'crashed-worker')).toEqual({ dirty: false, lost: true });
    expect(await leases.release('blue', 'worker-2')).toEqual({ dirty: true, lost: false });
  });
});

describe('every door guarded', () => {
  const s3Key = (id: string, key: string): QueueRecord => ({
    messageId: id,
    receiveCount: 1,
    body: JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: names.specBucket }, object: { key } },
    }),
  });

  it('dead-letters keys and pool ids no pool can be, with the reason, and writes nothing else', async () => {
    const { deps, reconciled } = harness(() => Outcome.done('in sync'));
    const records = [
      s3Key('space', 'pools/my pool.yaml'),
      s3Key('unicode', 'pools/pööl.yaml'),
      s3Key('traversal', 'pools/../etc.yaml'),
      s3Key('upper', 'pools/Blue.yaml'),
      s3Key('folder', 'pools/team/blue.yaml'),
      ownRecord('passwd', '../../etc/passwd', 'resync'),
      ownRecord('long', 'a'.repeat(5000), 'resync'),
    ];
    const result = await dispatchBatch(records, deps);
    expect(reconciled).toEqual([]);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.pools).toEqual({});
    // No status row, no lease item: nothing but the dead letters.
    const scanned = await Promise.all(
      [names.statusTable, names.leaseTable].map((TableName) =>
        clients.dynamodb.send(new ScanCommand({ TableName })),
      ),
    );
    expect(scanned.map((out) => out.Count)).toEqual([0, 0]);
    const dlq = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueue }));
    const letters: Array<Record<string, string>> = [];
    for (let round = 0; round < 3 && letters.length < records.length; round++) {
      const out = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      letters.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}')));
    }
    expect(letters.map((letter) => letter.messageId).sort()).toEqual(records.map((r) => r.messageId).sort());
    const byId = Object.fromEntries(letters.map((letter) => [letter.messageId, letter.reason ?? '']));
    expect(byId.space).toContain('cannot be a pool');
    expect(byId.folder).toContain('sub-folder');
    expect(byId.passwd).toContain('a pool id is a DNS label');
    expect(byId.long).toContain('(5000 characters)');
  });

  it('ends an error no retry can fix as terminal instead of retrying it to the DLQ', async () => {
    const { deps } = harness(() => Outcome.done('in sync'));
    const refusing = {
      ...deps,
      leases: {
        ...deps.leases,
        acquire: async () => {
          throw new TerminalAwsError('ValidationException: One or more parameter values were invalid');
        },
        state: (poolId: string) => deps.leases.state(poolId),
        release: (poolId: string, holder: string) => deps.leases.release(poolId, holder),
      },
    };
    const result = await dispatchBatch([s3Record('a', 'blue', 1)], refusing);
    expect(result.pools.blue).toMatchObject({ result: 'terminal' });
    expect(result.batchItemFailures).toEqual([]);

    // Not dropped: the message is in the dead-letter queue with the reason, and the status says so.
    const dlq = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueue }));
    const out = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const letters = (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(letters).toEqual([
      expect.objectContaining({
        poolId: 'blue',
        messageId: 'a',
        reason: expect.stringContaining('ValidationException'),
      }),
    ]);
    const ready = (await new StatusTable(clients, names.statusTable).get('blue'))?.conditions.find(
      (c) => c.type === 'Ready',
    );
    expect(ready).toMatchObject({ status: 'False', reason: 'ReconcileDeadLettered' });
    expect(ready?.message).toContain('no retry can fix');
  });
});

describe('one lease read for the pools of a batch', () => {
  const seenUntil = '2026-12-01T12:00:10.000Z';
  const at = (offset: number) => new Date(Date.parse(seenUntil) + offset * 1000).toISOString();
  const timedRecord = (id: string, poolId: string, time: string): QueueRecord => ({
    messageId: id,
    receiveCount: 1,
    body: JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      time,
      detail: { bucket: { name: names.specBucket }, object: { key: `${names.specPrefix}${poolId}.yaml` } },
    }),
  });
  const putLease = (item: Record<string, unknown>) =>
    clients.documents.send(new PutCommand({ TableName: names.leaseTable, Item: item }));

  it('ends the stale events of several pools after one BatchGetItem, and passes the pools with news', async () => {
    const { deps, reconciled, counter } = harness(() => Outcome.done('in sync'));
    for (const poolId of ['amber', 'blue', 'cyan'])
      await putLease({ poolId, dirty: false, recordedSpecWrittenAt: seenUntil });
    counter.reset();

    const result = await dispatchBatch(
      [
        timedRecord('a1', 'amber', at(-5)),
        timedRecord('a2', 'amber', at(0)),
        timedRecord('b1', 'blue', at(-1)),
        timedRecord('c1', 'cyan', at(5)),
        timedRecord('d1', 'dun', at(0)),
      ],
      deps,
    );

    expect(result.pools).toMatchObject({
      amber: { result: 'stale-event' },
      blue: { result: 'stale-event' },
      cyan: { result: 'reconciled' },
      dun: { result: 'reconciled' },
    });
    expect(reconciled.sort()).toEqual(['cyan', 'dun']);
    // One read for all four pools, then the take and release of the two passes.
    expect(counter.calls.filter((call) => call.endsWith('GetItem'))).toEqual(['dynamodb:BatchGetItem']);
    expect(counter.writes()).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem', 'UpdateItem']);
  });

  it('reads 150 pools in two calls, each answered as its own read answers it', async () => {
    const { leases, counter } = harness(() => Outcome.done('in sync'));
    const poolIds = Array.from({ length: 150 }, (_, i) => `pool-${String(i).padStart(3, '0')}`);
    for (const poolId of poolIds.filter((_, i) => i % 3 === 0))
      await putLease({
        poolId,
        dirty: true,
        requeueToken: `t-${poolId}`,
        settleDueAt: 1_000,
        leaseExpiresAt: 5,
      });
    counter.reset();

    const states = await leases.states([...poolIds, poolIds[0] as string]);

    expect(counter.calls).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchGetItem']);
    expect([...states.keys()].sort()).toEqual(poolIds);
    for (const poolId of poolIds) expect(states.get(poolId)).toEqual(await leases.state(poolId));
    expect(states.get('pool-003')).toEqual({
      dirty: true,
      requeueToken: 't-pool-003',
      settleDueAt: 1_000,
      leaseExpiresAt: 5,
    });
    expect(states.get('pool-001')).toEqual({ dirty: false });
  });
});
