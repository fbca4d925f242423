import {
  type AttributeValue,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { freshPoolTable, sandboxClients } from '../../support/sandbox';

/**
 * Two sandbox speed-ups that must not change an answer (docs/sandbox.md):
 * - moto_ext/dynamodb_items_out writes wire-form items out as they are instead of through moto's
 *   generic serializer; every attribute type, nested and binary included, comes back as written.
 * - moto_ext/sqs_attributes works a queue attribute out when it is read; the counts, the keys of
 *   GetQueueAttributes and FIFO content-based deduplication are what they were.
 */

let clients: AwsClients;
beforeAll(() => {
  clients = sandboxClients();
});

describe('DynamoDB items written out as they are', () => {
  const TABLE = 'wire-form-items';
  const item: Record<string, AttributeValue> = {
    poolId: { S: 'pool-a' },
    empty: { S: '' },
    count: { N: '12.50' },
    flag: { BOOL: false },
    nothing: { NULL: true },
    names: { SS: ['a', 'b'] },
    numbers: { NS: ['1', '2.5'] },
    blob: { B: new Uint8Array([0, 1, 255]) },
    blobs: { BS: [new Uint8Array([2]), new Uint8Array([3, 4])] },
    nested: {
      M: {
        inner: { M: { deep: { L: [{ S: 'x' }, { N: '1' }, { M: {} }, { L: [] }] } } },
        binary: { B: new Uint8Array([9]) },
        list: { L: [{ BOOL: true }, { NULL: true }, { SS: ['z'] }] },
      },
    },
  };

  beforeAll(async () => {
    await freshPoolTable(clients, TABLE);
    await clients.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item }));
  });

  afterAll(async () => {
    await clients.dynamodb.send(new DeleteTableCommand({ TableName: TABLE }));
  });

  it('gives every attribute type back as written: GetItem, Scan, Query', async () => {
    const got = await clients.dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: { poolId: item.poolId! } }),
    );
    const scanned = await clients.dynamodb.send(new ScanCommand({ TableName: TABLE }));
    const queried = await clients.dynamodb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'poolId = :id',
        ExpressionAttributeValues: { ':id': { S: 'pool-a' } },
      }),
    );
    expect(got.Item).toEqual(item);
    expect(scanned.Items).toEqual([item]);
    expect(queried.Items).toEqual([item]);
  });

  it('gives a projection of nested and binary attributes back as written', async () => {
    const scanned = await clients.dynamodb.send(
      new ScanCommand({
        TableName: TABLE,
        ProjectionExpression: '#n.#i, #n.#b, #blob, numbers',
        ExpressionAttributeNames: { '#n': 'nested', '#i': 'inner', '#b': 'binary', '#blob': 'blob' },
      }),
    );
    expect(scanned.Items).toEqual([
      {
        nested: { M: { inner: item.nested!.M!.inner!, binary: item.nested!.M!.binary! } },
        blob: item.blob!,
        numbers: item.numbers!,
      },
    ]);
  });
});

describe('SQS queue attributes worked out when read', () => {
  const STANDARD = 'attributes-standard';
  const FIFO = 'attributes-content-dedup.fifo';
  let standardUrl: string;
  let fifoUrl: string;

  beforeAll(async () => {
    standardUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: STANDARD }))).QueueUrl!;
    fifoUrl = (
      await clients.sqs.send(
        new CreateQueueCommand({
          QueueName: FIFO,
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
        }),
      )
    ).QueueUrl!;
  });

  afterAll(async () => {
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: standardUrl }));
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: fifoUrl }));
  });

  it('counts visible and delayed messages, and lists the attributes a standard queue has', async () => {
    for (let batch = 0; batch < 5; batch++) {
      await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: standardUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: `m${i}`,
            MessageBody: `message ${batch}-${i}`,
            // Delays far beyond the test's own run: every odd entry is still delayed when counted.
            DelaySeconds: i % 2 === 1 ? 900 : 0,
          })),
        }),
      );
    }
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: standardUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '25',
      ApproximateNumberOfMessagesDelayed: '25',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect(Object.keys(Attributes ?? {}).sort()).toEqual(
      [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
        'CreatedTimestamp',
        'DelaySeconds',
        'LastModifiedTimestamp',
        'MaximumMessageSize',
        'MessageRetentionPeriod',
        'QueueArn',
        'ReceiveMessageWaitTimeSeconds',
        'SqsManagedSseEnabled',
        'VisibilityTimeout',
      ].sort(),
    );
  });

  it('still drops a FIFO message whose body was sent within the deduplication interval', async () => {
    for (const body of ['same body', 'same body', 'other body'])
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: body, MessageGroupId: 'g' }),
      );
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: fifoUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    expect(received.Messages?.map((message) => message.Body)).toEqual(['same body', 'other body']);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: fifoUrl,
        AttributeNames: ['ContentBasedDeduplication', 'FifoQueue'],
      }),
    );
    expect(Attributes).toEqual({ ContentBasedDeduplication: 'true', FifoQueue: 'true' });
  });
});
