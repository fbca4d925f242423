import { randomUUID } from 'node:crypto';
import { type AwsClients, clientSettingsFromEnv, createAwsClients } from '../aws/client-factory';
import { PoolLeases } from '../aws/pool-leases';
import { PoolQueue } from '../aws/pool-queue';
import { DynamoDbSpecStore, S3SpecStore } from '../aws/spec-stores';
import { StatusTable } from '../aws/status-table';
import { listStatusRows } from '../aws/status-table-reader';
import { resolveResourceNames } from '../config';
import { ConcurrentUpdateError } from '../errors';
import { poolIdFromS3Key } from '../manifests/store-format';
import { createReconcileDeps, reconcile } from '../reconcile';
import { statusRowAfterDeadLetter } from '../status/dead-letter-status';
import { DEFAULT_PASS_BUDGET, type DispatchDeps, type PassBudget } from './reconcile-batch';
import type { ResyncDeps } from './resync';

/**
 * Wires the event path's pieces from the environment the functions run in (serverless.yml sets
 * every name). Built once per Lambda container; `holderId` is per invocation.
 */

export const DEFAULT_MAX_RECEIVES = 5;
export const DEFAULT_RESYNC_JITTER_SECONDS = 60;

export interface EventPath {
  /** `remainingMs`: the invocation's time left (Lambda's context.getRemainingTimeInMillis). */
  dispatchDeps(holderId: string, remainingMs?: () => number): DispatchDeps;
  resyncDeps(): ResyncDeps;
}

export function createEventPath(
  env: NodeJS.ProcessEnv = process.env,
  clients: AwsClients = createAwsClients(clientSettingsFromEnv(env)),
): EventPath {
  const names = resolveResourceNames(env);
  const reconcileDeps = createReconcileDeps(env, clients);
  const leases = new PoolLeases(clients, names.leaseTable);
  const queue = new PoolQueue(clients, names.reconcileQueue);
  const statusTable = new StatusTable(clients, names.statusTable);
  const maxReceives = Number(env.RECONCILE_MAX_RECEIVES) || DEFAULT_MAX_RECEIVES;
  const budget = passBudgetFromEnv(env);

  const reportDeadLetter = async (poolId: string, error: string) => {
    // Two tries: a reconcile may have written the row between our read and our write.
    for (let attempt = 0; attempt < 2; attempt++) {
      const previous = await statusTable.get(poolId);
      const next = statusRowAfterDeadLetter(previous, {
        poolId,
        error,
        attempts: maxReceives,
        deadLetterQueue: names.deadLetterQueue,
        now: new Date(),
      });
      try {
        await statusTable.put(next, previous?.revision ?? 0);
        return;
      } catch (caught: unknown) {
        if (!(caught instanceof ConcurrentUpdateError) || attempt > 0) throw caught;
      }
    }
  };

  return {
    dispatchDeps: (holderId, remainingMs) => ({
      reconcile: (poolId) => reconcile(poolId, reconcileDeps),
      leases,
      queue,
      triggerContext: {
        specBucket: names.specBucket,
        poolIdFromKey: (key) => poolIdFromS3Key(key, names.specPrefix),
      },
      holderId,
      budget,
      ...(remainingMs ? { remainingMs } : {}),
      maxReceives,
      reportDeadLetter,
      newToken: randomUUID,
    }),
    resyncDeps: () => {
      const s3 = new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
      const dynamodb = new DynamoDbSpecStore(clients.documents, { table: names.specTable });
      return {
        poolSources: [
          { name: 's3', list: () => s3.list() },
          { name: 'dynamodb', list: () => dynamodb.list() },
          {
            // Pools whose spec is gone but whose resources may remain (a lost delete event).
            name: 'status',
            list: async () =>
              ((await listStatusRows(clients, names.statusTable)) ?? [])
                .filter((row) => !row.deleted)
                .map((row) => row.poolId),
          },
        ],
        queue,
        jitterSeconds: nonNegativeNumber(env.RESYNC_JITTER_SECONDS) ?? DEFAULT_RESYNC_JITTER_SECONDS,
      };
    },
  };
}

/**
 * RECONCILE_PASS_SECONDS, RECONCILE_BOOKKEEPING_SECONDS and RECONCILE_POOL_CONCURRENCY override
 * the defaults (docs/reliability.md); a value that is not a positive number is ignored.
 */
export function passBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): PassBudget {
  const positive = (value: string | undefined) => {
    const n = nonNegativeNumber(value);
    return n !== undefined && n > 0 ? n : undefined;
  };
  return {
    passSeconds: positive(env.RECONCILE_PASS_SECONDS) ?? DEFAULT_PASS_BUDGET.passSeconds,
    bookkeepingSeconds: positive(env.RECONCILE_BOOKKEEPING_SECONDS) ?? DEFAULT_PASS_BUDGET.bookkeepingSeconds,
    poolConcurrency: Math.floor(
      positive(env.RECONCILE_POOL_CONCURRENCY) ?? DEFAULT_PASS_BUDGET.poolConcurrency,
    ),
  };
}

function nonNegativeNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
