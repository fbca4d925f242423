import { type AwsClients, clientSettingsFromEnv, lazyClients } from '../aws/client-factory';
import { PoolQueue } from '../aws/pool-queue';
import { buildDocuments, buildDynamoDb } from '../aws/sdk-clients/dynamodb';
import { buildS3 } from '../aws/sdk-clients/s3';
import { buildSqs } from '../aws/sdk-clients/sqs';
import { DynamoDbSpecStore, S3SpecStore } from '../aws/spec-stores';
import { listLiveStatusPoolIds } from '../aws/status-table-reader';
import { resolveResourceNames } from '../config';
import { DEFAULT_DRIFT_CHECK_SECONDS, type ResyncDeps } from './resync';

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
    driftCheck: {
      intervalSeconds: scheduleSeconds(env.RESYNC_SCHEDULE) ?? DEFAULT_RESYNC_INTERVAL_SECONDS,
      periodSeconds: nonNegativeNumber(env.DRIFT_CHECK_SECONDS) ?? DEFAULT_DRIFT_CHECK_SECONDS,
    },
  };
}

export const DEFAULT_RESYNC_INTERVAL_SECONDS = 300;

const UNIT_SECONDS: Record<string, number> = {
  minute: 60,
  minutes: 60,
  hour: 3600,
  hours: 3600,
  day: 86400,
  days: 86400,
};

/** Seconds between runs of an EventBridge `rate(N unit)` expression; undefined for anything else (cron). */
export function scheduleSeconds(expression: string | undefined): number | undefined {
  const match = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression?.trim() ?? '');
  if (!match) return undefined;
  const unit = UNIT_SECONDS[match[2] ?? ''];
  return unit ? Number(match[1]) * unit : undefined;
}

function nonNegativeNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
