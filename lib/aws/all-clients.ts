import { type AwsClients, type ClientSettings, clientSettingsFromEnv, lazyClients } from './client-factory';
import { buildAutoScaling } from './sdk-clients/auto-scaling';
import { buildDocuments, buildDynamoDb } from './sdk-clients/dynamodb';
import { buildDynamoDbStreams } from './sdk-clients/dynamodb-streams';
import { buildEc2 } from './sdk-clients/ec2';
import { buildEks } from './sdk-clients/eks';
import { buildEventBridge } from './sdk-clients/eventbridge';
import { buildIam } from './sdk-clients/iam';
import { buildS3 } from './sdk-clients/s3';
import { buildSqs } from './sdk-clients/sqs';
import { buildSsm } from './sdk-clients/ssm';

/**
 * Every client the project uses, each built on first use: for the local stack, scripts and tests.
 * Functions build narrower sets (their bundles carry only those SDK packages) and the CLI loads
 * clients on demand (lib/aws/client-loaders.ts).
 */
export function createAwsClients(settings: ClientSettings = clientSettingsFromEnv()): AwsClients {
  return lazyClients(settings, {
    ec2: buildEc2,
    autoScaling: buildAutoScaling,
    eks: buildEks,
    ssm: buildSsm,
    dynamodb: buildDynamoDb,
    documents: buildDocuments,
    dynamodbStreams: buildDynamoDbStreams,
    s3: buildS3,
    sqs: buildSqs,
    eventBridge: buildEventBridge,
    iam: buildIam,
  });
}
