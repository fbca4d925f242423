import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, SpecInvalidError } from '../errors';
import {
  classifyS3Key,
  dynamoDbLocation,
  extensionForText,
  generationFromLastModified,
  MAX_DOCUMENT_BYTES,
  poolIdProblem,
  S3_SPEC_EXTENSIONS,
  SpecItemAttribute,
  s3KeyForPool,
  s3Location,
  storedSpecFromItem,
} from '../manifests/store-format';
import type { StoredSpec, StoredSpecRef } from '../pool-spec';
import { awsErrorName, isConditionalCheckFailed, translateAwsError } from './translate-error';

/**
 * Where users keep pool specs: an S3 prefix or a DynamoDB table (formats in lib/manifests/store-format.ts
 * and docs/spec-format.md). Both are level-triggered sources: `load` returns the newest text, or
 * undefined when the pool has no spec (which means "delete the pool").
 *
 * A store returns text as stored; validation (size, encoding, syntax) happens in lib/manifests, so a
 * broken object becomes violations on the pool rather than an exception here. Only problems that are
 * not about one document's content (two objects for one pool, an item without a spec attribute)
 * raise SpecInvalidError.
 */
export interface SpecStore {
  load(poolId: string): Promise<StoredSpec | undefined>;
  put(poolId: string, text: string): Promise<StoredSpec>;
  delete(poolId: string): Promise<void>;
  list(): Promise<string[]>;
  /** Every stored spec's location and generation, in one listing (no spec is read). */
  listRefs(): Promise<StoredSpecRef[]>;
}

function assertPoolId(poolId: string): void {
  const problem = poolIdProblem(poolId);
  if (problem) throw new SpecInvalidError(`pool id "${poolId}" ${problem}`, { poolId });
}

const decoder = new TextDecoder('utf-8');

export interface S3SpecStoreOptions {
  bucket: string;
  /** Key prefix, e.g. "pools/" (may be empty). */
  prefix: string;
}

export class S3SpecStore implements SpecStore {
  readonly source = 's3' as const;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3SpecStoreOptions,
  ) {}

  /** Keys that hold this pool's spec (normally one): `<prefix><poolId>.yaml|.yml|.json`. */
  private async objectsFor(poolId: string): Promise<Array<{ key: string; size: number }>> {
    const wanted = new Set(S3_SPEC_EXTENSIONS.map((ext) => s3KeyForPool(poolId, this.options.prefix, ext)));
    const found: Array<{ key: string; size: number }> = [];
    const pages = paginateListObjectsV2(
      { client: this.s3 },
      { Bucket: this.options.bucket, Prefix: `${this.options.prefix}${poolId}.` },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key && wanted.has(object.Key)) found.push({ key: object.Key, size: object.Size ?? 0 });
      }
    }
    return found;
  }

  private async singleObject(poolId: string): Promise<{ key: string; size: number } | undefined> {
    const objects = await this.objectsFor(poolId);
    if (objects.length > 1) {
      const where = objects.map((o) => s3Location(this.options.bucket, o.key)).join(' and ');
      throw new SpecInvalidError(
        `pool ${poolId} has ${objects.length} spec objects (${where}); keep exactly one and delete the others`,
        { poolId },
      );
    }
    return objects[0];
  }

  async load(poolId: string): Promise<StoredSpec | undefined> {
    assertPoolId(poolId);
    try {
      const object = await this.singleObject(poolId);
      if (!object) return undefined;
      // A hostile object is not read past the limit: validation then reports DocumentTooLarge.
      const range = object.size > MAX_DOCUMENT_BYTES ? `bytes=0-${MAX_DOCUMENT_BYTES}` : undefined;
      const response = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: object.key,
          ...(range ? { Range: range } : {}),
        }),
      );
      const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      return {
        poolId,
        source: 's3',
        location: s3Location(this.options.bucket, object.key),
        // Invalid UTF-8 becomes U+FFFD, which validation reports as DocumentNotText.
        text: decoder.decode(bytes),
        generation: generationFromLastModified(response.LastModified),
        sizeBytes: object.size,
        ...(response.LastModified ? { writtenAt: response.LastModified.toISOString() } : {}),
      };
    } catch (error: unknown) {
      if (isAwsErrorNamed(error, 'NoSuchKey')) return undefined;
      throw translateAwsError(error, { poolId });
    }
  }

  /**
   * One GetObject of a key listed before (the status row's specLocation), instead of a listing and
   * a read. Ranged, so a hostile object is not read past the limit either; a location that is not
   * this store's key for the pool, or an empty object (a range S3 refuses), falls back to `load`.
   */
  async loadAt(poolId: string, location: string): Promise<StoredSpec | undefined> {
    assertPoolId(poolId);
    const bucketPrefix = s3Location(this.options.bucket, '');
    const key = location.startsWith(bucketPrefix) ? location.slice(bucketPrefix.length) : undefined;
    const classified = key === undefined ? undefined : classifyS3Key(key, this.options.prefix);
    if (!key || classified?.kind !== 'pool' || classified.poolId !== poolId) return this.load(poolId);
    try {
      const response = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Range: `bytes=0-${MAX_DOCUMENT_BYTES}`,
        }),
      );
      const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      return {
        poolId,
        source: 's3',
        location,
        text: decoder.decode(bytes),
        generation: generationFromLastModified(response.LastModified),
        ...(response.LastModified ? { writtenAt: response.LastModified.toISOString() } : {}),
        // The object's whole size, from "bytes 0-N/TOTAL" (the read itself stops at the limit).
        sizeBytes: Number(
          /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1] ?? response.ContentLength ?? bytes.length,
        ),
      };
    } catch (error: unknown) {
      if (isAwsErrorNamed(error, 'NoSuchKey', 'NotFound')) return undefined;
      if (isAwsErrorNamed(error, 'InvalidRange')) return this.load(poolId);
      throw translateAwsError(error, { poolId });
    }
  }

  async put(poolId: string, text: string): Promise<StoredSpec> {
    assertPoolId(poolId);
    try {
      const existing = await this.singleObject(poolId);
      const key = existing?.key ?? s3KeyForPool(poolId, this.options.prefix, extensionForText(text));
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: text,
          ContentType: key.endsWith('.json') ? 'application/json' : 'application/yaml',
        }),
      );
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return {
        poolId,
        source: 's3',
        location: s3Location(this.options.bucket, key),
        text,
        generation: generationFromLastModified(head.LastModified),
      };
    } catch (error: unknown) {
      throw translateAwsError(error, { poolId });
    }
  }

  async delete(poolId: string): Promise<void> {
    assertPoolId(poolId);
    try {
      for (const object of await this.objectsFor(poolId)) {
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: object.key }));
      }
    } catch (error: unknown) {
      throw translateAwsError(error, { poolId });
    }
  }

  async list(): Promise<string[]> {
    return [...new Set((await this.listRefs()).map((ref) => ref.poolId))].sort();
  }

  async listRefs(): Promise<StoredSpecRef[]> {
    const refs: StoredSpecRef[] = [];
    try {
      const pages = paginateListObjectsV2(
        { client: this.s3 },
        { Bucket: this.options.bucket, Prefix: this.options.prefix },
      );
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          const classified = object.Key ? classifyS3Key(object.Key, this.options.prefix) : undefined;
          if (classified?.kind === 'pool' && object.Key)
            refs.push({
              poolId: classified.poolId,
              source: 's3',
              location: s3Location(this.options.bucket, object.Key),
              // GetObject reports Last-Modified in whole seconds; the listing may carry milliseconds.
              generation: generationFromLastModified(wholeSeconds(object.LastModified)),
            });
        }
      }
    } catch (error: unknown) {
      throw translateAwsError(error);
    }
    return refs.sort((a, b) => (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : 0));
  }
}

function wholeSeconds(date: Date | undefined): Date | undefined {
  return date ? new Date(Math.floor(date.getTime() / 1000) * 1000) : undefined;
}

export interface DynamoDbSpecStoreOptions {
  table: string;
}

/** DynamoDB's item limit is 400 KB including attribute names; leave room for the other attributes. */
const MAX_ITEM_SPEC_BYTES = 390 * 1024;

export class DynamoDbSpecStore implements SpecStore {
  readonly source = 'dynamodb' as const;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly options: DynamoDbSpecStoreOptions,
  ) {}

  async load(poolId: string): Promise<StoredSpec | undefined> {
    assertPoolId(poolId);
    let item: Record<string, unknown> | undefined;
    try {
      const response = await this.documents.send(
        new GetCommand({
          TableName: this.options.table,
          Key: { [SpecItemAttribute.poolId]: poolId },
          ConsistentRead: true,
        }),
      );
      item = response.Item;
    } catch (error: unknown) {
      throw translateAwsError(error, { poolId });
    }
    if (!item) return undefined;
    const parsed = storedSpecFromItem(item, this.options.table);
    if (!parsed.ok)
      throw new SpecInvalidError(`${dynamoDbLocation(this.options.table, poolId)}: ${parsed.problem}`, {
        poolId,
      });
    return parsed.stored;
  }

  /** The item is the location: the same GetItem as `load`. */
  loadAt(poolId: string, _location: string): Promise<StoredSpec | undefined> {
    return this.load(poolId);
  }

  /**
   * Writes the spec and increments `generation` in one UpdateItem. With `expectedGeneration` the
   * write only happens if the stored generation is still that value (0 = the item must not exist),
   * else ConcurrentUpdateError.
   */
  async put(
    poolId: string,
    text: string,
    options: { expectedGeneration?: number } = {},
  ): Promise<StoredSpec> {
    assertPoolId(poolId);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_ITEM_SPEC_BYTES) {
      throw new SpecInvalidError(
        `the spec for pool ${poolId} is ${bytes} bytes; a DynamoDB item holds at most about ${MAX_ITEM_SPEC_BYTES} ` +
          'bytes of text: use the S3 store for larger documents',
        { poolId },
      );
    }
    const expected = options.expectedGeneration;
    const condition =
      expected === undefined
        ? {}
        : expected === 0
          ? { ConditionExpression: 'attribute_not_exists(#poolId)' }
          : { ConditionExpression: '#generation = :expected' };
    try {
      const response = await this.documents.send(
        new UpdateCommand({
          TableName: this.options.table,
          Key: { [SpecItemAttribute.poolId]: poolId },
          UpdateExpression: 'SET #spec = :spec, #updatedAt = :now ADD #generation :one',
          ExpressionAttributeNames: {
            '#spec': SpecItemAttribute.spec,
            '#updatedAt': SpecItemAttribute.updatedAt,
            '#generation': SpecItemAttribute.generation,
            ...(expected === 0 ? { '#poolId': SpecItemAttribute.poolId } : {}),
          },
          ExpressionAttributeValues: {
            ':spec': text,
            ':now': new Date().toISOString(),
            ':one': 1,
            ...(expected !== undefined && expected !== 0 ? { ':expected': expected } : {}),
          },
          ReturnValues: 'ALL_NEW',
          ...condition,
        }),
      );
      const parsed = storedSpecFromItem(response.Attributes ?? {}, this.options.table);
      if (!parsed.ok) throw new SpecInvalidError(parsed.problem, { poolId });
      return parsed.stored;
    } catch (error: unknown) {
      if (isConditionalCheckFailed(error)) {
        throw new ConcurrentUpdateError(
          `the spec of pool ${poolId} changed since generation ${expected}; re-read it and apply again`,
          { poolId },
          { cause: error },
        );
      }
      throw translateAwsError(error, { poolId });
    }
  }

  async delete(poolId: string): Promise<void> {
    assertPoolId(poolId);
    try {
      await this.documents.send(
        new DeleteCommand({ TableName: this.options.table, Key: { [SpecItemAttribute.poolId]: poolId } }),
      );
    } catch (error: unknown) {
      throw translateAwsError(error, { poolId });
    }
  }

  async list(): Promise<string[]> {
    return (await this.listRefs()).map((ref) => ref.poolId);
  }

  async listRefs(): Promise<StoredSpecRef[]> {
    const refs: StoredSpecRef[] = [];
    try {
      const pages = paginateScan(
        { client: this.documents },
        {
          TableName: this.options.table,
          ProjectionExpression: '#poolId, #generation',
          ExpressionAttributeNames: {
            '#poolId': SpecItemAttribute.poolId,
            '#generation': SpecItemAttribute.generation,
          },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const id = item[SpecItemAttribute.poolId];
          const generation = item[SpecItemAttribute.generation];
          if (typeof id === 'string' && poolIdProblem(id) === undefined)
            refs.push({
              poolId: id,
              source: 'dynamodb',
              location: dynamoDbLocation(this.options.table, id),
              generation:
                typeof generation === 'number'
                  ? generation
                  : typeof generation === 'string'
                    ? Number(generation)
                    : 0,
            });
        }
      }
    } catch (error: unknown) {
      throw translateAwsError(error);
    }
    return refs.sort((a, b) => (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : 0));
  }
}

function isAwsErrorNamed(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}
