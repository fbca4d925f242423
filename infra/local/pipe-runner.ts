import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { AwsClients } from '../../lib/aws/client-factory';
import type { PipeDefinition } from './provision';

/**
 * Stands in for the EventBridge Pipe of serverless.yml on the sandbox (moto accepts pipes but moves
 * no data): polls the DynamoDB stream and puts one event per record on the bus, rendered with the
 * pipe's InputTemplate the way Pipes does (`<$.json.path>` replaced by the JSON value at that path).
 */
export interface RunningPipe {
  stop(): Promise<void>;
  /** Records forwarded so far. */
  forwarded(): number;
}

export function startPipeRunner(
  clients: AwsClients,
  pipe: PipeDefinition,
  options: { pollMs?: number; onError?: (error: unknown) => void } = {},
): RunningPipe {
  const pollMs = options.pollMs ?? 200;
  let stopped = false;
  let count = 0;
  const iterators = new Map<string, string | undefined>();

  const refreshShards = async () => {
    const description = await clients.dynamodbStreams.send(
      new DescribeStreamCommand({ StreamArn: pipe.streamArn }),
    );
    for (const shard of description.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const iterator = await clients.dynamodbStreams.send(
        new GetShardIteratorCommand({
          StreamArn: pipe.streamArn,
          ShardId: shard.ShardId,
          // The runner starts before anything is written, so nothing is replayed in practice.
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      iterators.set(shard.ShardId, iterator.ShardIterator);
    }
  };

  const forward = async (records: StreamRecord[]) => {
    if (records.length === 0) return;
    const entries = records.map((record) => ({
      EventBusName: pipe.eventBusName,
      Source: pipe.source,
      DetailType: pipe.detailType,
      Detail: pipe.inputTemplate ? renderInputTemplate(pipe.inputTemplate, record) : JSON.stringify(record),
    }));
    for (let start = 0; start < entries.length; start += 10) {
      await clients.eventBridge.send(new PutEventsCommand({ Entries: entries.slice(start, start + 10) }));
    }
    count += records.length;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await refreshShards();
        for (const [shardId, iterator] of iterators) {
          if (!iterator) continue;
          const result = await clients.dynamodbStreams.send(
            new GetRecordsCommand({ ShardIterator: iterator }),
          );
          iterators.set(shardId, result.NextShardIterator);
          await forward(result.Records ?? []);
        }
      } catch (error: unknown) {
        if (!stopped) options.onError?.(error);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
    },
    forwarded: () => count,
  };
}

/** Pipes input templates: `<$.a.b>` becomes the JSON value at that path of the stream record. */
export function renderInputTemplate(template: string, record: unknown): string {
  return template.replace(/<\$((?:\.[A-Za-z0-9_-]+)*)>/g, (_match, path: string) => {
    let current: unknown = record;
    for (const key of path.split('.').filter(Boolean)) {
      current =
        typeof current === 'object' && current !== null
          ? (current as Record<string, unknown>)[key]
          : undefined;
    }
    return JSON.stringify(current ?? null);
  });
}
