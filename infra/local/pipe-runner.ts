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
 * pipe's InputTemplate the way Pipes does (see renderInputTemplate); a record whose result is not JSON
 * is dropped and reported, as Pipes fails it.
 */
export interface RunningPipe {
  stop(): Promise<void>;
  /** Records forwarded so far. */
  forwarded(): number;
  /** Records Pipes would fail (the InputTemplate rendered invalid JSON), each reported to onError. */
  dropped(): number;
}

export function startPipeRunner(
  clients: AwsClients,
  pipe: PipeDefinition,
  options: { pollMs?: number; onError?: (error: unknown) => void } = {},
): RunningPipe {
  const pollMs = options.pollMs ?? 200;
  let stopped = false;
  let count = 0;
  let dropped = 0;
  const identity = (now: Date): PipeIdentity => ({
    pipeArn: `arn:aws:pipes:${pipe.streamArn.split(':')[3]}:${pipe.streamArn.split(':')[4]}:pipe/${pipe.logicalId}`,
    pipeName: pipe.logicalId,
    sourceArn: pipe.streamArn,
    targetArn: pipe.targetArn ?? `event-bus/${pipe.eventBusName}`,
    ingestionTime: now.toISOString(),
  });
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
    const entries = [];
    for (const record of records) {
      const rendered = pipe.inputTemplate
        ? renderPipeEvent(pipe.inputTemplate, record, identity(new Date()))
        : { detail: JSON.stringify(record) };
      // Pipes fails an event whose transformed payload is not valid JSON: it never reaches the bus.
      if ('error' in rendered) {
        options.onError?.(new Error(`pipe ${pipe.logicalId} dropped a record: ${rendered.error}`));
        dropped++;
        continue;
      }
      entries.push({
        EventBusName: pipe.eventBusName,
        Source: pipe.source,
        DetailType: pipe.detailType,
        Detail: rendered.detail,
      });
    }
    for (let start = 0; start < entries.length; start += 10) {
      await clients.eventBridge.send(new PutEventsCommand({ Entries: entries.slice(start, start + 10) }));
    }
    count += entries.length;
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
    dropped: () => dropped,
  };
}

/** What a pipe knows about itself, for the reserved variables of its input template. */
export interface PipeIdentity {
  pipeArn: string;
  pipeName: string;
  sourceArn: string;
  targetArn: string;
  enrichmentArn?: string;
  /** ISO 8601 time the record reached the transformer. */
  ingestionTime: string;
}

/**
 * Pipes input templates, rendered the way EventBridge Pipes renders them (user guide, "Amazon
 * EventBridge Pipes input transformation"): each `<$.json.path>` and each reserved `<aws.pipes.*>`
 * variable is replaced by its value inserted as is. Strings go in without quotes (so the template
 * must quote them: `"<$.a>"`); objects and arrays as JSON; a path that matches nothing as nothing.
 * The result is NOT checked here; see {@link renderPipeEvent}.
 */
export function renderInputTemplate(template: string, record: unknown, pipe?: PipeIdentity): string {
  return template.replace(
    /<(\$(?:\.[A-Za-z0-9_\-/]+|\[\d+\])*|aws\.pipes\.[a-z.-]+)>/g,
    (match, variable: string) => {
      if (variable.startsWith('aws.pipes.')) return reservedVariable(variable, record, pipe) ?? match;
      return insertRaw(valueAtPath(record, variable));
    },
  );
}

/** The rendered event, or the reason Pipes would fail it: the target gets only valid JSON. */
export function renderPipeEvent(
  template: string,
  record: unknown,
  pipe?: PipeIdentity,
): { detail: string } | { error: string } {
  const rendered = renderInputTemplate(template, record, pipe);
  try {
    JSON.parse(rendered);
    return { detail: rendered };
  } catch (error: unknown) {
    return {
      error: `the InputTemplate rendered invalid JSON (${error instanceof Error ? error.message : String(error)}): ${rendered}`,
    };
  }
}

function reservedVariable(name: string, record: unknown, pipe: PipeIdentity | undefined): string | undefined {
  switch (name) {
    case 'aws.pipes.event':
      // The event as text, escaped to sit inside a JSON string.
      return JSON.stringify(JSON.stringify(record)).slice(1, -1);
    case 'aws.pipes.event.json':
      return JSON.stringify(record);
    case 'aws.pipes.pipe-arn':
      return pipe?.pipeArn;
    case 'aws.pipes.pipe-name':
      return pipe?.pipeName;
    case 'aws.pipes.source-arn':
      return pipe?.sourceArn;
    case 'aws.pipes.target-arn':
      return pipe?.targetArn;
    case 'aws.pipes.enrichment-arn':
      return pipe?.enrichmentArn ?? '';
    case 'aws.pipes.event.ingestion-time':
      return pipe?.ingestionTime;
    default:
      return undefined;
  }
}

function valueAtPath(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const [, key, index] of path.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key ?? Number(index)];
  }
  return current;
}

function insertRaw(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return JSON.stringify(value).slice(1, -1);
  return JSON.stringify(value);
}
