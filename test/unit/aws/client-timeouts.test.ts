import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { ListClustersCommand } from '@aws-sdk/client-eks';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../../lib/aws/all-clients';
import { DEADLINE_ERROR_NAME, withCallDeadlines } from '../../../lib/aws/call-deadline';
import { clientSettingsFromEnv } from '../../../lib/aws/client-factory';
import { isTransientAwsError } from '../../../lib/aws/translate-error';
import { useBlackHoleServer } from '../../support/black-hole-server';

const blackHole = useBlackHoleServer();

const blackHoleClients = (overrides: { requestTimeoutMs?: number; maxAttempts?: number } = {}) =>
  createAwsClients({
    region: 'eu-west-1',
    endpoint: blackHole.endpoint(),
    maxAttempts: overrides.maxAttempts ?? 1,
    requestTimeoutMs: overrides.requestTimeoutMs ?? 200,
  });

describe('client timeouts', () => {
  it('ends a call to a server that never answers with a retryable TimeoutError', async () => {
    const error = await blackHoleClients()
      .ec2.send(new DescribeSubnetsCommand({}))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(isTransientAwsError(error)).toBe(true);
  });

  it('retries a timed-out attempt: every attempt reaches the server, then the call fails', async () => {
    const before = blackHole.connections();
    const error = await blackHoleClients({ maxAttempts: 2 })
      .eks.send(new ListClustersCommand({}))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(blackHole.connections() - before).toBe(2);
  });

  it('reads the timeouts and the retry mode from the environment, with standard retries by default', () => {
    expect(clientSettingsFromEnv({ AWS_REGION: 'eu-west-1' })).toEqual({ region: 'eu-west-1' });
    expect(
      clientSettingsFromEnv({
        AWS_REGION: 'eu-west-1',
        AWS_REQUEST_TIMEOUT_MS: '2500',
        AWS_CONNECT_TIMEOUT_MS: '700',
        AWS_RETRY_MODE: 'adaptive',
        AWS_MAX_ATTEMPTS: '4',
      }),
    ).toEqual({
      region: 'eu-west-1',
      requestTimeoutMs: 2500,
      connectionTimeoutMs: 700,
      retryMode: 'adaptive',
      maxAttempts: 4,
    });
    expect(
      clientSettingsFromEnv({
        AWS_REGION: 'eu-west-1',
        AWS_RETRY_MODE: 'legacy',
        AWS_REQUEST_TIMEOUT_MS: 'x',
      }),
    ).toEqual({ region: 'eu-west-1' });
  });
});

describe('pass deadlines on every client', () => {
  it('refuses resource calls once the pass budget is spent, without sending them', async () => {
    const before = blackHole.connections();
    const clients = blackHoleClients({ requestTimeoutMs: 60_000 });
    const past = Date.now() - 1;
    const error = await withCallDeadlines({ resources: past, bookkeeping: past }, () =>
      clients.ec2.send(new DescribeSubnetsCommand({})),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: DEADLINE_ERROR_NAME });
    expect(isTransientAwsError(error)).toBe(true);
    expect(blackHole.connections()).toBe(before);
  });

  it('abandons a call still in flight when the deadline passes (the request timeout is far away)', async () => {
    const clients = blackHoleClients({ requestTimeoutMs: 60_000 });
    const soon = Date.now() + 150;
    const error = await withCallDeadlines({ resources: soon, bookkeeping: soon + 150 }, () =>
      clients.documents.send(new GetCommand({ TableName: 't', Key: { poolId: 'p' } })),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: DEADLINE_ERROR_NAME });
    expect((error as Error).message).toContain('bookkeeping');
  });

  it('applies nothing outside a pass', async () => {
    const error = await blackHoleClients()
      .ec2.send(new DescribeSubnetsCommand({}))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'TimeoutError' });
  });
});
