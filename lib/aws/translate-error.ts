import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import {
  EnclavePoolError,
  type ErrorContext,
  errorMessage,
  TerminalAwsError,
  TransientAwsError,
} from '../errors';
import { DEADLINE_ERROR_NAME } from './call-deadline';

/**
 * Maps an SDK exception to the project's error family, at the adapter that made the call.
 * Retryable (after the SDK's own retries gave up) is what the SDK itself retries: throttling,
 * 5xx, timeouts, network faults, clock skew (@smithy/service-error-classification, the code behind
 * the SDK's retry strategy). Everything else (validation, access denied, not found where it should
 * exist) is terminal. The two lists below are where this reconciler decides differently.
 */
const ALSO_TRANSIENT = new Set([
  // Our own pass budget (call-deadline.ts): the pool is retried by the next pass.
  DEADLINE_ERROR_NAME,
  // DynamoDB: another transaction held the item; the next pass normally goes through.
  'TransactionConflictException',
]);

/** The SDK retries these as throttling, but they are quotas: only the user's change helps. */
const NOT_TRANSIENT = new Set(['LimitExceededException']);

type SdkError = Parameters<typeof isTransientError>[0];

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: string;
}

export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as SdkErrorShape;
  return shape.name ?? shape.code;
}

/** DynamoDB refused a conditional write: someone else wrote first. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return awsErrorName(error) === 'ConditionalCheckFailedException';
}

export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = awsErrorName(error) ?? '';
  if (ALSO_TRANSIENT.has(name)) return true;
  if (NOT_TRANSIENT.has(name)) return false;
  if ((error as SdkErrorShape).$fault === 'server') return true;
  const sdkError = error as SdkError;
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

/**
 * An error already in the project's family (an adapter's own check inside the same try, e.g. a
 * response without the field it must have) passes through unchanged.
 */
export function translateAwsError(error: unknown, context: ErrorContext = {}): EnclavePoolError {
  if (error instanceof EnclavePoolError) return error;
  const awsCode = awsErrorName(error);
  const message = `${awsCode ?? 'Error'}: ${errorMessage(error)}`;
  const withCode = awsCode ? { ...context, awsCode } : context;
  return isTransientAwsError(error)
    ? new TransientAwsError(message, withCode, { cause: error })
    : new TerminalAwsError(message, withCode, { cause: error });
}

/**
 * AWS answered without a field its API reference says the operation returns. Nothing the next pass
 * sends would differ, so it is terminal (as an untranslated error was before): the condition shows
 * the operation and the resource, for an operator to look at.
 */
export function responseMissing(operation: string, resourceId: string, field: string): TerminalAwsError {
  return new TerminalAwsError(`${operation} on ${resourceId} returned no ${field}`, {
    resourceId,
    awsCode: operation,
  });
}
