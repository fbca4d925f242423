import type { SQSRecord } from 'aws-lambda';
import { errorMessage } from '../errors';
import { log } from '../log';
import type { ReconcileOutcome } from '../outcome';
import { type PoolTrigger, parsePoolTrigger, type TriggerContext, TriggerKind } from './pool-trigger';

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
  reconcile(poolId: string): Promise<ReconcileOutcome>;
  leases: {
    acquire(poolId: string, holder: string, leaseSeconds: number): Promise<{ acquired: boolean }>;
    release(poolId: string, holder: string): Promise<{ dirty: boolean; lost: boolean }>;
    requeueToken(poolId: string): Promise<string | undefined>;
    setRequeueToken(poolId: string, token: string | undefined): Promise<void>;
  };
  queue: {
    send(message: {
      body: { poolId: string; trigger: TriggerKind; requeueToken?: string };
      delaySeconds?: number;
    }): Promise<void>;
  };
  triggerContext: TriggerContext;
  /** Identifies this invocation in the lease (the Lambda request id). */
  holderId: string;
  /** Longer than one reconcile can take (the function timeout), so a live holder never loses it. */
  leaseSeconds: number;
  /** The queue's maxReceiveCount: on that delivery a failure sends the message to the DLQ. */
  maxReceives: number;
  /** Records on the pool's status that its messages are going to the dead-letter queue. */
  reportDeadLetter(poolId: string, error: string): Promise<void>;
  newToken(): string;
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
  | { result: 'failed'; error: string };

interface PoolWork {
  triggers: PoolTrigger[];
  records: QueueRecord[];
}

export async function dispatchBatch(records: QueueRecord[], deps: DispatchDeps): Promise<BatchResult> {
  const work = new Map<string, PoolWork>();
  for (const record of records) {
    const parsed = parsePoolTrigger(record.body, deps.triggerContext);
    if ('ignored' in parsed) {
      // Not retryable: a message we cannot read would fail the same way on every delivery.
      log('warn', 'message-ignored', { messageId: record.messageId, reason: parsed.ignored });
      continue;
    }
    const { poolId } = parsed.trigger;
    const entry = work.get(poolId) ?? { triggers: [], records: [] };
    entry.triggers.push(parsed.trigger);
    entry.records.push(record);
    work.set(poolId, entry);
  }

  const failures: { itemIdentifier: string }[] = [];
  const pools: Record<string, PoolDispatch> = {};
  for (const [poolId, entry] of work) {
    const dispatch = await dispatchPool(poolId, entry, deps);
    pools[poolId] = dispatch;
    if (dispatch.result === 'failed') {
      // One message carries the retry for the whole pool; the one delivered most often, so that a
      // pool that keeps failing reaches the DLQ instead of cycling fresh duplicates for ever.
      const carrier = entry.records.reduce((a, b) => (b.receiveCount > a.receiveCount ? b : a));
      failures.push({ itemIdentifier: carrier.messageId });
      if (carrier.receiveCount >= deps.maxReceives) {
        await deps
          .reportDeadLetter(poolId, dispatch.error)
          .catch((error: unknown) =>
            log('error', 'dead-letter-report-failed', { poolId, error: errorMessage(error) }),
          );
      }
    }
  }
  return { batchItemFailures: failures, pools };
}

async function dispatchPool(poolId: string, entry: PoolWork, deps: DispatchDeps): Promise<PoolDispatch> {
  try {
    if (entry.triggers.every((trigger) => trigger.kind === TriggerKind.Requeue)) {
      const live = await deps.leases.requeueToken(poolId);
      if (!entry.triggers.some((trigger) => trigger.requeueToken === live)) {
        log('debug', 'requeue-stale', { poolId });
        return { result: 'stale-requeue' };
      }
    }

    const lease = await deps.leases.acquire(poolId, deps.holderId, deps.leaseSeconds);
    if (!lease.acquired) {
      log('info', 'pool-busy', { poolId, triggers: entry.triggers.map((t) => t.kind) });
      return { result: 'busy' };
    }

    let outcome: ReconcileOutcome;
    try {
      outcome = await deps.reconcile(poolId);
    } catch (error: unknown) {
      // reconcile() maps expected failures to outcomes; an exception here is a bug or an outage.
      outcome = { kind: 'transient', error: errorMessage(error) };
    }

    try {
      if (outcome.kind === 'requeue') {
        const requeueToken = deps.newToken();
        await deps.leases.setRequeueToken(poolId, requeueToken);
        await deps.queue.send({
          body: { poolId, trigger: TriggerKind.Requeue, requeueToken },
          delaySeconds: outcome.afterSeconds,
        });
      } else if (outcome.kind !== 'transient') {
        await deps.leases.setRequeueToken(poolId, undefined);
      }
    } finally {
      const release = await deps.leases.release(poolId, deps.holderId);
      if (release.lost) log('warn', 'lease-lost', { poolId });
      if (release.dirty) await deps.queue.send({ body: { poolId, trigger: TriggerKind.Coalesced } });
    }

    log(outcome.kind === 'transient' ? 'warn' : 'info', 'reconciled', {
      poolId,
      outcome: outcome.kind,
      ...outcomeFields(outcome),
      triggers: entry.triggers.map((t) => t.kind),
    });
    if (outcome.kind === 'transient') return { result: 'failed', error: outcome.error };
    return { result: 'reconciled', outcome };
  } catch (error: unknown) {
    log('error', 'dispatch-failed', { poolId, error: errorMessage(error) });
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
