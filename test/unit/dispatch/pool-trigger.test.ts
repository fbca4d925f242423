import { parsePoolTrigger, TriggerKind, triggerFacts } from '../../../lib/dispatch/pool-trigger';

const context = {
  specBucket: 'specs',
  poolIdFromKey: (key: string) => /^pools\/([a-z0-9-]+)\.yaml$/.exec(key)?.[1],
};

const s3Event = (bucket: string, key: unknown, detailType = 'Object Created') =>
  JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': detailType,
    source: 'aws.s3',
    detail: { bucket: { name: bucket }, object: { key }, reason: 'ObjectCreated' },
  });

describe('parsePoolTrigger', () => {
  it.each([
    [
      'an S3 create',
      s3Event('specs', 'pools/blue.yaml'),
      { poolId: 'blue', kind: TriggerKind.SpecObject, location: 's3://specs/pools/blue.yaml' },
    ],
    [
      'an S3 delete',
      s3Event('specs', 'pools/blue.yaml', 'Object Deleted'),
      { poolId: 'blue', kind: TriggerKind.SpecObject, location: 's3://specs/pools/blue.yaml' },
    ],
    [
      'a spec-table pipe event',
      JSON.stringify({
        source: 'enclave-pools.spec-table',
        'detail-type': 'Pool Spec Changed',
        detail: { poolId: 'green', eventName: 'MODIFY' },
      }),
      { poolId: 'green', kind: TriggerKind.SpecItem },
    ],
    [
      'a resync message',
      JSON.stringify({ poolId: 'red', trigger: 'resync' }),
      { poolId: 'red', kind: 'resync' },
    ],
    [
      'a resync message carrying the hourly drift check',
      JSON.stringify({ poolId: 'red', trigger: 'resync', driftCheck: true }),
      { poolId: 'red', kind: 'resync', driftCheck: true },
    ],
    [
      'a drift check on anything but a resync (ignored: only the sweep schedules it)',
      JSON.stringify({ poolId: 'red', trigger: 'requeue', driftCheck: true }),
      { poolId: 'red', kind: 'requeue' },
    ],
    [
      'a requeue message with its token',
      JSON.stringify({ poolId: 'red', trigger: 'requeue', requeueToken: 't-1' }),
      { poolId: 'red', kind: 'requeue', requeueToken: 't-1' },
    ],
  ])('reads %s', (_name, body, expected) => {
    expect(parsePoolTrigger(body, context)).toEqual({ trigger: expected });
  });

  it.each([
    ['non-JSON', 'not json', 'body is not JSON'],
    ['a JSON array', '[1,2]', 'body is not a JSON object'],
    ['another bucket', s3Event('other', 'pools/blue.yaml'), 'object event from another bucket (other)'],
    ['an S3 event without a key', s3Event('specs', 42), 'S3 event without an object key'],
    [
      'a pipe event without a pool id',
      JSON.stringify({ source: 'enclave-pools.spec-table', detail: {} }),
      'spec-table event without a poolId',
    ],
    ['an unknown trigger', JSON.stringify({ poolId: 'x', trigger: 'explode' }), 'unknown trigger explode'],
    ['an empty object', '{}', 'message names no pool'],
  ])('ignores %s with a reason', (_name, body, reason) => {
    expect(parsePoolTrigger(body, context)).toEqual({ ignored: reason });
  });

  it.each([
    [
      'a spec object whose key is no pool',
      s3Event('specs', 'docs/readme.md'),
      'spec object s3://specs/docs/readme.md cannot be a pool',
    ],
    [
      'a path-traversal pool id',
      JSON.stringify({ poolId: '../../etc/passwd', trigger: 'resync' }),
      'queue message names pool id "../../etc/passwd"',
    ],
    [
      'a unicode pool id',
      JSON.stringify({ poolId: 'pööl', trigger: 'coalesced' }),
      'lower-case letters, digits and "-"',
    ],
    [
      'a 5,000-character pool id',
      JSON.stringify({ poolId: 'a'.repeat(5000), trigger: 'resync' }),
      '(5000 characters)',
    ],
    [
      'an upper-case spec-table pool id',
      JSON.stringify({ source: 'enclave-pools.spec-table', detail: { poolId: 'Blue' } }),
      'spec-table item names pool id "Blue"',
    ],
  ])('rejects %s, naming the rule', (_name, body, reason) => {
    const parsed = parsePoolTrigger(body, context);
    expect(parsed).toEqual({ rejected: expect.stringContaining(reason) });
  });
});

describe('triggerFacts', () => {
  it('names the spec stores with events of their own, and the drift check', () => {
    expect(
      triggerFacts([
        { poolId: 'a', kind: TriggerKind.SpecObject, location: 's3://specs/pools/a.yaml' },
        { poolId: 'a', kind: TriggerKind.SpecItem },
        { poolId: 'a', kind: TriggerKind.Resync, driftCheck: true },
      ]),
    ).toEqual({
      specEvents: [{ source: 's3', location: 's3://specs/pools/a.yaml' }, { source: 'dynamodb' }],
      driftCheck: true,
    });
    expect(triggerFacts([{ poolId: 'a', kind: TriggerKind.Requeue }])).toEqual({
      specEvents: [],
      driftCheck: false,
    });
  });
});
