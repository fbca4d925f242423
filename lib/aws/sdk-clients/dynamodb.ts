import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClientBuilder } from '../client-factory';

export const buildDynamoDb: ClientBuilder<'dynamodb'> = (config) => new DynamoDBClient(config);

/** Needs `dynamodb` in the same set: the document client wraps it (CLIENT_PREREQUISITES). */
export const buildDocuments: ClientBuilder<'documents'> = (_config, _settings, clients) =>
  DynamoDBDocumentClient.from(clients.dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
