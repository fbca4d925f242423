import {
  type EnclavePoolError,
  type ErrorContext,
  errorMessage,
  TerminalAwsError,
  TransientAwsError,
} from '../errors';
import { DEADLINE_ERROR_NAME } from './call-deadline';

/**
 * Maps an SDK exception to the project's error family, at the adapter that made the call.
 * Retryable: throttling, 5xx, timeouts and network faults (after the SDK's own retries gave up).
 * Everything else (validation, access denied, not found where it should exist) is terminal.
 */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServerException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionConflictException',
  // Our own pass budget (call-deadline.ts): the pool is retried by the next pass.
  DEADLINE_ERROR_NAME,
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as SdkErrorShape;
  return shape.name ?? shape.code;
}

export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as SdkErrorShape;
  const name = shape.name ?? '';
  if (TRANSIENT_NAMES.has(name)) return true;
  if (shape.code && NETWORK_CODES.has(shape.code)) return true;
  if (shape.$fault === 'server') return true;
  const status = shape.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

export function translateAwsError(error: unknown, context: ErrorContext = {}): EnclavePoolError {
  const awsCode = awsErrorName(error);
  const message = `${awsCode ?? 'Error'}: ${errorMessage(error)}`;
  const withCode = awsCode ? { ...context, awsCode } : context;
  return isTransientAwsError(error)
    ? new TransientAwsError(message, withCode, { cause: error })
    : new TerminalAwsError(message, withCode, { cause: error });
}
