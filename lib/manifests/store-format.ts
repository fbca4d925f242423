import type { StoredSpec } from '../pool-spec';

/**
 * Where pool specs live and how their keys map to pool ids. Pure, so the event path (S3 events,
 * DynamoDB stream records) and the stores share one definition. See docs/spec-format.md.
 *
 * Pool id: a DNS label (lower-case letters, digits, "-", 1-63 characters, starting and ending with a
 * letter or digit). That is the intersection of a Kubernetes object name (the MachinePool's
 * metadata.name, which must equal it) and an EKS node group name (the default node group name).
 *
 * S3: one object per pool, `<prefix><poolId>.yaml`; `.yml` and `.json` are accepted too. The text
 * format is detected from the content, not the extension. Two objects for one pool (`a.yaml` and
 * `a.json`) are an error the store reports instead of guessing.
 *
 * DynamoDB: one item per pool in the spec table:
 *   poolId     S  partition key, the pool id
 *   spec       S  the document text (multi-document YAML, or JSON), <= 1 MiB by our rules, 400 KB by DynamoDB's
 *   generation N  incremented by one on every write (`ADD generation :one`); writers that bypass the
 *                 CLI must increment it too, or the reconciler cannot tell the spec changed
 *   updatedAt  S  ISO-8601 time of the last write (informational)
 */

/**
 * Documents larger than this are refused unread (S3 objects are fetched with a Range). Here, not
 * in pool-document.ts, so the stores (and the resync bundle) need not import the YAML parser.
 */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export const POOL_ID_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_POOL_ID_LENGTH = 63;

/** Why a string cannot be a pool id, or undefined when it can. */
export function poolIdProblem(poolId: string): string | undefined {
  if (poolId.length === 0) return 'is empty';
  if (poolId.length > MAX_POOL_ID_LENGTH)
    return `is ${poolId.length} characters long (at most ${MAX_POOL_ID_LENGTH})`;
  if (!POOL_ID_PATTERN.test(poolId)) {
    return 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';
  }
  return undefined;
}

function isValidPoolId(poolId: string): boolean {
  return poolIdProblem(poolId) === undefined;
}

// --- S3 -------------------------------------------------------------------------------------------

export const S3_SPEC_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;
export type S3SpecExtension = (typeof S3_SPEC_EXTENSIONS)[number];
/** Extension used when a new object is written, by content: JSON text gets .json. */
export function extensionForText(text: string): S3SpecExtension {
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '{' || first === '[' ? '.json' : '.yaml';
}

export function s3KeyForPool(poolId: string, prefix: string, extension: S3SpecExtension = '.yaml'): string {
  return `${prefix}${poolId}${extension}`;
}

export type S3KeyClassification =
  | { kind: 'pool'; poolId: string; extension: S3SpecExtension }
  | { kind: 'ignored'; reason: string };

/**
 * What an S3 key means to us. Keys in S3 event notifications may arrive URL-encoded ("+" for space);
 * pool ids never need encoding, so a key is tried as is and then decoded.
 */
export function classifyS3Key(key: string, prefix: string): S3KeyClassification {
  const decoded = safeDecode(key);
  for (const candidate of decoded === key ? [key] : [key, decoded]) {
    if (!candidate.startsWith(prefix)) continue;
    const rest = candidate.slice(prefix.length);
    if (rest.includes('/'))
      return { kind: 'ignored', reason: `"${candidate}" is in a sub-folder of "${prefix}"` };
    const extension = S3_SPEC_EXTENSIONS.find((ext) => rest.endsWith(ext));
    if (!extension) {
      return { kind: 'ignored', reason: `"${candidate}" does not end in ${S3_SPEC_EXTENSIONS.join(', ')}` };
    }
    const poolId = rest.slice(0, -extension.length);
    const problem = poolIdProblem(poolId);
    if (problem) return { kind: 'ignored', reason: `"${poolId}" is not a valid pool id: it ${problem}` };
    return { kind: 'pool', poolId, extension };
  }
  return { kind: 'ignored', reason: `"${key}" is outside the prefix "${prefix}"` };
}

export function poolIdFromS3Key(key: string, prefix: string): string | undefined {
  const classification = classifyS3Key(key, prefix);
  return classification.kind === 'pool' ? classification.poolId : undefined;
}

function safeDecode(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

export function s3Location(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** S3 has no write counter; LastModified (ms) increases with every write (1 s resolution). */
export function generationFromLastModified(lastModified: Date | undefined): number {
  return lastModified ? lastModified.getTime() : 0;
}

// --- DynamoDB -------------------------------------------------------------------------------------

export const SpecItemAttribute = {
  poolId: 'poolId',
  spec: 'spec',
  generation: 'generation',
  updatedAt: 'updatedAt',
} as const;

/** A spec item as the DocumentClient returns it (plain values). */
export interface SpecItem {
  poolId: string;
  spec: string;
  generation: number;
  updatedAt?: string;
}

export function dynamoDbLocation(table: string, poolId: string): string {
  return `dynamodb://${table}/${poolId}`;
}

export type SpecItemParse = { ok: true; stored: StoredSpec } | { ok: false; problem: string };

/** Validates an item read from the table (anyone may write to it) and turns it into a StoredSpec. */
export function storedSpecFromItem(item: Record<string, unknown>, table: string): SpecItemParse {
  const poolId = item[SpecItemAttribute.poolId];
  if (typeof poolId !== 'string') return { ok: false, problem: 'the item has no string attribute "poolId"' };
  const spec = item[SpecItemAttribute.spec];
  if (typeof spec !== 'string') {
    return {
      ok: false,
      problem:
        `the item for pool "${poolId}" has no string attribute "spec" ` +
        `(found ${spec === undefined ? 'nothing' : typeof spec}); store the YAML or JSON text as a string`,
    };
  }
  const generation = item[SpecItemAttribute.generation];
  const numeric =
    typeof generation === 'number' ? generation : typeof generation === 'string' ? Number(generation) : 0;
  const updatedAt = item[SpecItemAttribute.updatedAt];
  const writtenAt =
    typeof updatedAt === 'string' && Number.isFinite(Date.parse(updatedAt)) ? updatedAt : undefined;
  return {
    ok: true,
    stored: {
      poolId,
      source: 'dynamodb',
      location: dynamoDbLocation(table, poolId),
      text: spec,
      generation: Number.isFinite(numeric) ? numeric : 0,
      ...(writtenAt ? { writtenAt: new Date(Date.parse(writtenAt)).toISOString() } : {}),
    },
  };
}

/** The minimal shape of a DynamoDB stream record (raw attribute values), without SDK types. */
export interface SpecStreamRecord {
  eventName?: string;
  dynamodb?: {
    Keys?: Record<string, { S?: string } | undefined>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
}

/** The pool a stream record is about, from its key (present on INSERT, MODIFY and REMOVE). */
export function poolIdFromStreamRecord(record: SpecStreamRecord): string | undefined {
  const poolId = record.dynamodb?.Keys?.[SpecItemAttribute.poolId]?.S;
  return poolId !== undefined && isValidPoolId(poolId) ? poolId : undefined;
}
