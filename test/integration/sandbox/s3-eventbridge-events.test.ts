import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { resetSandbox, sandboxClients } from '../../support/sandbox';

beforeEach(async () => {
  await resetSandbox();
});

async function bucketWithEventQueue(bucket: string) {
  const clients = sandboxClients();
  const region = await clients.s3.config.region();
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region as never },
    }),
  );
  await clients.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    }),
  );
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'spec-events' }));
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await clients.eventBridge.send(
    new PutRuleCommand({
      Name: 'spec-changes',
      EventPattern: JSON.stringify({
        source: ['aws.s3'],
        'detail-type': ['Object Created', 'Object Deleted'],
        detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: 'pools/' }] } },
      }),
    }),
  );
  await clients.eventBridge.send(
    new PutTargetsCommand({ Rule: 'spec-changes', Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }),
  );
  return { clients, QueueUrl };
}

async function receivedEvents(clients: ReturnType<typeof sandboxClients>, QueueUrl: string | undefined) {
  const { Messages } = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (Messages ?? []).map(
    (m) =>
      JSON.parse(m.Body ?? '{}') as {
        id: string;
        'detail-type': string;
        detail: { object: { key: string } };
      },
  );
}

describe('S3 → EventBridge → SQS', () => {
  it('gives every S3 event its own id', async () => {
    const bucket = 'pool-specs';
    const { clients, QueueUrl } = await bucketWithEventQueue(bucket);

    for (const key of ['pools/a.yaml', 'pools/b.yaml', 'pools/a.yaml', 'other/c.yaml']) {
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'spec' }));
    }

    const events = await receivedEvents(clients, QueueUrl);
    expect(events.map((e) => e.detail.object.key)).toEqual(['pools/a.yaml', 'pools/b.yaml', 'pools/a.yaml']);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events.map((e) => e.id)).not.toContain('17793124-05d4-b198-2fde-7ededc63b103');
  });

  it('sends Object Deleted when a versioned bucket gets a delete marker', async () => {
    const bucket = 'versioned-specs';
    const { clients, QueueUrl } = await bucketWithEventQueue(bucket);
    await clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'pools/a.yaml', Body: 'spec' }));
    await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'pools/a.yaml' }));

    const events = await receivedEvents(clients, QueueUrl);
    expect(events.map((e) => [e['detail-type'], e.detail.object.key])).toEqual([
      ['Object Created', 'pools/a.yaml'],
      ['Object Deleted', 'pools/a.yaml'],
    ]);
  });
});
