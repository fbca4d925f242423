import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AwsClients } from '../../lib/aws/client-factory';

/**
 * The local stand-in for Lambda's SQS event source mapping: gathers batches as Lambda does, invokes
 * the function with the same event shape Lambda sends, deletes what succeeded and leaves the reported
 * failures (ReportBatchItemFailures). Deviation, for a quick local loop: failed messages are made
 * visible again after `retryDelaySeconds` instead of the queue's full visibility timeout.
 *
 * Batching (AWS Lambda developer guide, "Lambda event source mappings", batching behavior): Lambda
 * gathers records until the batch size is met, the batching window ends or the payload reaches 6 MB;
 * for SQS the next window begins as soon as the previous invocation completes. So each poller here
 * opens a window when it starts and after each invocation, receives until one of the three is
 * reached, and then invokes with what it has (nothing gathered: a new window, no invocation).
 */
export type SqsInvoker = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface SqsEventSourceOptions {
  queueUrl: string;
  queueArn: string;
  region: string;
  invoke: SqsInvoker;
  /** The event's `batchSize` (serverless.yml; Lambda's default 10). */
  batchSize?: number;
  /** The event's `maximumBatchingWindow`, in seconds (Lambda's default 0: invoke with the first receive). */
  maximumBatchingWindowSeconds?: number;
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

/** Lambda invokes once the gathered payload reaches 6 MB (the invocation payload limit). */
export const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** ReceiveMessage returns at most 10 messages a call (SQS API reference). */
const MAX_RECEIVE = 10;

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

  const batchSize = options.batchSize ?? 10;
  const windowMs = (options.maximumBatchingWindowSeconds ?? 0) * 1000;

  /** One batching window: receive until the batch size, the window's end or 6 MB. */
  const gather = async (): Promise<Message[]> => {
    const gathered: Message[] = [];
    let bytes = 0;
    const windowEnds = Date.now() + windowMs;
    for (;;) {
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(MAX_RECEIVE, batchSize - gathered.length),
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      for (const message of received.Messages ?? []) {
        gathered.push(message);
        bytes += Buffer.byteLength(message.Body ?? '');
      }
      const left = windowEnds - Date.now();
      if (gathered.length >= batchSize || bytes >= MAX_BATCH_PAYLOAD_BYTES || left <= 0 || stopped) {
        return gathered;
      }
      // The queue gave what it had: wait a little inside the window before asking again.
      if ((received.Messages ?? []).length === 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(idleMs, left)));
      }
    }
  };

  const pollOnce = async (): Promise<boolean> => {
    const messages = await gather();
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
