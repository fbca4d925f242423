import type { SQSRecord } from 'aws-lambda';
import { withCallDeadlines } from '../aws/call-deadline';
import type { LeaseState, RequeueChain } from '../aws/pool-leases';
import { errorMessage, isRetryable } from '../errors';
import { logger } from '../logger';
import type { ReconcileOutcome } from '../outcome';
import {
  type PoolTrigger,
  parsePoolTrigger,
  type TriggerContext,
  type TriggerFacts,
  TriggerKind,
  triggerFacts,
} from './pool-trigger';
import { mayBeStale, pendingSettleCovers, specEventsSeen } from './stale-events';

/**
 * Turns one SQS batch into at most one reconcile per pool, and each outcome into what the queue
 * must do next. Everything AWS-facing is injected, so the handler stays a few lines and this stays
 * testable without a queue.
 */
export interface QueueRecord {
  messageId: string;
  body: string;
  /** SQS ApproximateReceiveCount: 1 on first delivery. */
  receiveCount: number;
}

/** Lambda's SQS records as the dispatcher reads them. */
export function queueRecordsFromSqs(records: readonly SQSRecord[]): QueueRecord[] {
  return records.map((record) => ({
    messageId: record.messageId,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
  }));
}

export interface DispatchDeps {
  /** `facts`: what this pool's messages say (spec events, the hourly drift check). */
  reconcile(poolId: string, facts: TriggerFacts): Promise<ReconcileOutcome>;
  leases: {
    acquire(
      poolId: string,
      holder: string,
      leaseSeconds: number,
    ): Promise<{ acquired: true } | { acquired: false; expiresAt: number; markedDirty: boolean }>;
    /** Also starts (token) or ends (undefined token) the requeue chain, in the same write. */
    release(
      poolId: string,
      holder: string,
      requeue?: RequeueChain,
      recordedSpecWrittenAt?: string,
    ): Promise<{ dirty: boolean; lost: boolean }>;
    state(poolId: string): Promise<LeaseState>;
    /** Several pools' lease items in one read (BatchGetItem): a batch's stale checks share it. */
    states(poolIds: readonly string[]): Promise<Map<string, LeaseState>>;
  };
  queue: {
    send(message: {
      body: { poolId: string; trigger: TriggerKind; requeueToken?: string };
      delaySeconds?: number;
    }): Promise<void>;
  };
  triggerContext: TriggerContext;
  /** The dead-letter queue, for messages that can never name a pool (sent with the reason). */
  deadLetters: { send(body: Record<string, unknown>): Promise<void> };
  /** Identifies this invocation in the lease (the Lambda request id). */
  holderId: string;
  /** The time budget of one pass (see PassBudget). */
  budget: PassBudget;
  /** Milliseconds before the function is stopped (Lambda's getRemainingTimeInMillis); none locally. */
  remainingMs?: () => number;
  /** The queue's maxReceiveCount: on that delivery a failure sends the message to the DLQ. */
  maxReceives: number;
  /** Records on the pool's status that its messages are going to the dead-letter queue. */
  reportDeadLetter(poolId: string, error: string, terminal?: boolean): Promise<void>;
  newToken(): string;
  now?: () => number;
  /** The write time of the spec the pool's last acting pass read (status row `specWrittenAt`). */
  specWrittenAt?(poolId: string): Promise<string | undefined>;
}

/**
 * How long one pool's pass may take, so a batch ends before the function does and a crashed
 * holder's lease ends soon after it (docs/reliability.md):
 * - `passSeconds`: EC2 / EKS / SSM / IAM / S3 calls are refused after this.
 * - `bookkeepingSeconds`: on top, for the status write, the requeue and the lease release.
 * - the lease is taken for both plus LEASE_MARGIN_SECONDS, so it outlives every call its holder
 *   can still make, and no more.
 * - `poolConcurrency`: pools of one batch handled at the same time.
 */
export interface PassBudget {
  passSeconds: number;
  bookkeepingSeconds: number;
  poolConcurrency: number;
}

export const DEFAULT_PASS_BUDGET: PassBudget = {
  passSeconds: 30,
  bookkeepingSeconds: 10,
  poolConcurrency: 4,
};
export const LEASE_MARGIN_SECONDS = 5;
/** No pass runs into the last 2 s: they are for handing back the batch and returning. */
const RETURN_MARGIN_MS = 2000;
const FINAL_MARGIN_MS = 300;

/** Seconds after which a lease taken now has certainly expired, even if its holder crashed. */
export function leaseSecondsFor(budget: PassBudget): number {
  return budget.passSeconds + budget.bookkeepingSeconds + LEASE_MARGIN_SECONDS;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  /** Per pool, what happened (for logs and tests). */
  pools: Record<string, PoolDispatch>;
}

export type PoolDispatch =
  | { result: 'reconciled'; outcome: ReconcileOutcome }
  | { result: 'busy' }
  | { result: 'stale-requeue' }
  | { result: 'stale-lease-check' }
  /** Every message was a spec event the status row had already seen: one read (lease, else status row). */
  | { result: 'stale-event' }
  /** Spec events a pending requeue, waiting for the spec to settle, already covers: one lease read. */
  | { result: 'settling' }
  /** Not started: the invocation had no room left for a whole pass. */
  | { result: 'unprocessed' }
  | { result: 'failed'; error: string }
  /** The dispatch itself hit an error no retry can fix: acknowledged, not retried. */
  | { result: 'terminal'; error: string };

interface PoolWork {
  poolId: string;
  triggers: PoolTrigger[];
  records: QueueRecord[];
  /** The message delivered most often: it carries a retry for the whole pool. */
  carrier: QueueRecord;
}

export async function dispatchBatch(records: QueueRecord[], deps: DispatchDeps): Promise<BatchResult> {
  const now = deps.now ?? Date.now;
  const functionEnd = deps.remainingMs === undefined ? Number.POSITIVE_INFINITY : now() + deps.remainingMs();
  const { work, rejected } = groupByPool(records, deps);
  const leaseReads = await readLeasesOnce(work, deps, now);
  // Passes end this much before the function is stopped; the hand-backs after them use the rest.
  const pools = await runPasses(work, deps, now, functionEnd - RETURN_MARGIN_MS, leaseReads);

  const failures: { itemIdentifier: string }[] = [];
  // What is left to do after the passes gets the rest of the invocation, not a pass's budget.
  const untilEnd = { resources: functionEnd - FINAL_MARGIN_MS, bookkeeping: functionEnd - FINAL_MARGIN_MS };
  for (const { record, reason } of rejected) {
    if (!(await deadLetterRejected(record, reason, deps, untilEnd)))
      failures.push({ itemIdentifier: record.messageId });
  }
  for (const entry of work) {
    const failed = await handBack(entry, pools[entry.poolId] as PoolDispatch, deps, untilEnd);
    if (failed) failures.push({ itemIdentifier: entry.carrier.messageId });
  }
  return { batchItemFailures: failures, pools };
}

type Deadlines = Parameters<typeof withCallDeadlines>[0];

/** The batch's messages by pool, most-delivered pool first; messages no pool can be, apart. */
function groupByPool(
  records: readonly QueueRecord[],
  deps: DispatchDeps,
): { work: PoolWork[]; rejected: Array<{ record: QueueRecord; reason: string }> } {
  const byPool = new Map<string, Omit<PoolWork, 'carrier'>>();
  const rejected: Array<{ record: QueueRecord; reason: string }> = [];
  for (const record of records) {
    const parsed = parsePoolTrigger(record.body, deps.triggerContext);
    if ('ignored' in parsed) {
      // Not retryable: a message we cannot read would fail the same way on every delivery.
      logger.warn('message-ignored', { messageId: record.messageId, reason: parsed.ignored });
      continue;
    }
    if ('rejected' in parsed) {
      rejected.push({ record, reason: parsed.rejected });
      continue;
    }
    const { poolId } = parsed.trigger;
    const entry = byPool.get(poolId) ?? { poolId, triggers: [], records: [] };
    entry.triggers.push(parsed.trigger);
    entry.records.push(record);
    byPool.set(poolId, entry);
  }
  // Pools closest to the dead-letter queue first, so a short invocation still tries them.
  const work: PoolWork[] = [...byPool.values()]
    .map((entry) => ({
      ...entry,
      carrier: entry.records.reduce((a, b) => (b.receiveCount > a.receiveCount ? b : a)),
    }))
    .sort((a, b) => b.carrier.receiveCount - a.carrier.receiveCount);
  return { work, rejected };
}

/** A pool's lease item as read for its stale check, and when the read was sent. */
interface LeaseRead {
  lease: LeaseState;
  readAt: number;
}
type LeaseReads = ReadonlyMap<string, LeaseRead>;

/** Whether a pool's messages may end at the stale check, which reads its lease item. */
function needsLeaseRead(entry: PoolWork): boolean {
  return mayBeStale(entry.triggers) || entry.triggers.every((trigger) => HINTS.has(trigger.kind));
}

/**
 * The lease items of every pool whose messages may be stale, in one read for the batch: a burst
 * over many pools pays one call per batch instead of one per pool. An item read before a pool's
 * turn is still a sound answer: the rules judge it as of its read (readAt), which came after
 * every event of the batch was written. If the batch read fails, each pool reads its own.
 */
async function readLeasesOnce(
  work: readonly PoolWork[],
  deps: DispatchDeps,
  now: () => number,
): Promise<LeaseReads> {
  const poolIds = work.filter(needsLeaseRead).map((entry) => entry.poolId);
  if (poolIds.length < 2) return new Map();
  const readAt = now();
  const passMs = (deps.budget.passSeconds + deps.budget.bookkeepingSeconds) * 1000;
  try {
    const states = await withCallDeadlines({ resources: readAt + passMs, bookkeeping: readAt + passMs }, () =>
      deps.leases.states(poolIds),
    );
    return new Map([...states].map(([poolId, lease]) => [poolId, { lease, readAt }]));
  } catch (error: unknown) {
    logger.warn('lease-batch-read-failed', { pools: poolIds.length, error: errorMessage(error) });
    return new Map();
  }
}

/** One pass per pool, `poolConcurrency` at a time, each started only when a whole pass still fits. */
async function runPasses(
  work: readonly PoolWork[],
  deps: DispatchDeps,
  now: () => number,
  invocationEnd: number,
  leaseReads: LeaseReads,
): Promise<Record<string, PoolDispatch>> {
  const passMs = (deps.budget.passSeconds + deps.budget.bookkeepingSeconds) * 1000;
  const pools: Record<string, PoolDispatch> = {};
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const entry = work[next++] as PoolWork;
      const started = now();
      // Start a pool only when a whole pass fits before the function is stopped.
      if (invocationEnd - started < passMs) {
        pools[entry.poolId] = { result: 'unprocessed' };
        continue;
      }
      const deadlines = {
        resources: started + deps.budget.passSeconds * 1000,
        bookkeeping: started + passMs,
      };
      const leaseRead = leaseReads.get(entry.poolId);
      pools[entry.poolId] = await withCallDeadlines(deadlines, () =>
        dispatchPool(entry, deps, now, leaseRead),
      );
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(deps.budget.poolConcurrency, work.length)) }, worker),
  );
  return pools;
}

/** The answer for a message no pool can be: the dead-letter queue, with why and what to change. */
async function deadLetterRejected(
  record: QueueRecord,
  reason: string,
  deps: DispatchDeps,
  untilEnd: Deadlines,
): Promise<boolean> {
  logger.warn('message-rejected', { messageId: record.messageId, reason });
  return withCallDeadlines(untilEnd, () =>
    deps.deadLetters.send({
      rejectedBy: 'enclave-pools',
      reason,
      messageId: record.messageId,
      body: record.body,
    }),
  ).then(
    () => true,
    (error: unknown) => {
      logger.error('dead-letter-send-failed', { messageId: record.messageId, error: errorMessage(error) });
      return false;
    },
  );
}

/**
 * What the queue is told about one pool after its pass: true when its carrier message must be
 * delivered again (a batch item failure).
 */
async function handBack(
  entry: PoolWork,
  dispatch: PoolDispatch,
  deps: DispatchDeps,
  untilEnd: Deadlines,
): Promise<boolean> {
  const { carrier, poolId } = entry;
  if (dispatch.result === 'unprocessed') {
    logger.warn('pool-unprocessed', { poolId, receiveCount: carrier.receiveCount });
    // Its last delivery would go to the DLQ untried: hand the pool on in a fresh message instead.
    if (carrier.receiveCount >= deps.maxReceives) {
      const handedOn = await withCallDeadlines(untilEnd, () =>
        deps.queue.send({ body: { poolId, trigger: TriggerKind.Coalesced } }).then(
          () => true,
          () => false,
        ),
      );
      if (handedOn) return false;
    }
    return true;
  }
  if (dispatch.result === 'terminal') {
    // No retry can fix it (a missing table, access denied): the message goes to the dead-letter
    // queue now, with the reason, and the pool's status says so. Nothing is dropped: once the
    // cause is fixed, a redrive or the next spec write reconciles the pool.
    const moved = await withCallDeadlines(untilEnd, async () => {
      await deps.deadLetters.send({
        rejectedBy: 'enclave-pools',
        poolId,
        reason: dispatch.error,
        messageId: carrier.messageId,
        body: carrier.body,
      });
      await deps
        .reportDeadLetter(poolId, dispatch.error, true)
        .catch((error: unknown) =>
          logger.error('dead-letter-report-failed', { poolId, error: errorMessage(error) }),
        );
    }).then(
      () => true,
      (error: unknown) => {
        logger.error('dead-letter-send-failed', { poolId, error: errorMessage(error) });
        return false;
      },
    );
    return !moved;
  }
  if (dispatch.result === 'failed') {
    // One message carries the retry for the whole pool; the one delivered most often, so that a
    // pool that keeps failing reaches the DLQ instead of cycling fresh duplicates for ever.
    if (carrier.receiveCount >= deps.maxReceives) {
      await withCallDeadlines(untilEnd, () => deps.reportDeadLetter(poolId, dispatch.error)).catch(
        (error: unknown) => logger.error('dead-letter-report-failed', { poolId, error: errorMessage(error) }),
      );
    }
    return true;
  }
  return false;
}

/** Hints of our own (a requeue, a lease check) that may have been overtaken since they were sent. */
const HINTS = new Set<TriggerKind>([TriggerKind.Requeue, TriggerKind.LeaseCheck]);

/**
 * A delivery that needs no pass: spec events the status row has already seen, events a pending
 * requeue already covers (it re-reads the spec after every write they are about), or a hint of
 * our own that was overtaken.
 */
async function staleEvents(
  entry: PoolWork,
  deps: DispatchDeps,
  now: () => number,
  batchRead: LeaseRead | undefined,
): Promise<PoolDispatch | undefined> {
  const { poolId } = entry;
  const readLease = async (): Promise<LeaseRead> => {
    if (batchRead) return batchRead;
    const readAt = now();
    return { lease: await deps.leases.state(poolId), readAt };
  };
  if (mayBeStale(entry.triggers)) {
    // One read decides both: the lease item holds the pending settle (what it saw, when it is due)
    // and a copy of the status row's specWrittenAt (stored by the release after the row). The row
    // is read only when the lease has no copy yet (its first pass since this, or TTL); a copy
    // behind the row (a pass stopped between its two writes) only costs a pass, never skips one.
    const { lease, readAt } = await readLease();
    const recorded =
      lease.recordedSpecWrittenAt ?? (deps.specWrittenAt ? await deps.specWrittenAt(poolId) : undefined);
    if (specEventsSeen(entry.triggers, recorded)) {
      logger.debug('spec-event-stale', { poolId, events: entry.triggers.length });
      return { result: 'stale-event' };
    }
    if (pendingSettleCovers(entry.triggers, lease, readAt, leaseSecondsFor(deps.budget) * 1000)) {
      logger.debug('spec-event-settling', { poolId, events: entry.triggers.length });
      return { result: 'settling' };
    }
  }
  // Hints of our own (a requeue, a lease check) may have been overtaken since they were sent.
  if (!entry.triggers.every((trigger) => HINTS.has(trigger.kind))) return undefined;
  const { lease } = await readLease();
  const liveRequeue = entry.triggers.some(
    (trigger) => trigger.kind === TriggerKind.Requeue && trigger.requeueToken === lease.requeueToken,
  );
  // Dirty with no live holder: the holder that should have consumed the events died.
  const orphanedDirty =
    lease.dirty &&
    (lease.leaseExpiresAt === undefined || lease.leaseExpiresAt < now()) &&
    entry.triggers.some((trigger) => trigger.kind === TriggerKind.LeaseCheck);
  if (liveRequeue || orphanedDirty) return undefined;
  const onlyLeaseChecks = entry.triggers.every((trigger) => trigger.kind === TriggerKind.LeaseCheck);
  logger.debug(onlyLeaseChecks ? 'lease-check-stale' : 'requeue-stale', { poolId });
  return onlyLeaseChecks ? { result: 'stale-lease-check' } : { result: 'stale-requeue' };
}

async function releaseAndRequeue(
  poolId: string,
  outcome: ReconcileOutcome,
  deps: DispatchDeps,
  now: () => number,
): Promise<void> {
  // Two lease writes a pass: the take, and the release that also starts or ends the requeue
  // chain. The requeue goes out after the release, so its token is live when it arrives; a
  // holder that lost its lease sends none (its token was not stored: the holder now decides).
  const requeueToken = outcome.kind === 'requeue' ? deps.newToken() : undefined;
  const release = await deps.leases.release(
    poolId,
    deps.holderId,
    outcome.kind === 'requeue'
      ? {
          token: requeueToken,
          settlingWrittenAt: outcome.settlingWrittenAt,
          settleDueAt: now() + outcome.afterSeconds * 1000,
          ...(outcome.settlingLocation ? { settlingLocation: outcome.settlingLocation } : {}),
        }
      : outcome.kind === 'transient'
        ? undefined
        : { token: undefined },
    outcome.recordedSpecWrittenAt,
  );
  if (release.lost) logger.warn('lease-lost', { poolId });
  let settleRequeued = false;
  try {
    if (outcome.kind === 'requeue' && !release.lost) {
      await deps.queue.send({
        body: { poolId, trigger: TriggerKind.Requeue, requeueToken },
        delaySeconds: outcome.afterSeconds,
      });
      settleRequeued = outcome.settlingWrittenAt !== undefined;
    }
  } finally {
    // Events that came in during a pass that only waited for the spec to settle need no pass of
    // their own: the settling requeue just sent reads the spec when it runs, after their writes.
    if (release.dirty && !settleRequeued)
      await deps.queue.send({ body: { poolId, trigger: TriggerKind.Coalesced } });
  }
}

async function dispatchPool(
  entry: PoolWork,
  deps: DispatchDeps,
  now: () => number,
  leaseRead: LeaseRead | undefined,
): Promise<PoolDispatch> {
  const { poolId } = entry;
  try {
    const stale = await staleEvents(entry, deps, now, leaseRead);
    if (stale) return stale;

    const lease = await deps.leases.acquire(poolId, deps.holderId, leaseSecondsFor(deps.budget));
    if (!lease.acquired) {
      logger.info('pool-busy', { poolId, triggers: entry.triggers.map((t) => t.kind) });
      if (lease.markedDirty) {
        // If the holder is alive it queues the pass itself when it releases (and this check is
        // then stale); if it died, this check is the pass that sees the events.
        await deps.queue.send({
          body: { poolId, trigger: TriggerKind.LeaseCheck },
          delaySeconds: Math.ceil((lease.expiresAt - now()) / 1000) + 1,
        });
      }
      return { result: 'busy' };
    }

    let outcome: ReconcileOutcome;
    try {
      outcome = await deps.reconcile(poolId, triggerFacts(entry.triggers));
    } catch (error: unknown) {
      // reconcile() maps expected failures to outcomes; an exception here is a bug or an outage.
      outcome = { kind: 'transient', error: errorMessage(error) };
    }

    await releaseAndRequeue(poolId, outcome, deps, now);

    logger[outcome.kind === 'transient' ? 'warn' : 'info']('reconciled', {
      poolId,
      outcome: outcome.kind,
      ...outcomeFields(outcome),
      triggers: entry.triggers.map((t) => t.kind),
    });
    if (outcome.kind === 'transient') return { result: 'failed', error: outcome.error };
    return { result: 'reconciled', outcome };
  } catch (error: unknown) {
    // An error that no retry can fix (a refused parameter, access denied) ends here instead of
    // cycling to the DLQ over five deliveries.
    if (!isRetryable(error)) {
      logger.error('dispatch-terminal', { poolId, error: errorMessage(error) });
      return { result: 'terminal', error: errorMessage(error) };
    }
    logger.error('dispatch-failed', { poolId, error: errorMessage(error) });
    return { result: 'failed', error: errorMessage(error) };
  }
}

function outcomeFields(outcome: ReconcileOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'done':
      return { summary: outcome.summary };
    case 'requeue':
      return { afterSeconds: outcome.afterSeconds, reason: outcome.reason };
    case 'transient':
      return { error: outcome.error };
    case 'terminal':
      return { reason: outcome.reason, message: outcome.message };
  }
}
