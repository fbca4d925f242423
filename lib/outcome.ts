/**
 * Every reconcile ends in exactly one of these. Handlers map them onto the queue: `done` deletes
 * the message, `requeue` sends a delayed message, `transient` fails the message so SQS retries it
 * (then the DLQ), `terminal` is written as a condition and the message is deleted.
 */
export type ReconcileOutcome = (
  | { kind: 'done'; summary: string }
  | {
      kind: 'requeue';
      afterSeconds: number;
      reason: string;
      /** Waiting for the spec to settle: the write time of the newest spec the pass saw. */
      settlingWrittenAt?: string;
      /** ... and where it lives: only events for that object are covered by the wait. */
      settlingLocation?: string;
    }
  | { kind: 'transient'; error: string }
  | { kind: 'terminal'; reason: string; message: string }
) & {
  /**
   * The status row's `specWrittenAt` once this pass's row is stored (written or already equal):
   * the lease keeps a copy, so a stale spec event is recognised with the lease read alone.
   */
  recordedSpecWrittenAt?: string;
};

export const Outcome = {
  done: (summary: string): ReconcileOutcome => ({ kind: 'done', summary }),
  requeue: (afterSeconds: number, reason: string): ReconcileOutcome => ({
    kind: 'requeue',
    afterSeconds,
    reason,
  }),
  transient: (error: string): ReconcileOutcome => ({ kind: 'transient', error }),
  terminal: (reason: string, message: string): ReconcileOutcome => ({ kind: 'terminal', reason, message }),
} as const;
