import { randomUUID } from 'node:crypto';
import { type AwsClients, clientSettingsFromEnv, lazyClients } from '../aws/client-factory';
import { PoolLeases } from '../aws/pool-leases';
import { PoolQueue } from '../aws/pool-queue';
import { buildSqs } from '../aws/sdk-clients/sqs';
import { StatusTable } from '../aws/status-table';
import { resolveResourceNames } from '../config';
import { ConcurrentUpdateError } from '../errors';
import { classifyS3Key, poolIdFromS3Key } from '../manifests/store-format';
import {
  createReconcileDeps,
  RECONCILE_CLIENT_BUILDERS,
  type ReconcileClients,
  reconcile,
} from '../reconcile';
import { statusRowAfterDeadLetter } from '../status/dead-letter-status';
import { DEFAULT_PASS_BUDGET, type DispatchDeps, type PassBudget } from './reconcile-batch';

/**
 * Wires the reconcile function's pieces from the environment it runs in (serverless.yml sets
 * every name). Built once per Lambda container; `holderId` is per invocation. The resync sweep has
 * its own, much smaller wiring (resync-deps.ts), so its bundle does not carry the reconcile graph.
 */

export const DEFAULT_MAX_RECEIVES = 5;

export interface EventPath {
  /** `remainingMs`: the invocation's time left (Lambda's context.getRemainingTimeInMillis). */
  dispatchDeps(holderId: string, remainingMs?: () => number): DispatchDeps;
}

/** The clients the reconcile function calls: a pass's, plus SQS for requeues. */
export type EventPathClients = ReconcileClients & Pick<AwsClients, 'sqs'>;

function eventPathClients(env: NodeJS.ProcessEnv = process.env): EventPathClients {
  return lazyClients(clientSettingsFromEnv(env), { ...RECONCILE_CLIENT_BUILDERS, sqs: buildSqs });
}

export function createEventPath(
  env: NodeJS.ProcessEnv = process.env,
  clients: EventPathClients = eventPathClients(env),
): EventPath {
  const names = resolveResourceNames(env);
  const reconcileDeps = createReconcileDeps(env, clients);
  const leases = new PoolLeases(clients, names.leaseTable);
  const queue = new PoolQueue(clients, names.reconcileQueue);
  const deadLetters = new PoolQueue(clients, names.deadLetterQueue);
  const statusTable = new StatusTable(clients, names.statusTable);
  const maxReceives = Number(env.RECONCILE_MAX_RECEIVES) || DEFAULT_MAX_RECEIVES;
  const budget = passBudgetFromEnv(env);

  const reportDeadLetter = async (poolId: string, error: string, terminal = false) => {
    // Two tries: a reconcile may have written the row between our read and our write.
    for (let attempt = 0; attempt < 2; attempt++) {
      const previous = await statusTable.get(poolId);
      const next = statusRowAfterDeadLetter(previous, {
        poolId,
        error,
        attempts: maxReceives,
        terminal,
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
    dispatchDeps: (holderId, remainingMs) => {
      // One invocation is one batch: its passes share DescribeCluster per cluster.
      const batchDeps = reconcileDeps.forBatch?.() ?? reconcileDeps;
      return {
        reconcile: (poolId, facts) => reconcile(poolId, batchDeps, facts),
        leases,
        queue,
        triggerContext: {
          specBucket: names.specBucket,
          poolIdFromKey: (key) => poolIdFromS3Key(key, names.specPrefix),
          whyNotPool: (key) => {
            const classified = classifyS3Key(key, names.specPrefix);
            return classified.kind === 'ignored' ? classified.reason : 'it is a pool spec';
          },
        },
        deadLetters: { send: (body) => deadLetters.sendJson(body) },
        holderId,
        budget,
        ...(remainingMs ? { remainingMs } : {}),
        maxReceives,
        reportDeadLetter,
        newToken: randomUUID,
        specWrittenAt: async (poolId) => (await statusTable.get(poolId))?.specWrittenAt,
      };
    },
  };
}

/**
 * RECONCILE_PASS_SECONDS, RECONCILE_BOOKKEEPING_SECONDS and RECONCILE_POOL_CONCURRENCY override
 * the defaults (docs/reliability.md); a value that is not a positive number is ignored.
 */
function passBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): PassBudget {
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
