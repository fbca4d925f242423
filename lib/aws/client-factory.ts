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
}

export function clientSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const maxAttempts = env.AWS_MAX_ATTEMPTS ? Number(env.AWS_MAX_ATTEMPTS) : undefined;
  return {
    region: resolveRegion(env),
    endpoint: env.AWS_ENDPOINT_URL || undefined,
    ...(maxAttempts && Number.isInteger(maxAttempts) && maxAttempts > 0 ? { maxAttempts } : {}),
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
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // Adaptive mode backs off client-side when EC2/EKS start throttling a burst of reconciles.
    retryMode: 'adaptive' as const,
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
  };
}

/**
 * Clients are built lazily: a Lambda that only touches DynamoDB does not pay for loading EC2.
 * Credentials come from the SDK's default provider chain.
 */
export function createAwsClients(settings: ClientSettings = clientSettingsFromEnv()): AwsClients {
  const config = commonConfig(settings);
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
    ec2: { enumerable: true, get: () => lazy('ec2', () => new EC2Client(config)) },
    eks: { enumerable: true, get: () => lazy('eks', () => new EKSClient(config)) },
    ssm: { enumerable: true, get: () => lazy('ssm', () => new SSMClient(config)) },
    dynamodb: { enumerable: true, get: () => lazy('dynamodb', () => new DynamoDBClient(config)) },
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
      get: () => lazy('s3', () => new S3Client({ ...config, forcePathStyle: Boolean(settings.endpoint) })),
    },
    sqs: { enumerable: true, get: () => lazy('sqs', () => new SQSClient(config)) },
    eventBridge: { enumerable: true, get: () => lazy('eventBridge', () => new EventBridgeClient(config)) },
    iam: { enumerable: true, get: () => lazy('iam', () => new IAMClient(config)) },
  });
  return clients;
}
