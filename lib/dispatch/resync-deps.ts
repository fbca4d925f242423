import type { AwsClients } from '../aws/client-factory';
import {
  buildDocuments,
  buildDynamoDb,
  buildS3,
  buildSqs,
  clientSettingsFromEnv,
  lazyClients,
} from '../aws/client-factory';
import { PoolQueue } from '../aws/pool-queue';
import { DynamoDbSpecStore, S3SpecStore } from '../aws/spec-stores';
import { listLiveStatusPoolIds } from '../aws/status-table-reader';
import { resolveResourceNames } from '../config';
import type { ResyncDeps } from './resync';

/**
 * Wires the scheduled sweep from the environment serverless.yml sets. Deliberately apart from the
 * reconcile wiring (event-path-deps.ts): the resync function lists pools and sends messages, so
 * its bundle carries S3, DynamoDB and SQS and none of the reconcile graph (EC2, EKS, YAML, rules).
 */

export const DEFAULT_RESYNC_JITTER_SECONDS = 60;

export type ResyncClients = Pick<AwsClients, 'dynamodb' | 'documents' | 's3' | 'sqs'>;

function resyncClients(env: NodeJS.ProcessEnv = process.env): ResyncClients {
  return lazyClients(clientSettingsFromEnv(env), {
    dynamodb: buildDynamoDb,
    documents: buildDocuments,
    s3: buildS3,
    sqs: buildSqs,
  });
}

export function createResyncDeps(
  env: NodeJS.ProcessEnv = process.env,
  clients: ResyncClients = resyncClients(env),
): ResyncDeps {
  const names = resolveResourceNames(env);
  const s3 = new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
  const dynamodb = new DynamoDbSpecStore(clients.documents, { table: names.specTable });
  return {
    poolSources: [
      { name: 's3', list: () => s3.list() },
      { name: 'dynamodb', list: () => dynamodb.list() },
      // Pools whose spec is gone but whose resources may remain (a lost delete event).
      { name: 'status', list: () => listLiveStatusPoolIds(clients, names.statusTable) },
    ],
    queue: new PoolQueue(clients, names.reconcileQueue),
    jitterSeconds: nonNegativeNumber(env.RESYNC_JITTER_SECONDS) ?? DEFAULT_RESYNC_JITTER_SECONDS,
  };
}

function nonNegativeNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
