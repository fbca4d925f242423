import { translateAwsError } from '../../lib/aws/translate-error';
import {
  AwsCallError,
  ConcurrentUpdateError,
  EnclavePoolError,
  isRetryable,
  SpecInvalidError,
  TerminalAwsError,
  TransientAwsError,
  UsageError,
} from '../../lib/errors';
import { awsError } from '../support/sdk-mocks';

describe('the error family', () => {
  it('says per class whether retrying can help', () => {
    const retryable = [
      new TransientAwsError('ThrottlingException: slow down'),
      new ConcurrentUpdateError('row changed'),
    ];
    const terminal = [
      new TerminalAwsError('AccessDeniedException: no'),
      new SpecInvalidError('bad spec'),
      new UsageError('bad flag'),
      new EnclavePoolError('base'),
    ];
    expect(retryable.map(isRetryable)).toEqual([true, true]);
    expect(terminal.map(isRetryable)).toEqual([false, false, false, false]);
    expect(retryable.map((e) => e.retryable)).toEqual([true, true]);
  });

  it('retries an error from outside the family, so an unforeseen fault ends in the dead-letter queue', () => {
    expect(isRetryable(new Error('TypeError somewhere'))).toBe(true);
    expect(isRetryable('a string')).toBe(true);
  });

  it('names each error after its class and keeps the context', () => {
    const error = new TerminalAwsError('m', { poolId: 'p', awsCode: 'X' });
    expect(error.name).toBe('TerminalAwsError');
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.context).toEqual({ poolId: 'p', awsCode: 'X' });
  });
});

describe('translateAwsError', () => {
  it('passes an error already in the family through unchanged', () => {
    const own = new SpecInvalidError('pool id "x" is too long', { poolId: 'x' });
    expect(translateAwsError(own, { resourceId: 'other' })).toBe(own);
  });

  it('classes an SDK exception by the SDK classification, with the AWS name as code and the SDK error as cause', () => {
    const throttled = awsError('ThrottlingException', 400);
    const denied = awsError('AccessDeniedException', 403);
    const transient = translateAwsError(throttled, { poolId: 'p' });
    expect(transient).toBeInstanceOf(TransientAwsError);
    expect(transient).toMatchObject({
      message: 'ThrottlingException: ThrottlingException happened',
      context: { poolId: 'p', awsCode: 'ThrottlingException' },
      cause: throttled,
    });
    expect(translateAwsError(denied)).toBeInstanceOf(TerminalAwsError);
  });

  it('keeps a quota terminal although the SDK retries it as throttling', () => {
    expect(translateAwsError(awsError('LimitExceededException', 400))).toBeInstanceOf(TerminalAwsError);
  });
});
