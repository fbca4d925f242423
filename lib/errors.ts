/**
 * The project's error family. Every error the product raises on purpose is one of these, so a
 * handler can decide retry-or-not from the class alone.
 */
export interface ErrorContext {
  poolId?: string;
  resourceId?: string;
  /** The AWS error name or EKS error code behind this error, when there is one. */
  awsCode?: string;
}

export class EnclavePoolError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

/** The pool spec cannot be used as written. Retrying will not help until the user edits it. */
export class SpecInvalidError extends EnclavePoolError {}

/** A call failed in a way that may succeed later (throttling, 5xx, a network fault). */
export class TransientAwsError extends EnclavePoolError {}

/** AWS refused in a way that retrying the same request will not fix (permissions, bad parameter). */
export class TerminalAwsError extends EnclavePoolError {}

/** A resource of ours exists under the name we need but is not tagged as ours: never adopted. */
export class OwnershipConflictError extends EnclavePoolError {}

/** Another writer changed the status row or holds the pool's lease first. */
export class ConcurrentUpdateError extends EnclavePoolError {}

/** Bad command-line usage (the CLI exits 2). */
export class UsageError extends EnclavePoolError {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
