import { GetQueueUrlCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { forEachBounded } from '../bounded';
import { TransientAwsError } from '../errors';
import type { AwsClients } from './client-factory';
import { responseMissing, translateAwsError } from './translate-error';

/** SQS caps a message delay at 15 minutes; a longer wait is clamped to it (the re-check comes earlier). */
export const MAX_DELAY_SECONDS = 900;
const BATCH_SIZE = 10;
/**
 * Batches in flight at once. SQS has no per-queue send limit that 16 parallel calls approach
 * (standard queues: "nearly unlimited" API calls per second); the bound keeps one Lambda's sockets
 * and memory small. 1,000 pools are 100 batches: about 7 round trips instead of 100.
 */
export const SEND_CONCURRENCY = 16;

/**
 * The body our own producers (resync, requeue, coalesce) send. `trigger` is one of dispatch's
 * TriggerKind values; the queue only carries it.
 */
export interface PoolMessageBody {
  poolId: string;
  trigger: string;
  requeueToken?: string;
}

export interface QueuedPoolMessage {
  body: PoolMessageBody;
  /** Omitted: the queue's own delay (the settle window) applies. */
  delaySeconds?: number;
}

/** Sends pool messages to the reconcile queue. The queue URL is looked up once per instance. */
export class PoolQueue {
  private queueUrl: Promise<string> | undefined;

  constructor(
    private readonly clients: Pick<AwsClients, 'sqs'>,
    private readonly queueName: string,
  ) {}

  private url(): Promise<string> {
    if (!this.queueUrl) {
      this.queueUrl = this.clients.sqs
        .send(new GetQueueUrlCommand({ QueueName: this.queueName }))
        .then((result) => {
          if (!result.QueueUrl) throw responseMissing('GetQueueUrl', this.queueName, 'QueueUrl');
          return result.QueueUrl;
        })
        .catch((error: unknown) => {
          this.queueUrl = undefined;
          throw translateAwsError(error, { resourceId: this.queueName });
        });
    }
    return this.queueUrl;
  }

  async send(message: QueuedPoolMessage): Promise<void> {
    const QueueUrl = await this.url();
    try {
      await this.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: JSON.stringify(message.body),
          ...(message.delaySeconds === undefined ? {} : { DelaySeconds: clampDelay(message.delaySeconds) }),
        }),
      );
    } catch (error: unknown) {
      throw translateAwsError(error, { poolId: message.body.poolId, resourceId: this.queueName });
    }
  }

  /** Sends one JSON body as it is (the dead-letter queue's rejected messages). */
  async sendJson(body: Record<string, unknown>): Promise<void> {
    const QueueUrl = await this.url();
    try {
      await this.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(body) }));
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: this.queueName });
    }
  }

  /**
   * Sends many messages in batches of ten (SQS's SendMessageBatch limit), up to
   * SEND_CONCURRENCY batches in flight; throws if any entry was refused, naming the pools.
   */
  async sendAll(messages: QueuedPoolMessage[]): Promise<void> {
    const QueueUrl = await this.url();
    const chunks: QueuedPoolMessage[][] = [];
    for (let start = 0; start < messages.length; start += BATCH_SIZE)
      chunks.push(messages.slice(start, start + BATCH_SIZE));
    const failedPools: string[] = [];
    await forEachBounded(chunks, SEND_CONCURRENCY, async (chunk) => {
      try {
        const result = await this.clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message.body),
              ...(message.delaySeconds === undefined
                ? {}
                : { DelaySeconds: clampDelay(message.delaySeconds) }),
            })),
          }),
        );
        for (const entry of result.Failed ?? [])
          failedPools.push(chunk[Number(entry.Id)]?.body.poolId ?? String(entry.Id));
      } catch (error: unknown) {
        throw translateAwsError(error, { resourceId: this.queueName });
      }
    });
    if (failedPools.length > 0) {
      // SQS takes a batch and refuses single entries (throttled, internal error): sent again, they go.
      throw new TransientAwsError(
        `SendMessageBatchPartialFailure: SQS refused messages for pools ${failedPools.sort().join(', ')}`,
        { resourceId: this.queueName, awsCode: 'SendMessageBatchPartialFailure' },
      );
    }
  }
}

function clampDelay(seconds: number): number {
  return Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(seconds)));
}
