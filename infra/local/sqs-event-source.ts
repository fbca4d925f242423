import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AwsClients } from '../../lib/aws/client-factory';

/**
 * The local stand-in for Lambda's SQS event source mapping: receives batches, invokes the function
 * with the same event shape Lambda sends, deletes what succeeded and leaves the reported failures
 * (ReportBatchItemFailures). Deviation, for a quick local loop: failed messages are made visible
 * again after `retryDelaySeconds` instead of the queue's full visibility timeout.
 */
export type SqsInvoker = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface SqsEventSourceOptions {
  queueUrl: string;
  queueArn: string;
  region: string;
  invoke: SqsInvoker;
  batchSize?: number;
  /** Parallel pollers, like Lambda's concurrent batches (exercises the per-pool lease). */
  pollers?: number;
  retryDelaySeconds?: number;
  idleMs?: number;
  onError?: (error: unknown) => void;
}

export interface RunningEventSource {
  stop(): Promise<void>;
  /** Batches handed to the function so far. */
  invocations(): number;
}

export function startSqsEventSource(clients: AwsClients, options: SqsEventSourceOptions): RunningEventSource {
  let stopped = false;
  let invocations = 0;
  const idleMs = options.idleMs ?? 100;

  const toRecord = (message: Message): SQSRecord => ({
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: message.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp:
        message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  });

  const pollOnce = async (): Promise<boolean> => {
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize ?? 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return false;
    invocations++;
    let failed = new Set<string>();
    try {
      const response = await options.invoke({ Records: messages.map(toRecord) });
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error: unknown) {
      // A function error fails the whole batch, as with Lambda.
      options.onError?.(error);
      failed = new Set(messages.map((message) => message.MessageId ?? ''));
    }
    const succeeded = messages.filter((message) => !failed.has(message.MessageId ?? ''));
    if (succeeded.length > 0) {
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: succeeded.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    for (const message of messages.filter((m) => failed.has(m.MessageId ?? ''))) {
      await clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: options.retryDelaySeconds ?? 2,
        }),
      );
    }
    return true;
  };

  const poller = async () => {
    while (!stopped) {
      let busy = false;
      try {
        busy = await pollOnce();
      } catch (error: unknown) {
        if (!stopped) options.onError?.(error);
      }
      if (!busy) await new Promise((resolve) => setTimeout(resolve, idleMs));
    }
  };
  const loops = Array.from({ length: options.pollers ?? 2 }, () => poller());

  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
    invocations: () => invocations,
  };
}
