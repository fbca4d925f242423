import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { resetSandbox, sandboxClients } from '../../support/sandbox';

/**
 * moto_ext/dynamodb_atomic: conditional writes to one item are serialized, as DynamoDB's are
 * (docs/sandbox.md). Without it the threaded moto server let 3 of 10 conditional status writes on
 * one revision through in the fault suite.
 */
beforeAll(async () => {
  await resetSandbox();
  await sandboxClients().dynamodb.send(
    new CreateTableCommand({
      TableName: 'optimistic',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

it('lets exactly one of 30 concurrent writers that expect the same revision win', async () => {
  const clients = sandboxClients();
  const put = (writer: number, expected?: number) =>
    clients.dynamodb.send(
      new PutItemCommand({
        TableName: 'optimistic',
        Item: {
          id: { S: 'row' },
          revision: { N: String((expected ?? 0) + 1) },
          writer: { N: String(writer) },
        },
        ...(expected === undefined
          ? { ConditionExpression: 'attribute_not_exists(id)' }
          : {
              ConditionExpression: 'revision = :expected',
              ExpressionAttributeValues: { ':expected': { N: String(expected) } },
            }),
      }),
    );
  const outcome = async (write: Promise<unknown>) =>
    write.then(
      () => 'won',
      (error: Error) => error.name,
    );
  const created = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(put(i))));
  const updated = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(put(i, 1))));
  for (const round of [created, updated]) {
    expect(round.filter((o) => o === 'won')).toHaveLength(1);
    expect(round.filter((o) => o === 'ConditionalCheckFailedException')).toHaveLength(29);
  }
});
