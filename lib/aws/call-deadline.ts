import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A pass's time budget, enforced at the one place every AWS call goes through (a middleware the
 * client factory adds to each client), so no adapter has to thread a deadline through its calls.
 *
 * Two deadlines, because not all calls are equal once time runs out:
 * - `resources`: EC2, EKS, SSM, IAM, S3 (reads and writes that change or inspect the pool). After
 *   it, a new call or retry is refused and a call in flight is abandoned, so the pass ends.
 * - `bookkeeping`: DynamoDB and SQS (the status row, the lease, the requeue). They get a little
 *   longer, so a pass cut short still records what it did and hands the pool on. A status write
 *   lost at this point is what turns a started roll into an unrecorded one.
 */
export interface CallDeadlines {
  /** Epoch milliseconds after which pool-resource calls are refused. */
  resources: number;
  /** Epoch milliseconds after which status, lease and queue calls are refused too. */
  bookkeeping: number;
}

export type CallKind = keyof CallDeadlines;

const current = new AsyncLocalStorage<CallDeadlines>();

/** Runs `work` with these deadlines applying to every AWS call it makes (including nested ones). */
export function withCallDeadlines<T>(deadlines: CallDeadlines, work: () => Promise<T>): Promise<T> {
  return current.run(deadlines, work);
}

export function activeDeadline(kind: CallKind): number | undefined {
  return current.getStore()?.[kind];
}

/** Name the SDK's retry strategy does not retry and translateAwsError maps to transient. */
export const DEADLINE_ERROR_NAME = 'PassDeadlineExceeded';

export function deadlineExceeded(kind: CallKind, command: string, deadline: number): Error {
  return Object.assign(
    new Error(
      `${command} not sent: the pass's time budget for ${kind} calls ran out at ` +
        `${new Date(deadline).toISOString()} (RECONCILE_PASS_SECONDS); the pool is handed to the next pass`,
    ),
    { name: DEADLINE_ERROR_NAME },
  );
}
