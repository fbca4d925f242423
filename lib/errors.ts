/**
 * The project's error family. Every error the product raises on purpose is one of these, and each
 * class says whether retrying can help (`retryable`), so a handler decides retry-or-not from the
 * error alone, never from a list of classes.
 */
export interface ErrorContext {
  poolId?: string;
  resourceId?: string;
  /** The AWS error name or EKS error code behind this error, when there is one. */
  awsCode?: string;
}

export class EnclavePoolError extends Error {
  readonly context: ErrorContext;
  /**
   * Whether the same request may succeed later, so the queue should retry it. False is terminal:
   * the pass writes it as a condition and the message is not redelivered.
   */
  readonly retryable: boolean = false;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

/** The pool spec cannot be used as written. Retrying will not help until the user edits it. */
export class SpecInvalidError extends EnclavePoolError {}

/** An AWS call failed; translate-error.ts (lib/aws) picks the subclass from the SDK's classification. */
export class AwsCallError extends EnclavePoolError {}

/** A call failed in a way that may succeed later (throttling, 5xx, a network fault). */
export class TransientAwsError extends AwsCallError {
  override readonly retryable = true;
}

/** AWS refused in a way that retrying the same request will not fix (permissions, bad parameter). */
export class TerminalAwsError extends AwsCallError {}

/** Another writer changed the status row or holds the pool's lease first: the next pass re-reads. */
export class ConcurrentUpdateError extends EnclavePoolError {
  override readonly retryable = true;
}

/**
 * An item of the status table is not a status row (written by hand, or by something else than the
 * reconciler): nothing that reads it can trust it, and retrying reads the same item.
 */
export class StatusRowInvalidError extends EnclavePoolError {}

/** Bad command-line usage (the CLI exits 2). */
export class UsageError extends EnclavePoolError {}

/**
 * Whether a failed pass should be retried. An error outside the family is a fault we did not
 * foresee (a bug, an untranslated throw): it is retried, and after the queue's attempts it lands
 * in the dead-letter queue, where it is seen, rather than being written off as the user's problem.
 */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof EnclavePoolError) || error.retryable;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
