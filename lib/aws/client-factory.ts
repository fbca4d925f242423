import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveRegion } from '../config';
import { activeDeadline, type CallKind, deadlineExceeded } from './call-deadline';

/**
 * The one place that builds AWS SDK clients. Every adapter receives its client from here, so the
 * sandbox, LocalStack and real AWS are one setting apart: AWS_ENDPOINT_URL.
 */
export interface ClientSettings {
  region: string;
  /** Custom endpoint (sandbox / LocalStack). Undefined means the real AWS endpoints. */
  endpoint?: string;
  /** Total attempts per call, including the first. The SDK default is 3. */
  maxAttempts?: number;
  /** `standard` (default) or `adaptive`; see DEFAULT_RETRY_MODE. */
  retryMode?: RetryMode;
  /** Milliseconds one attempt (request sent to response read) may take; 0 disables. */
  requestTimeoutMs?: number;
  /** Milliseconds to establish the TCP connection; 0 disables. */
  connectionTimeoutMs?: number;
}

export type RetryMode = 'standard' | 'adaptive';

/**
 * Standard, not adaptive: under 30 % throttling adaptive mode's client-side rate limiter made
 * no-op passes about 4x slower than standard (docs/reliability.md), long enough for a batch to
 * outlive the function. Standard retries throttles with jittered back-off and a retry quota.
 */
export const DEFAULT_RETRY_MODE: RetryMode = 'standard';
/**
 * Without these the SDK waits for ever on a server that accepted the connection and went quiet,
 * and the pass hangs until Lambda kills it. Every call of ours is small: 5 s is generous for one
 * attempt, and a timed-out attempt is retried (writes carry idempotency tokens).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 2000;

function nonNegativeInteger(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function clientSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const maxAttempts = nonNegativeInteger(env.AWS_MAX_ATTEMPTS);
  const retryMode =
    env.AWS_RETRY_MODE === 'adaptive' || env.AWS_RETRY_MODE === 'standard' ? env.AWS_RETRY_MODE : undefined;
  const requestTimeoutMs = nonNegativeInteger(env.AWS_REQUEST_TIMEOUT_MS);
  const connectionTimeoutMs = nonNegativeInteger(env.AWS_CONNECT_TIMEOUT_MS);
  return {
    region: resolveRegion(env),
    endpoint: env.AWS_ENDPOINT_URL || undefined,
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(retryMode ? { retryMode } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(connectionTimeoutMs !== undefined ? { connectionTimeoutMs } : {}),
  };
}

export interface AwsClients {
  ec2: EC2Client;
  eks: EKSClient;
  ssm: SSMClient;
  dynamodb: DynamoDBClient;
  /** Marshalling wrapper over `dynamodb` for plain-object items. */
  documents: DynamoDBDocumentClient;
  dynamodbStreams: DynamoDBStreamsClient;
  s3: S3Client;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  iam: IAMClient;
}

function commonConfig(settings: ClientSettings) {
  const requestTimeout = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    retryMode: settings.retryMode ?? DEFAULT_RETRY_MODE,
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
    requestHandler: {
      connectionTimeout: settings.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      // The whole attempt, not just socket inactivity: a server that trickles bytes is cut off too.
      requestTimeout,
      throwOnRequestTimeout: true,
      // And an idle socket (no byte either way) for as long.
      socketTimeout: requestTimeout,
    },
  };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

type Handler = (args: unknown) => Promise<unknown>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;
type MiddlewareClient = {
  middlewareStack: {
    add(
      middleware: Middleware,
      options: { step: 'initialize' | 'finalizeRequest'; priority?: 'low'; name: string },
    ): void;
  };
};

/**
 * Enforces the pass's deadline (lib/aws/call-deadline.ts) on one client: once per call, abandoning
 * a call still in flight when the deadline passes, and once per attempt, so the SDK's retry loop
 * does not start another attempt after it.
 */
function addDeadlineMiddleware<C>(client: C, kind: CallKind): C {
  const stack = (client as unknown as MiddlewareClient).middlewareStack;
  const commandOf = (context: { commandName?: string }) => context.commandName ?? 'call';
  stack.add(
    (next, context) => async (args) => {
      const deadline = activeDeadline(kind);
      // No deadline, or none a timer can hold (setTimeout fires at once beyond 2^31 ms).
      if (deadline === undefined || !(deadline - Date.now() < MAX_TIMER_MS)) return next(args);
      const left = deadline - Date.now();
      if (left <= 0) throw deadlineExceeded(kind, commandOf(context), deadline);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(deadlineExceeded(kind, commandOf(context), deadline)), left);
      });
      try {
        return await Promise.race([next(args), expired]);
      } finally {
        clearTimeout(timer);
      }
    },
    { step: 'initialize', name: `enclavePoolsCallDeadline-${kind}` },
  );
  stack.add(
    (next, context) => async (args) => {
      const deadline = activeDeadline(kind);
      if (deadline !== undefined && Date.now() >= deadline) {
        throw deadlineExceeded(kind, commandOf(context), deadline);
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: `enclavePoolsAttemptDeadline-${kind}` },
  );
  return client;
}

/**
 * Clients are built lazily: a Lambda that only touches DynamoDB does not pay for loading EC2.
 * Credentials come from the SDK's default provider chain.
 */
export function createAwsClients(settings: ClientSettings = clientSettingsFromEnv()): AwsClients {
  const config = commonConfig(settings);
  // Status, lease and queue calls (DynamoDB, SQS, the bus) are the pass's bookkeeping.
  const resources = <C>(client: C) => addDeadlineMiddleware(client, 'resources');
  const bookkeeping = <C>(client: C) => addDeadlineMiddleware(client, 'bookkeeping');
  const cache = new Map<keyof AwsClients, unknown>();
  const lazy = <K extends keyof AwsClients>(key: K, build: () => AwsClients[K]): AwsClients[K] => {
    let client = cache.get(key) as AwsClients[K] | undefined;
    if (!client) {
      client = build();
      cache.set(key, client);
    }
    return client;
  };
  const clients = {} as AwsClients;
  Object.defineProperties(clients, {
    ec2: { enumerable: true, get: () => lazy('ec2', () => resources(new EC2Client(config))) },
    eks: { enumerable: true, get: () => lazy('eks', () => resources(new EKSClient(config))) },
    ssm: { enumerable: true, get: () => lazy('ssm', () => resources(new SSMClient(config))) },
    dynamodb: {
      enumerable: true,
      get: () => lazy('dynamodb', () => bookkeeping(new DynamoDBClient(config))),
    },
    documents: {
      enumerable: true,
      get: () =>
        lazy('documents', () =>
          DynamoDBDocumentClient.from(clients.dynamodb, {
            marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
          }),
        ),
    },
    dynamodbStreams: {
      enumerable: true,
      get: () => lazy('dynamodbStreams', () => new DynamoDBStreamsClient(config)),
    },
    // Path-style addressing: a sandbox on 127.0.0.1 has no per-bucket host names.
    s3: {
      enumerable: true,
      get: () =>
        lazy('s3', () => resources(new S3Client({ ...config, forcePathStyle: Boolean(settings.endpoint) }))),
    },
    sqs: { enumerable: true, get: () => lazy('sqs', () => bookkeeping(new SQSClient(config))) },
    eventBridge: {
      enumerable: true,
      get: () => lazy('eventBridge', () => bookkeeping(new EventBridgeClient(config))),
    },
    iam: { enumerable: true, get: () => lazy('iam', () => resources(new IAMClient(config))) },
  });
  return clients;
}
