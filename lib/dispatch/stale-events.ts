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
