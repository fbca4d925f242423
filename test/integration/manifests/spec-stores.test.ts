import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { DynamoDbSpecStore, S3SpecStore } from '../../../lib/aws/spec-stores';
import { resolveRegion } from '../../../lib/config';
import { ConcurrentUpdateError, SpecInvalidError } from '../../../lib/errors';
import { MAX_DOCUMENT_BYTES } from '../../../lib/manifests/store-format';
import { validatePoolSpec } from '../../../lib/manifests/validate-pool-spec';
import { resetSandbox, sandboxClients } from '../../support/sandbox';

const SEED = readFileSync(
  path.join(__dirname, '..', '..', 'fixtures', 'specs', 'valid', 'seed-pool.yaml'),
  'utf8',
);
const BUCKET = 'enclave-pools-test-specs';
const TABLE = 'enclave-pools-test-specs';
const variables = { KUBERNETES_VERSION: '1.35' };

let clients: AwsClients;

beforeEach(async () => {
  await resetSandbox();
  clients = sandboxClients();
});

async function objectKeys(): Promise<string[]> {
  const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
}

/** The object's own write time, which the store reports as the spec's write time (the settle clock). */
async function objectLastModified(key: string): Promise<Date> {
  const head = await clients.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  if (!head.LastModified) throw new Error(`no LastModified on ${key}`);
  return head.LastModified;
}

describe('S3SpecStore', () => {
  let store: S3SpecStore;

  beforeEach(async () => {
    await clients.s3.send(
      new CreateBucketCommand({
        Bucket: BUCKET,
        CreateBucketConfiguration: { LocationConstraint: resolveRegion() as never },
      }),
    );
    store = new S3SpecStore(clients.s3, { bucket: BUCKET, prefix: 'pools/' });
  });

  it('writes <prefix><pool>.yaml, reads it back and validates it under its pool id', async () => {
    const written = await store.put('my-node-pool', SEED);
    expect(await objectKeys()).toEqual(['pools/my-node-pool.yaml']);
    const loaded = await store.load('my-node-pool');
    expect(loaded).toEqual({
      poolId: 'my-node-pool',
      source: 's3',
      location: `s3://${BUCKET}/pools/my-node-pool.yaml`,
      text: SEED,
      generation: written.generation,
      writtenAt: (await objectLastModified('pools/my-node-pool.yaml')).toISOString(),
      sizeBytes: Buffer.byteLength(SEED),
    });
    expect(loaded?.generation).toBeGreaterThan(0);
    // One GetObject at the location the row keeps reads the same spec (the no-op pass's read).
    expect(await store.loadAt('my-node-pool', loaded?.location ?? '')).toEqual(loaded);
    expect(await store.loadAt('my-node-pool', `s3://${BUCKET}/pools/other-pool.yaml`)).toEqual(loaded);
    expect(validatePoolSpec(loaded?.text ?? '', { variables, poolId: 'my-node-pool' }).violations).toEqual(
      [],
    );
  });

  it('overwrites the existing object, whatever its extension', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'pools/my-node-pool.yml', Body: 'old' }),
    );
    await store.put('my-node-pool', SEED);
    expect(await objectKeys()).toEqual(['pools/my-node-pool.yml']);
    expect((await store.load('my-node-pool'))?.text).toBe(SEED);
  });

  it('names a new JSON document .json', async () => {
    await store.put('json-pool', '[{"kind": "MachinePool"}]');
    expect(await objectKeys()).toEqual(['pools/json-pool.json']);
  });

  it('returns undefined for a pool without an object, and lists only pool keys under the prefix', async () => {
    expect(await store.load('nothing-here')).toBeUndefined();
    for (const key of [
      'pools/a.yaml',
      'pools/b.json',
      'pools/notes.txt',
      'pools/sub/c.yaml',
      'other/d.yaml',
      'pools/Bad_Id.yaml',
    ]) {
      await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    }
    expect(await store.list()).toEqual(['a', 'b']);
  });

  it('refuses to guess between two objects for one pool, and delete removes both', async () => {
    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'pools/twice.yaml', Body: 'a' }));
    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'pools/twice.json', Body: 'b' }));
    await expect(store.load('twice')).rejects.toBeInstanceOf(SpecInvalidError);
    await expect(store.put('twice', 'c')).rejects.toThrow(/has 2 spec objects/);
    await store.delete('twice');
    expect(await objectKeys()).toEqual([]);
    expect(await store.load('twice')).toBeUndefined();
  });

  it('reads no more than the limit of an oversized object, which then fails validation as too large', async () => {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'pools/huge.yaml',
        Body: Buffer.alloc(MAX_DOCUMENT_BYTES * 3, 0x61),
      }),
    );
    const loaded = await store.load('huge');
    expect(loaded?.text.length).toBe(MAX_DOCUMENT_BYTES + 1);
    expect(loaded?.sizeBytes).toBe(MAX_DOCUMENT_BYTES * 3);
    // The message states the object's size, not the bytes read.
    const result = validatePoolSpec(loaded?.text ?? '', {
      variables,
      ...(loaded?.sizeBytes !== undefined ? { sizeBytes: loaded.sizeBytes } : {}),
    });
    expect(result.violations.map((v) => [v.rule, v.value])).toEqual([
      ['DocumentTooLarge', MAX_DOCUMENT_BYTES * 3],
    ]);
    expect(result.violations[0]?.message).toContain(
      `the document is ${MAX_DOCUMENT_BYTES * 3} bytes, over the`,
    );
  });

  it('hands binary content to validation, which refuses it as not text', async () => {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'pools/binary.yaml',
        Body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00]),
      }),
    );
    const loaded = await store.load('binary');
    expect(validatePoolSpec(loaded?.text ?? '', { variables }).violations.map((v) => v.rule)).toEqual([
      'DocumentNotText',
    ]);
  });
});

describe('DynamoDbSpecStore', () => {
  let store: DynamoDbSpecStore;

  beforeEach(async () => {
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'poolId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'poolId', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    store = new DynamoDbSpecStore(clients.documents, { table: TABLE });
  });

  async function rawItem(poolId: string) {
    const { Item } = await clients.dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: { poolId: { S: poolId } } }),
    );
    return Item;
  }

  it('stores the text with a generation that every write increments', async () => {
    expect((await store.put('my-node-pool', SEED)).generation).toBe(1);
    expect((await store.put('my-node-pool', SEED.replace('replicas: 1', 'replicas: 2'))).generation).toBe(2);
    const item = await rawItem('my-node-pool');
    expect(item?.generation).toEqual({ N: '2' });
    expect(item?.spec?.S).toContain('replicas: 2');
    expect(item?.updatedAt?.S).toMatch(/^\d{4}-\d\d-\d\dT/);
    const loaded = await store.load('my-node-pool');
    expect(loaded).toMatchObject({
      poolId: 'my-node-pool',
      source: 'dynamodb',
      location: `dynamodb://${TABLE}/my-node-pool`,
      generation: 2,
    });
    expect(validatePoolSpec(loaded?.text ?? '', { variables, poolId: 'my-node-pool' }).spec?.replicas).toBe(
      2,
    );
  });

  it('writes conditionally on the generation and leaves the item alone on conflict', async () => {
    await store.put('p', 'first', { expectedGeneration: 0 });
    await expect(store.put('p', 'again', { expectedGeneration: 0 })).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
    await expect(store.put('p', 'stale', { expectedGeneration: 5 })).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
    expect(await store.put('p', 'second', { expectedGeneration: 1 })).toMatchObject({
      text: 'second',
      generation: 2,
    });
    const item = await rawItem('p');
    expect([item?.spec?.S, item?.generation?.N]).toEqual(['second', '2']);
  });

  it('reads items written by other tools, and refuses one without a spec string', async () => {
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: TABLE, Item: { poolId: { S: 'hand-made' }, spec: { S: SEED } } }),
    );
    expect(await store.load('hand-made')).toMatchObject({ text: SEED, generation: 0 });
    await clients.dynamodb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { poolId: { S: 'as-map' }, spec: { M: { kind: { S: 'MachinePool' } } } },
      }),
    );
    await expect(store.load('as-map')).rejects.toThrow(/no string attribute "spec"/);
  });

  it('lists, deletes and reports absent pools as undefined', async () => {
    await store.put('b-pool', 'x');
    await store.put('a-pool', 'y');
    expect(await store.list()).toEqual(['a-pool', 'b-pool']);
    await store.delete('a-pool');
    await store.delete('never-existed');
    expect(await store.list()).toEqual(['b-pool']);
    expect(await store.load('a-pool')).toBeUndefined();
  });
});
