import type { LeaseState } from '../aws/pool-leases';
import { type PoolTrigger, TriggerKind } from './pool-trigger';

/**
 * Whether every spec event of a pool is one the status row has already seen: each is an S3 object
 * event (EventBridge `time`, to the second) from no later than the write of the spec the last
 * acting pass read (`specWrittenAt`, S3 LastModified, to the second). That pass acted only once the
 * spec had been quiet for the settle period, so every write up to the end of that second was visible
 * to it (S3 reads are strongly consistent): those events have nothing new to say. Spec-table events
 * are never judged stale here: an item's `updatedAt` comes from the writer's clock. Pure.
 */
export function specEventsSeen(triggers: readonly PoolTrigger[], specWrittenAt: string | undefined): boolean {
  if (!specWrittenAt || triggers.length === 0) return false;
  const seenUntil = Date.parse(specWrittenAt);
  if (!Number.isFinite(seenUntil)) return false;
  return triggers.every(
    (trigger) =>
      trigger.kind === TriggerKind.SpecObject &&
      trigger.eventTime !== undefined &&
      Date.parse(trigger.eventTime) <= seenUntil,
  );
}

/** Whether a status read could end the pool's dispatch early: only spec object events with a time. */
export function mayBeStale(triggers: readonly PoolTrigger[]): boolean {
  return triggers.every(
    (trigger) => trigger.kind === TriggerKind.SpecObject && trigger.eventTime !== undefined,
  );
}

/** What the settle rule reads from the pool's lease item (PoolLeases.state). */
export type PendingSettle = Pick<
  LeaseState,
  'leaseExpiresAt' | 'settlingWrittenAt' | 'settleDueAt' | 'settlingLocation'
>;

/**
 * Whether a pending settling requeue covers these spec object events, so they need no pass. Pure.
 * - Events for the object it reads, no later than the write it saw: always (nothing new to it).
 * - Later events too, when they are all for the object that requeue reads, nobody holds the lease
 *   and the requeue is not overdue by more than `overdueMs`: its pass takes the lease after this
 *   read, so it reads the spec after these events' writes and settles from the newest one. A pass
 *   holding the lease may have read the spec before them: those go on to the lease take (busy,
 *   dirty, one more pass). An event for another key of the pool (a second object, a conflict) is
 *   news to a requeue that reads only its own. A requeue long overdue (failing, or on its way to
 *   the dead-letter queue) is not trusted with news.
 */
export function pendingSettleCovers(
  triggers: readonly PoolTrigger[],
  lease: PendingSettle,
  nowMs: number,
  overdueMs: number,
): boolean {
  if (!mayBeStale(triggers) || lease.settlingWrittenAt === undefined) return false;
  const sameObject = triggers.every(
    (trigger) => trigger.location !== undefined && trigger.location === lease.settlingLocation,
  );
  // A lease item written before settlingLocation existed: only the first rule, as it was.
  if (lease.settlingLocation !== undefined && !sameObject) return false;
  if (specEventsSeen(triggers, lease.settlingWrittenAt)) return true;
  const held = lease.leaseExpiresAt !== undefined && lease.leaseExpiresAt >= nowMs;
  return !held && sameObject && lease.settleDueAt !== undefined && nowMs <= lease.settleDueAt + overdueMs;
}
