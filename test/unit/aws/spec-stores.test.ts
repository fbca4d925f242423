import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSpecStore, S3SpecStore } from '../../../lib/aws/spec-stores';
import {
  ConcurrentUpdateError,
  SpecInvalidError,
  TerminalAwsError,
  TransientAwsError,
} from '../../../lib/errors';
import { awsError, mockedClients } from '../../support/sdk-mocks';

/** Error paths only; the stores' behaviour is tested against the sandbox in test/integration/manifests. */

const { clients, s3, documents } = mockedClients('s3', 'documents');

describe('S3SpecStore error paths', () => {
  const store = new S3SpecStore(clients.s3, { bucket: 'b', prefix: 'pools/' });

  it('refuses an invalid pool id before any call', async () => {
    await expect(store.load('Bad Id')).rejects.toBeInstanceOf(SpecInvalidError);
    expect(s3.calls()).toHaveLength(0);
  });

  it('translates access denied and throttling', async () => {
    s3.on(ListObjectsV2Command).rejects(awsError('AccessDenied', 403));
    await expect(store.load('p')).rejects.toBeInstanceOf(TerminalAwsError);
    s3.on(ListObjectsV2Command).rejects(awsError('SlowDown', 503, 'server'));
    await expect(store.list()).rejects.toBeInstanceOf(TransientAwsError);
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403));
    await expect(store.put('p', 'text')).rejects.toBeInstanceOf(TerminalAwsError);
  });

  it('treats an object deleted between list and get as absent', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'pools/p.yaml', Size: 10 }] });
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    await expect(store.load('p')).resolves.toBeUndefined();
  });
});

describe('DynamoDbSpecStore error paths', () => {
  const store = new DynamoDbSpecStore(clients.documents, { table: 'specs' });

  it('refuses an item without a string spec attribute', async () => {
    documents.on(GetCommand).resolves({ Item: { poolId: 'p', manifests: [] } });
    await expect(store.load('p')).rejects.toThrow(/no string attribute "spec"/);
  });

  it('maps a failed generation condition to ConcurrentUpdateError', async () => {
    documents
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(store.put('p', 'text', { expectedGeneration: 3 })).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
  });

  it('refuses text too large for an item without calling DynamoDB', async () => {
    await expect(store.put('p', 'x'.repeat(500 * 1024))).rejects.toBeInstanceOf(SpecInvalidError);
    expect(documents.calls()).toHaveLength(0);
  });

  it('translates other failures', async () => {
    documents.on(GetCommand).rejects(awsError('ProvisionedThroughputExceededException', 400));
    await expect(store.load('p')).rejects.toBeInstanceOf(TransientAwsError);
    documents.on(ScanCommand).rejects(awsError('ResourceNotFoundException', 400));
    await expect(store.list()).rejects.toBeInstanceOf(TerminalAwsError);
    documents.on(UpdateCommand).rejects(awsError('ValidationException', 400));
    await expect(store.put('p', 'text')).rejects.toBeInstanceOf(TerminalAwsError);
  });
});
