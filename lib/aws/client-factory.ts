// Types only: the classes are imported by the builders in ./sdk-clients/, one module per SDK
// package, so a bundle or a CLI command loads only the packages it builds clients from.
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveRegion } from '../config';
import { activeDeadline, type CallKind, deadlineExceeded } from './call-deadline';
import { addErrorRealmMiddleware } from './error-realm';

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
  /** Static credentials; undefined means the SDK's default provider chain (Lambda's role, a profile...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
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
  autoScaling: AutoScalingClient;
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

export type ClientConfig = ReturnType<typeof commonConfig>;

function commonConfig(settings: ClientSettings) {
  const requestTimeout = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    retryMode: settings.retryMode ?? DEFAULT_RETRY_MODE,
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
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
 * How to build one client. Each builder lives in its own module of ./sdk-clients/ (one per SDK
 * package): a Lambda function's wiring imports the ones it names and its bundle carries only those
 * packages; the CLI loads them on demand (lib/aws/client-loaders.ts).
 */
export type ClientBuilder<K extends keyof AwsClients> = (
  config: ClientConfig,
  settings: ClientSettings,
  clients: AwsClients,
) => AwsClients[K];
export type ClientBuilders<K extends keyof AwsClients> = { [P in K]: ClientBuilder<P> };

/** A client whose builder reads another from the same set: the document client wraps `dynamodb`. */
const CLIENT_PREREQUISITES: Partial<Record<keyof AwsClients, keyof AwsClients>> = { documents: 'dynamodb' };

/**
 * Which pass deadline each client's calls count against: status, lease and queue calls (DynamoDB,
 * SQS, the bus) are the pass's bookkeeping. The document client sends through `dynamodb`'s stack;
 * Streams is only read by the local stack's pipe.
 */
const DEADLINE_KIND: Partial<Record<keyof AwsClients, CallKind>> = {
  ec2: 'resources',
  autoScaling: 'resources',
  eks: 'resources',
  ssm: 'resources',
  s3: 'resources',
  iam: 'resources',
  dynamodb: 'bookkeeping',
  sqs: 'bookkeeping',
  eventBridge: 'bookkeeping',
};

/** A newly built client with our middleware: the pass deadline for its kind and the error realm. */
function withMiddleware<K extends keyof AwsClients>(key: K, client: AwsClients[K]): AwsClients[K] {
  const kind = DEADLINE_KIND[key];
  if (kind) addDeadlineMiddleware(client, kind);
  // The document client sends through `dynamodb`'s stack, which has it already.
  if (key !== 'documents') addErrorRealmMiddleware(client);
  return client;
}

/**
 * The clients named by `builders`, each built on first use: a pass that only touches DynamoDB does
 * not pay for constructing EC2. Credentials come from the SDK's default provider chain unless the settings carry their own.
 */
export function lazyClients<K extends keyof AwsClients>(
  settings: ClientSettings,
  builders: ClientBuilders<K>,
): Pick<AwsClients, K> {
  const config = commonConfig(settings);
  const cache = new Map<keyof AwsClients, unknown>();
  const clients = {} as AwsClients;
  for (const key of Object.keys(builders) as K[]) {
    const build = builders[key] as ClientBuilder<K>;
    Object.defineProperty(clients, key, {
      enumerable: true,
      get: () => {
        let client = cache.get(key) as AwsClients[K] | undefined;
        if (!client) {
          client = withMiddleware(key, build(config, settings, clients));
          cache.set(key, client);
        }
        return client;
      },
    });
  }
  return clients;
}

/** Loads one client's builder (a dynamic import of its ./sdk-clients/ module). */
export type ClientBuilderLoaders = { [K in keyof AwsClients]: () => Promise<ClientBuilder<K>> };

/** Resolves to the clients named, with their SDK packages loaded and the clients built once. */
export type ClientsOnDemand = <K extends keyof AwsClients>(...names: K[]) => Promise<Pick<AwsClients, K>>;

/**
 * Clients whose SDK packages are loaded only when a caller names them, for the CLI: `get pools`
 * loads DynamoDB and S3, not EC2's megabyte. Each client is built once and shared by every caller.
 */
export function clientsOnDemand(settings: ClientSettings, loaders: ClientBuilderLoaders): ClientsOnDemand {
  const config = commonConfig(settings);
  const clients = {} as AwsClients;
  const ready = new Map<keyof AwsClients, Promise<void>>();
  const ensure = (key: keyof AwsClients): Promise<void> => {
    let done = ready.get(key);
    if (!done) {
      done = (async () => {
        const prerequisite = CLIENT_PREREQUISITES[key];
        if (prerequisite) await ensure(prerequisite);
        const build = (await loaders[key]()) as ClientBuilder<typeof key>;
        Object.assign(clients, { [key]: withMiddleware(key, build(config, settings, clients)) });
      })();
      ready.set(key, done);
    }
    return done;
  };
  return async (...names) => {
    await Promise.all(names.map(ensure));
    return clients;
  };
}
