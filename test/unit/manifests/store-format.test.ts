import {
  classifyS3Key,
  extensionForText,
  poolIdFromS3Key,
  poolIdFromStreamRecord,
  poolIdProblem,
  s3KeyForPool,
  storedSpecFromItem,
} from '../../../lib/manifests/store-format';

describe('pool ids', () => {
  it.each([
    ['my-node-pool', undefined],
    ['a', undefined],
    ['p1', undefined],
    ['x'.repeat(63), undefined],
    ['x'.repeat(64), 'at most 63'],
    ['', 'empty'],
    ['My-Pool', 'lower-case'],
    ['my_pool', 'lower-case'],
    ['my.pool', 'lower-case'],
    ['-pool', 'lower-case'],
    ['pool-', 'lower-case'],
  ])('%j', (id, problem) => {
    const found = poolIdProblem(id);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('S3 keys', () => {
  it.each([
    ['pools/my-pool.yaml', 'my-pool'],
    ['pools/my-pool.yml', 'my-pool'],
    ['pools/my-pool.json', 'my-pool'],
    ['pools/my-pool.txt', undefined],
    ['pools/sub/my-pool.yaml', undefined],
    ['other/my-pool.yaml', undefined],
    ['pools/My_Pool.yaml', undefined],
    ['pools/.yaml', undefined],
    ['pools%2Fmy-pool.yaml', 'my-pool'],
  ])('%s → %s', (key, poolId) => {
    expect(poolIdFromS3Key(key, 'pools/')).toBe(poolId);
  });

  it('explains why a key is ignored', () => {
    expect(classifyS3Key('pools/a/b.yaml', 'pools/')).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('sub-folder'),
    });
    expect(classifyS3Key('pools/a.txt', 'pools/')).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('.yaml'),
    });
    expect(classifyS3Key('x/a.yaml', 'pools/')).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('outside'),
    });
  });

  it('works with an empty prefix and builds keys back', () => {
    expect(poolIdFromS3Key('my-pool.yaml', '')).toBe('my-pool');
    expect(s3KeyForPool('my-pool', 'pools/')).toBe('pools/my-pool.yaml');
    expect(s3KeyForPool('my-pool', 'pools/', '.json')).toBe('pools/my-pool.json');
  });

  it('picks the extension of a new object from its content', () => {
    expect(extensionForText('apiVersion: v1')).toBe('.yaml');
    expect(extensionForText('  [ {"kind": "MachinePool"} ]')).toBe('.json');
    expect(extensionForText('\ufeff{"kind": "List"}')).toBe('.json');
  });
});

describe('DynamoDB items and stream records', () => {
  it('turns an item into a StoredSpec', () => {
    expect(storedSpecFromItem({ poolId: 'p', spec: 'text', generation: 7, updatedAt: 'x' }, 'specs')).toEqual(
      {
        ok: true,
        stored: {
          poolId: 'p',
          source: 'dynamodb',
          location: 'dynamodb://specs/p',
          text: 'text',
          generation: 7,
        },
      },
    );
  });

  it('tolerates a missing or odd generation written by other tools', () => {
    const parsed = storedSpecFromItem({ poolId: 'p', spec: 'text' }, 'specs');
    expect(parsed.ok && parsed.stored.generation).toBe(0);
    const odd = storedSpecFromItem({ poolId: 'p', spec: 'text', generation: 'NaN?' }, 'specs');
    expect(odd.ok && odd.stored.generation).toBe(0);
  });

  it.each([
    [{ spec: 'text' }, 'poolId'],
    [{ poolId: 'p' }, 'no string attribute "spec"'],
    [{ poolId: 'p', spec: { M: {} } }, 'found object'],
  ])('refuses %j', (item, problem) => {
    const parsed = storedSpecFromItem(item, 'specs');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(problem);
  });

  it('reads the pool id from a stream record key', () => {
    expect(
      poolIdFromStreamRecord({ eventName: 'REMOVE', dynamodb: { Keys: { poolId: { S: 'my-pool' } } } }),
    ).toBe('my-pool');
    expect(poolIdFromStreamRecord({ dynamodb: { Keys: { poolId: { S: 'Not Valid' } } } })).toBeUndefined();
    expect(poolIdFromStreamRecord({})).toBeUndefined();
  });
});
