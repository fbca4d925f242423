import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DEADLINE_ERROR_NAME, withCallDeadlines } from '../../../lib/aws/call-deadline';
import { type ClientBuilderLoaders, clientsOnDemand } from '../../../lib/aws/client-factory';
import { SDK_CLIENT_LOADERS } from '../../../lib/aws/client-loaders';
import { useBlackHoleServer } from '../../support/black-hole-server';

/**
 * The CLI's clients (lib/aws/client-loaders.ts): only the named ones are loaded and built, each
 * once, with the same middleware as every other client of the project.
 */
// Accepts and never answers: a call that reached it would hang until its deadline.
const blackHole = useBlackHoleServer();

/** SDK_CLIENT_LOADERS, writing down which builders were loaded. */
function recordingLoaders(loaded: string[]): ClientBuilderLoaders {
  return Object.fromEntries(
    Object.entries(SDK_CLIENT_LOADERS).map(([key, load]) => [
      key,
      () => {
        loaded.push(key);
        return load();
      },
    ]),
  ) as ClientBuilderLoaders;
}

const settings = () => ({ region: 'eu-west-1', endpoint: blackHole.endpoint(), maxAttempts: 1 });

describe('clientsOnDemand', () => {
  it('loads and builds only the clients named, with the document client over its DynamoDB client', async () => {
    const loaded: string[] = [];
    const clients = clientsOnDemand(settings(), recordingLoaders(loaded));
    const named = await clients('documents');
    expect(named.documents).toBeInstanceOf(DynamoDBDocumentClient);
    expect(loaded.sort()).toEqual(['documents', 'dynamodb']);
    expect(Object.keys(named).sort()).toEqual(['documents', 'dynamodb']);
    expect(named.documents.config).toBe((named as unknown as { dynamodb: DynamoDBClient }).dynamodb.config);
  });

  it('builds each client once, however many callers name it', async () => {
    const loaded: string[] = [];
    const clients = clientsOnDemand(settings(), recordingLoaders(loaded));
    const [first, second] = await Promise.all([clients('dynamodb', 's3'), clients('s3', 'documents')]);
    expect(second.s3).toBe(first.s3);
    expect((await clients('dynamodb')).dynamodb).toBe(first.dynamodb);
    expect(first.dynamodb).toBeInstanceOf(DynamoDBClient);
    expect(loaded.sort()).toEqual(['documents', 'dynamodb', 's3']);
  });

  it('gives the clients the pass deadline like lazyClients does: a call past it never leaves', async () => {
    const { documents } = await clientsOnDemand(settings(), SDK_CLIENT_LOADERS)('documents');
    const before = blackHole.connections();
    const past = Date.now() - 1;
    const error = await withCallDeadlines({ resources: past, bookkeeping: past }, () =>
      documents.send(new GetCommand({ TableName: 't', Key: { poolId: 'p' } })),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: DEADLINE_ERROR_NAME });
    expect(blackHole.connections()).toBe(before);
  });
});
