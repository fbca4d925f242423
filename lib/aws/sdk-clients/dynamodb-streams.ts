import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { ClientBuilder } from '../client-factory';

export const buildDynamoDbStreams: ClientBuilder<'dynamodbStreams'> = (config) =>
  new DynamoDBStreamsClient(config);
