import { ConditionSeverity, ConditionType, falseCondition, mergeConditions } from './conditions';
import { appendHistory, emptyStatusRow, type StatusRow } from './status-row';

export const DEAD_LETTERED_REASON = 'ReconcileDeadLettered';

export interface DeadLetterReport {
  poolId: string;
  error: string;
  attempts: number;
  /** True when the error is one no retry can fix: the message went to the queue at once. */
  terminal?: boolean;
  deadLetterQueue: string;
  now: Date;
}

/**
 * The status row after a pool's message went to the dead-letter queue. The summary `Ready`
 * condition carries it: every reconcile pass recomputes Ready, so the next pass that gets through
 * replaces it without anyone having to remember to clear a flag.
 */
export function statusRowAfterDeadLetter(
  previous: StatusRow | undefined,
  report: DeadLetterReport,
): StatusRow {
  const base = previous ?? emptyStatusRow(report.poolId);
  const failed = report.terminal
    ? `reconciling failed with an error no retry can fix (${report.error})`
    : `reconciling failed ${report.attempts} times (last error: ${report.error})`;
  const message =
    `${failed}; the message moved to the dead-letter queue ${report.deadLetterQueue}. ` +
    'Fix the cause, then redrive that queue or write the spec again.';
  return {
    ...base,
    conditions: mergeConditions(
      base.conditions,
      [falseCondition(ConditionType.Ready, DEAD_LETTERED_REASON, message, ConditionSeverity.Error)],
      report.now,
      base.observedGeneration ?? 0,
    ),
    history: appendHistory(base.history, [
      { at: report.now.toISOString(), event: 'MessageDeadLettered', message },
    ]),
  };
}
