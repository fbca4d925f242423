import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from './client-factory';
import { isConditionalCheckFailed, translateAwsError } from './translate-error';

/**
 * One reconcile per pool at a time, across concurrent Lambdas: a lease item per pool in DynamoDB,
 * taken with a conditional write and given up when the pass ends. A lease that outlives its
 * holder (a crashed or timed-out Lambda) simply expires; the holder sets its length from its own
 * pass deadline, so that happens a bounded time after the crash (docs/reliability.md).
 *
 * Events that arrive while the lease is held set `dirty` instead of waiting; the holder sees it
 * when it releases and queues one more pass, so a burst collapses into at most two passes. The
 * delivery that first marks the lease dirty also learns when the lease expires, so it can leave a
 * check for that moment: if the holder died, nobody else would ever consume `dirty`.
 * The item also carries the current requeue chain's token (see PoolTrigger).
 */
export type LeaseAttempt =
  | { acquired: true }
  | {
      acquired: false;
      heldBy: string;
      /** Epoch milliseconds at which the holder's lease runs out. */
      expiresAt: number;
      /** This delivery turned `dirty` on: it is the one to leave a check for a dead holder. */
      markedDirty: boolean;
    };
export interface LeaseRelease {
  /** Events came in while we held the lease: the pool needs one more pass. */
  dirty: boolean;
  /** Our lease had expired and someone else took it: what we did may already be superseded. */
  lost: boolean;
}

/** The requeue chain a pass leaves behind: a new token (and what its requeue waits for), or none. */
export interface RequeueChain {
  token: string | undefined;
  /** The write time of the newest spec a settling requeue saw (see LeaseState). */
  settlingWrittenAt?: string;
  /** Epoch milliseconds at which that settling requeue is due, and the spec it reads (LeaseState). */
  settleDueAt?: number;
  settlingLocation?: string;
}

/** What a pool's lease item holds now (a consistent read). */
export interface LeaseState {
  holder?: string;
  /** Epoch milliseconds; present while a pass holds the lease, removed by its release. */
  leaseExpiresAt?: number;
  dirty: boolean;
  requeueToken?: string;
  /**
   * Set with a requeue that waits for the spec to settle: the write time of the newest spec that
   * pass saw. Spec events from no later than this are covered by that requeue's pass.
   */
  settlingWrittenAt?: string;
  /**
   * Set with `settlingWrittenAt`: epoch milliseconds at which that requeue is due. Until a little
   * after it, the requeue is known to be on its way, so it also covers later spec events (it reads
   * the spec when it runs); a requeue long overdue is not trusted (stale-events.ts).
   */
  settleDueAt?: number;
  /** Set with `settleDueAt`: the spec object that requeue reads (only its events are covered). */
  settlingLocation?: string;
  /**
   * The status row's `specWrittenAt` as the last pass that released this lease stored it (a copy,
   * written after the row): spec events from no later than this are stale (see stale-events.ts).
   * Absent until such a release; behind the row only if a pass stopped between the two writes.
   */
  recordedSpecWrittenAt?: string;
}

/** Keep lease items for a day after their last use; DynamoDB TTL removes them. */
const ITEM_RETENTION_SECONDS = 24 * 3600;
/** BatchGetItem reads at most 100 keys per request (DynamoDB API reference). */
const BATCH_GET_KEYS = 100;
/** Rounds of UnprocessedKeys (capacity) retried as a batch before the rest are read one by one. */
const BATCH_GET_ROUNDS = 3;

function leaseStateOf(item: Record<string, unknown>): LeaseState {
  return {
    ...(typeof item.holder === 'string' ? { holder: item.holder } : {}),
    ...(typeof item.leaseExpiresAt === 'number' ? { leaseExpiresAt: item.leaseExpiresAt } : {}),
    dirty: item.dirty === true,
    ...(typeof item.requeueToken === 'string' ? { requeueToken: item.requeueToken } : {}),
    ...(typeof item.settlingWrittenAt === 'string' ? { settlingWrittenAt: item.settlingWrittenAt } : {}),
    ...(typeof item.settleDueAt === 'number' ? { settleDueAt: item.settleDueAt } : {}),
    ...(typeof item.settlingLocation === 'string' ? { settlingLocation: item.settlingLocation } : {}),
    ...(typeof item.recordedSpecWrittenAt === 'string'
      ? { recordedSpecWrittenAt: item.recordedSpecWrittenAt }
      : {}),
  };
}

export class PoolLeases {
  constructor(
    private readonly clients: Pick<AwsClients, 'documents'>,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(poolId: string, holder: string, leaseSeconds: number): Promise<LeaseAttempt> {
    // Two rounds: the lease can be released between our failed take and our dirty mark.
    for (let round = 0; round < 2; round++) {
      const now = this.now();
      try {
        await this.clients.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { poolId },
            UpdateExpression:
              'SET holder = :holder, leaseExpiresAt = :expires, dirty = :false, expiresAtEpoch = :ttl',
            // "Or it is already mine": when the response to our first take is lost, the SDK
            // retries the same write, and the holder must not find itself busy.
            ConditionExpression: 'attribute_not_exists(holder) OR leaseExpiresAt < :now OR holder = :holder',
            ExpressionAttributeValues: {
              ':holder': holder,
              ':expires': now + leaseSeconds * 1000,
              ':false': false,
              ':ttl': Math.floor(now / 1000) + ITEM_RETENTION_SECONDS,
              ':now': now,
            },
          }),
        );
        return { acquired: true };
      } catch (error: unknown) {
        if (!isConditionalCheckFailed(error))
          throw translateAwsError(error, { poolId, resourceId: this.tableName });
      }
      try {
        const result = await this.clients.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { poolId },
            UpdateExpression: 'SET dirty = :true',
            ConditionExpression: 'attribute_exists(holder) AND leaseExpiresAt >= :now',
            ExpressionAttributeValues: { ':true': true, ':now': now },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const old = result.Attributes ?? {};
        return {
          acquired: false,
          heldBy: String(old.holder ?? 'unknown'),
          expiresAt: Number(old.leaseExpiresAt ?? now),
          markedDirty: old.dirty !== true,
        };
      } catch (error: unknown) {
        if (!isConditionalCheckFailed(error))
          throw translateAwsError(error, { poolId, resourceId: this.tableName });
      }
    }
    // Taken and released twice between our writes: a live, busy pool. The holder that has it now
    // read the spec after our event arrived, so nothing is lost.
    return { acquired: false, heldBy: 'unknown', expiresAt: this.now(), markedDirty: false };
  }

  /** The lease item as it is now. */
  async state(poolId: string): Promise<LeaseState> {
    try {
      const result = await this.clients.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { poolId }, ConsistentRead: true }),
      );
      return leaseStateOf(result.Item ?? {});
    } catch (error: unknown) {
      throw translateAwsError(error, { poolId, resourceId: this.tableName });
    }
  }

  /**
   * The lease items of several pools as they are now, in one consistent BatchGetItem per 100 pools
   * (a batch of deliveries for many pools pays one read, not one per pool). Keys DynamoDB leaves
   * unprocessed (capacity) are asked again, then read one by one: every pool asked for is answered.
   */
  async states(poolIds: readonly string[]): Promise<Map<string, LeaseState>> {
    const states = new Map<string, LeaseState>();
    const unique = [...new Set(poolIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      let keys = unique.slice(start, start + BATCH_GET_KEYS).map((poolId) => ({ poolId }));
      for (let round = 0; round < BATCH_GET_ROUNDS && keys.length > 0; round++) {
        let result: BatchGetCommandOutput;
        try {
          result = await this.clients.documents.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
            }),
          );
        } catch (error: unknown) {
          throw translateAwsError(error, { resourceId: this.tableName });
        }
        const found = new Map<string, Record<string, unknown>>(
          (result.Responses?.[this.tableName] ?? []).map((item) => [String(item.poolId), item]),
        );
        const unprocessed = new Set(
          (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((key) => String(key.poolId)),
        );
        // A key neither returned nor unprocessed has no item: a pool with no lease yet.
        for (const { poolId } of keys)
          if (!unprocessed.has(poolId)) states.set(poolId, leaseStateOf(found.get(poolId) ?? {}));
        keys = keys.filter(({ poolId }) => unprocessed.has(poolId));
      }
      for (const { poolId } of keys) states.set(poolId, await this.state(poolId));
    }
    return states;
  }

  /**
   * Gives the lease up, and in the same write starts the pool's next requeue chain (older chains'
   * messages become stale) or ends it (`requeue.token` undefined); without `requeue` the chain is
   * left as it is. One conditional write: a holder that lost its lease changes nothing, not even
   * the chain of the pass that holds it now. `recordedSpecWrittenAt`: the status row's, once the
   * pass stored its row (kept as it was when absent).
   */
  async release(
    poolId: string,
    holder: string,
    requeue?: RequeueChain,
    recordedSpecWrittenAt?: string,
  ): Promise<LeaseRelease> {
    const values: Record<string, unknown> = { ':holder': holder, ':false': false };
    const set = ['dirty = :false'];
    const remove = ['holder', 'leaseExpiresAt'];
    if (requeue?.token !== undefined) {
      set.push('requeueToken = :token');
      values[':token'] = requeue.token;
    } else if (requeue) {
      remove.push('requeueToken');
    }
    if (requeue?.token !== undefined && requeue.settlingWrittenAt !== undefined) {
      set.push('settlingWrittenAt = :settling');
      values[':settling'] = requeue.settlingWrittenAt;
    } else if (requeue) {
      remove.push('settlingWrittenAt');
    }
    // What a settling requeue reads and when it is due: kept together, set or removed together.
    const pending = requeue?.token !== undefined ? requeue : undefined;
    if (
      pending?.settlingWrittenAt !== undefined &&
      pending.settleDueAt !== undefined &&
      pending.settlingLocation
    ) {
      set.push('settleDueAt = :due', 'settlingLocation = :location');
      values[':due'] = pending.settleDueAt;
      values[':location'] = pending.settlingLocation;
    } else if (requeue) {
      remove.push('settleDueAt', 'settlingLocation');
    }
    if (recordedSpecWrittenAt !== undefined) {
      set.push('recordedSpecWrittenAt = :recorded');
      values[':recorded'] = recordedSpecWrittenAt;
    }
    try {
      const result = await this.clients.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { poolId },
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { dirty: result.Attributes?.dirty === true, lost: false };
    } catch (error: unknown) {
      if (isConditionalCheckFailed(error)) return { dirty: false, lost: true };
      throw translateAwsError(error, { poolId, resourceId: this.tableName });
    }
  }

  /** The token of the pool's live requeue chain, if any. */
  async requeueToken(poolId: string): Promise<string | undefined> {
    return (await this.state(poolId)).requeueToken;
  }
}
