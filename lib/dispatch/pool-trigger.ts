import { MAX_POOL_ID_LENGTH, poolIdProblem } from '../manifests/store-format';
/**
 * Turns one reconcile-queue message into the pool it names. Messages are hints, never deltas: the
 * reconcile always re-reads the newest spec, so all we keep is the pool id and why it was queued.
 */

export const TriggerKind = {
  /** A spec object written or deleted in S3 (S3 → EventBridge → queue). */
  SpecObject: 'spec-object',
  /** A spec item written or deleted in DynamoDB (stream → pipe → EventBridge → queue). */
  SpecItem: 'spec-item',
  /** The scheduled sweep over every known pool. */
  Resync: 'resync',
  /** A delayed re-check the reconciler asked for (a roll or a node group create in flight). */
  Requeue: 'requeue',
  /** Events arrived while another worker held the pool: one more pass after it finished. */
  Coalesced: 'coalesced',
  /**
   * Left by a delivery that found the pool busy, timed for when the holder's lease runs out: if
   * the holder died, this is the pass that consumes the events it never saw. Stale (and dropped)
   * when the holder released normally, since its release already queued the coalesced pass.
   */
  LeaseCheck: 'lease-check',
  /** `enclave-pools roll NAME` approved a pending roll: the pass that starts it. */
  RollApproved: 'roll-approved',
} as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

export interface PoolTrigger {
  poolId: string;
  kind: TriggerKind;
  /** Only on requeue messages: the chain they belong to (a newer chain makes older ones stale). */
  requeueToken?: string;
  /** Only on spec object events: when S3 says the write happened (EventBridge `time`, ISO 8601). */
  eventTime?: string;
  /** Only on spec-object events: the object written or deleted (s3://bucket/key). */
  location?: string;
  /** Only on resync messages, once an hour per pool: re-read what a no-op pass trusts the status row for. */
  driftCheck?: boolean;
}

/** The source serverless.yml's spec-table pipe stamps on its events (detail-type "Pool Spec Changed"). */
export const SPEC_TABLE_EVENT_SOURCE = 'enclave-pools.spec-table';

export interface TriggerContext {
  specBucket: string;
  /** Maps an object key under the spec prefix to its pool id; undefined for keys that are not pool specs. */
  poolIdFromKey: (key: string) => string | undefined;
  /** Why a key under the prefix is not a pool spec (the rule and the fix), for the dead letter. */
  whyNotPool?: (key: string) => string;
}

/**
 * `ignored`: not meant for us (another bucket, not JSON): logged and acknowledged.
 * `rejected`: meant for a pool, but no pool can be that (a spec object with a bad key, a pool id
 * that is not a DNS label): dead-lettered with the reason, never a status row or any other write.
 */
export type TriggerParseResult = { trigger: PoolTrigger } | { ignored: string } | { rejected: string };

/** Pool ids arrive from users (keys, items) and from queue bodies anyone may send: check them all. */
function checkedPoolId(poolId: string, door: string): { rejected: string } | undefined {
  const problem = poolIdProblem(poolId);
  if (!problem) return undefined;
  const shown = poolId.length > 80 ? `${poolId.slice(0, 80)}... (${poolId.length} characters)` : poolId;
  return {
    rejected:
      `${door} names pool id ${JSON.stringify(shown)}, which ${problem.startsWith('is ') ? problem : `it ${problem}`}; ` +
      `a pool id is a DNS label (lower-case letters, digits and "-", 1-${MAX_POOL_ID_LENGTH} characters, starting and ending with a letter or digit)`,
  };
}

const OWN_TRIGGERS = new Set<string>(Object.values(TriggerKind));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function parsePoolTrigger(body: string, context: TriggerContext): TriggerParseResult {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return { ignored: 'body is not JSON' };
  }
  if (!isRecord(message)) return { ignored: 'body is not a JSON object' };

  if (message.source === 'aws.s3') {
    // Read only bucket and key: moto and S3 disagree on everything else (reason, etag, id).
    const bucket = field(message, 'detail', 'bucket', 'name');
    const key = field(message, 'detail', 'object', 'key');
    if (bucket !== context.specBucket)
      return { ignored: `object event from another bucket (${String(bucket)})` };
    if (typeof key !== 'string') return { ignored: 'S3 event without an object key' };
    const poolId = context.poolIdFromKey(key);
    if (!poolId) {
      const why = context.whyNotPool?.(key) ?? `object key ${key} is not a pool spec`;
      return {
        rejected: `spec object s3://${String(bucket)}/${key} cannot be a pool: ${why}; rename it to <prefix><pool id>.yaml`,
      };
    }
    const time = message.time;
    const eventTime =
      typeof time === 'string' && Number.isFinite(Date.parse(time))
        ? new Date(Date.parse(time)).toISOString()
        : undefined;
    return {
      trigger: {
        poolId,
        kind: TriggerKind.SpecObject,
        location: `s3://${bucket}/${key}`,
        ...(eventTime ? { eventTime } : {}),
      },
    };
  }

  if (message.source === SPEC_TABLE_EVENT_SOURCE) {
    const poolId = field(message, 'detail', 'poolId');
    if (typeof poolId !== 'string' || poolId === '') return { ignored: 'spec-table event without a poolId' };
    return checkedPoolId(poolId, 'spec-table item') ?? { trigger: { poolId, kind: TriggerKind.SpecItem } };
  }

  if (typeof message.poolId === 'string' && message.poolId !== '' && typeof message.trigger === 'string') {
    if (!OWN_TRIGGERS.has(message.trigger)) return { ignored: `unknown trigger ${message.trigger}` };
    const bad = checkedPoolId(message.poolId, 'queue message');
    if (bad) return bad;
    const trigger: PoolTrigger = { poolId: message.poolId, kind: message.trigger as TriggerKind };
    if (typeof message.requeueToken === 'string') trigger.requeueToken = message.requeueToken;
    if (message.driftCheck === true && trigger.kind === TriggerKind.Resync) trigger.driftCheck = true;
    return { trigger };
  }

  return { ignored: 'message names no pool' };
}

/** What a pool's messages in one batch tell its pass (see PassContext in lib/reconcile). */
export interface TriggerFacts {
  specEvents: Array<{ source: 's3' | 'dynamodb'; location?: string }>;
  driftCheck: boolean;
}

export function triggerFacts(triggers: readonly PoolTrigger[]): TriggerFacts {
  const specEvents: TriggerFacts['specEvents'] = [];
  for (const trigger of triggers) {
    if (trigger.kind === TriggerKind.SpecObject)
      specEvents.push({ source: 's3', ...(trigger.location ? { location: trigger.location } : {}) });
    if (trigger.kind === TriggerKind.SpecItem) specEvents.push({ source: 'dynamodb' });
  }
  return { specEvents, driftCheck: triggers.some((trigger) => trigger.driftCheck === true) };
}
