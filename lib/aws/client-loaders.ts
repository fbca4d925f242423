import type { ClientBuilderLoaders } from './client-factory';

/**
 * Every client's builder behind a dynamic import, for `clientsOnDemand`: the compiled CLI splits
 * its bundle at each of these, so a command loads only the SDK packages it names. Only the CLI
 * imports this module; a Lambda bundle would carry every package it can reach from here.
 */
export const SDK_CLIENT_LOADERS: ClientBuilderLoaders = {
  ec2: async () => (await import('./sdk-clients/ec2')).buildEc2,
  autoScaling: async () => (await import('./sdk-clients/auto-scaling')).buildAutoScaling,
  eks: async () => (await import('./sdk-clients/eks')).buildEks,
  ssm: async () => (await import('./sdk-clients/ssm')).buildSsm,
  dynamodb: async () => (await import('./sdk-clients/dynamodb')).buildDynamoDb,
  documents: async () => (await import('./sdk-clients/dynamodb')).buildDocuments,
  dynamodbStreams: async () => (await import('./sdk-clients/dynamodb-streams')).buildDynamoDbStreams,
  s3: async () => (await import('./sdk-clients/s3')).buildS3,
  sqs: async () => (await import('./sdk-clients/sqs')).buildSqs,
  eventBridge: async () => (await import('./sdk-clients/eventbridge')).buildEventBridge,
  iam: async () => (await import('./sdk-clients/iam')).buildIam,
};
