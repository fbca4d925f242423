import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'yaml';
import { AwsCallCounter } from '../../../infra/local/aws-call-counter';
import { STATUS_SCAN_SEGMENTS } from '../../../lib/aws/status-table-reader';
import { resolveResourceNames } from '../../../lib/config';
import { reconcile } from '../../../lib/reconcile';
import { unreadableRowMessage } from '../../../lib/status/status-row-check';
import { runCliCaptured } from '../../support/run-cli';
import { SEED_SPEC, useReconcileHarness } from '../reconcile/reconcile-harness';

const CORPUS = join(__dirname, '../../fixtures/workloads');
const h = useReconcileHarness();

function cli(argv: string[], options: { prompt?: string | undefined; tty?: boolean } = {}) {
  return runCliCaptured(argv, {
    env: { NO_COLOR: '1' },
    clients: h.clients,
    ...('prompt' in options ? { services: { prompt: async () => options.prompt } } : {}),
  });
}

async function reconciledPool(): Promise<void> {
  await h.s3Specs.put('my-node-pool', SEED_SPEC);
  await h.settle();
}

describe('get / describe (sandbox)', () => {
  it('says there are no pools yet, and that an unknown pool is not found', async () => {
    const empty = await cli(['get', 'pools']);
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderr).toContain('no pools found; create one with "enclave-pools apply -f POOL.yaml"');
    const unknown = await cli(['describe', 'pool', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('pool nope not found (no spec and no status)');
    expect((await cli(['get', 'pools', 'nope'])).code).toBe(1);
  });

  it('describes a reconciled pool in YAML with its conditions as objects', async () => {
    await reconciledPool();
    const run = await cli(['describe', 'pool', 'my-node-pool', '-o', 'yaml']);
    expect(run.code).toBe(0);
    const description = parse(run.stdout);
    expect(description).toMatchObject({
      name: 'my-node-pool',
      cluster: 'my-cluster',
      ready: 'True',
      launchTemplate: { name: 'enclave-pools-my-cluster-my-node-pool', pinnedVersion: 1 },
      nodegroupDetail: { status: 'ACTIVE' },
    });
    expect(
      description.conditions.find((c: { type: string }) => c.type === 'EKSNodegroupReady'),
    ).toMatchObject({
      status: 'True',
      reason: 'NodegroupActive',
    });
    expect(description.history.map((e: { event: string }) => e.event)).toContain('NodegroupCreated');
  });
});

describe('delete (sandbox)', () => {
  it('asks on a terminal and keeps the pool on "no"', async () => {
    await reconciledPool();
    const run = await cli(['delete', 'my-node-pool'], { prompt: 'n' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('not deleted\n');
    expect(await h.s3Specs.load('my-node-pool')).toBeDefined();
  });

  it('deletes the spec on "yes" and names what the reconciler removes next', async () => {
    await reconciledPool();
    const run = await cli(['delete', 'pool', 'my-node-pool'], { prompt: 'yes' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'the reconciler now deletes node group my-node-pool (1 node) and launch template enclave-pools-my-cluster-my-node-pool',
    );
    expect(await h.s3Specs.load('my-node-pool')).toBeUndefined();
    // The status row stays until the reconcile has removed the resources.
    expect((await h.statusRow())?.deleted).toBe(false);
    const again = await cli(['delete', 'my-node-pool', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('has no spec any more; the reconciler is deleting its resources');
  });

  it('refuses without a terminal unless --yes (exit 2), and says not found for an unknown pool', async () => {
    await reconciledPool();
    const refused = await cli(['delete', 'my-node-pool'], { prompt: undefined });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'there is no terminal to ask on; pass --yes to delete pool my-node-pool',
    );
    expect(await h.s3Specs.load('my-node-pool')).toBeDefined();
    const unknown = await cli(['delete', 'nope', '--yes']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('pool nope not found');
  });
});

describe('workload helpers against a stored pool (sandbox)', () => {
  it('lint-pods --pool reads the spec from the store and the instance type from EC2', async () => {
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    const ok = await cli([
      'lint-pods',
      '-f',
      join(CORPUS, 'ok-seed-enclave-pod.yaml'),
      '--pool',
      'my-node-pool',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      'pool my-node-pool: m5.xlarge (x86_64, 2 threads per core), cpu_count 2, memory_mib 768',
    );
    const bad = await cli([
      'lint-pods',
      '-f',
      join(CORPUS, 'bad-enclave-count-exceeds-pool.yaml'),
      '--pool',
      'my-node-pool',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('ERROR EnclaveCountExceedsPool');
    const missing = await cli([
      'lint-pods',
      '-f',
      join(CORPUS, 'ok-seed-enclave-pod.yaml'),
      '--pool',
      'nope',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('pool nope has no spec in s3://');
  });

  it('manifests device-plugin --pool prints the DaemonSet for the stored pool', async () => {
    await h.dynamoSpecs.put('my-node-pool', SEED_SPEC);
    const run = await cli(['manifests', 'device-plugin', '--pool', 'my-node-pool']);
    expect(run.code).toBe(0);
    const ds = parse(run.stdout);
    expect(ds.spec.template.spec.nodeSelector['enclave-pools.aws/pool']).toBe('my-node-pool');
    expect(run.stdout).not.toContain('guessed from the instance type name');
  });
});

describe('manifests pod against a stored pool (sandbox)', () => {
  it('prints a workload for the stored pool that lint-pods --pool accepts with no finding', async () => {
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    const snippet = await cli(['manifests', 'pod', '--pool', 'my-node-pool']);
    expect([snippet.code, snippet.stderr]).toEqual([0, '']);
    const dir = mkdtempSync(join(tmpdir(), 'manifests-pod-'));
    const file = join(dir, 'pod.yaml');
    writeFileSync(file, snippet.stdout);
    const lint = await cli(['lint-pods', '-f', file, '--pool', 'my-node-pool', '--strict']);
    rmSync(dir, { recursive: true, force: true });
    expect(lint.code).toBe(0);
    expect(lint.stdout).toContain(
      `${file}: fits pool my-node-pool (1 enclave workload checked, 0 errors, 0 warnings)`,
    );
  });
});

describe('get pools reads specs only where the status rows cannot tell', () => {
  it('lists reconciled pools from one projected status scan and the store listings; reads the spec of a pool edited since', async () => {
    const other = SEED_SPEC.replace(/\bmy-node-pool\b/g, 'other-pool');
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    await h.s3Specs.put('other-pool', other);
    await h.settle();
    // Created, then its instances verified on the next pass (EnclavesVerified).
    await reconcile('other-pool', h.deps);
    await reconcile('other-pool', h.deps);

    // The CLI's own calls (h.counter counts the reconciler's clients).
    const counter = new AwsCallCounter(h.clients);
    const listed = await cli(['get', 'pools']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^my-node-pool\s+my-cluster\s+m5\.xlarge\s+2 CPU, 768 MiB\s+1\s+ACTIVE\s+True/m,
    );
    expect(listed.stdout).toMatch(
      /^other-pool\s+my-cluster\s+m5\.xlarge\s+2 CPU, 768 MiB\s+1\s+ACTIVE\s+True/m,
    );
    // Four status-table segments, one spec-table scan, one S3 listing; no spec read.
    expect(counter.summary()).toEqual({ Scan: STATUS_SCAN_SEGMENTS + 1, ListObjectsV2: 1 });

    // Edited after its reconcile: the row is of another generation, so that one spec is read.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await h.s3Specs.put('other-pool', other.replace('memory_mib: 768', 'memory_mib: 1024'));
    counter.reset();
    const edited = await cli(['get', 'pools']);
    expect(edited.stdout).toMatch(
      /^other-pool\s+my-cluster\s+m5\.xlarge\s+2 CPU, 1024 MiB\s+1\s+ACTIVE\s+Unknown \(NewGenerationPending\)/m,
    );
    expect(counter.summary()).toEqual({
      Scan: STATUS_SCAN_SEGMENTS + 1,
      // The listing, then the spec load's own lookup of the pool's object.
      ListObjectsV2: 2,
      GetObject: 1,
      // The spec load checks the other store too (a pool in two stores is a conflict).
      GetItem: 1,
    });
  });
});

describe('get pools with an unreadable pool (sandbox)', () => {
  it('shows the pool whose DynamoDB item holds spec as a map as a row with its error, and lists the others', async () => {
    await reconciledPool();
    await h.clients.documents.send(
      new PutCommand({
        TableName: resolveResourceNames().specTable,
        Item: { poolId: 'broken-pool', spec: { not: 'a string' }, generation: 1 },
      }),
    );

    const listed = await cli(['get', 'pools']);

    expect(listed.stdout).toMatch(
      /^my-node-pool\s+my-cluster\s+m5\.xlarge\s+2 CPU, 768 MiB\s+1\s+ACTIVE\s+True/m,
    );
    expect(listed.stdout).toMatch(/^broken-pool\s.*False \(SpecUnreadable\)/m);
    expect(listed.stderr).toBe(
      'error: pool broken-pool could not be read: dynamodb://enclave-pools-dev-specs/broken-pool: the item for pool "broken-pool" has no string attribute "spec" (found object); store the YAML or JSON text as a string\n',
    );
    expect(listed.code).toBe(1);
    // -o json lists both as well.
    const json = await cli(['get', 'pools', '-o', 'json']);
    expect(parse(json.stdout).items.map((p: { name: string }) => p.name)).toEqual([
      'broken-pool',
      'my-node-pool',
    ]);
  });
});

describe('get pools / describe with a status item that is not a status row (sandbox)', () => {
  const table = resolveResourceNames().statusTable;
  const base = {
    deleted: false,
    revision: 1,
    updatedAt: '2026-12-01T10:00:00.000Z',
    outcome: { kind: 'done' },
    history: [],
  };
  // Put by hand: JSON text where the list of conditions belongs, a row with fields missing, a
  // number stored as a string.
  const broken = [
    {
      item: { ...base, poolId: 'json-pool', conditions: '[{"type":"Ready",' },
      problem: 'conditions is a string ("[{\\"type\\":\\"Ready\\","), not a list',
    },
    { item: { poolId: 'partial-pool', deleted: false }, problem: 'conditions is missing' },
    {
      item: { ...base, poolId: 'typed-pool', conditions: [], observedGeneration: '3' },
      problem: 'observedGeneration is a string ("3"), not a number',
    },
  ];

  it('lists each such pool as a row with its error, and the others as usual; exit 1', async () => {
    await reconciledPool();
    for (const { item } of broken)
      await h.clients.documents.send(new PutCommand({ TableName: table, Item: item }));

    const listed = await cli(['get', 'pools']);

    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(
      /^my-node-pool\s+my-cluster\s+m5\.xlarge\s+2 CPU, 768 MiB\s+1\s+ACTIVE\s+True/m,
    );
    for (const { item } of broken)
      expect(listed.stdout).toMatch(new RegExp(`^${item.poolId}\\s.*False \\(StatusRowUnreadable\\)`, 'm'));
    expect(listed.stderr).toBe(
      broken
        .map(
          ({ item, problem }) =>
            `error: pool ${item.poolId} could not be read: ${unreadableRowMessage(table, item.poolId, [problem])}\n`,
        )
        .join(''),
    );
    expect(listed.stderr).toContain(
      `status table ${table}, item poolId=json-pool is not a status row: conditions is a string`,
    );
    expect(listed.stderr).toContain(
      `aws dynamodb delete-item --table-name ${table} --key '{"poolId":{"S":"typed-pool"}}'`,
    );
    const json = await cli(['get', 'pools', '-o', 'json']);
    expect(json.code).toBe(1);
    expect(
      parse(json.stdout).items.map((p: { name: string; readyReason: string }) => [p.name, p.readyReason]),
    ).toEqual([
      ['json-pool', 'StatusRowUnreadable'],
      ['my-node-pool', 'Ready'],
      ['partial-pool', 'StatusRowUnreadable'],
      ['typed-pool', 'StatusRowUnreadable'],
    ]);
  });

  it('describe names the table, the key, what is wrong and the fix; exit 1', async () => {
    await h.clients.documents.send(new PutCommand({ TableName: table, Item: broken[0]?.item }));

    const described = await cli(['describe', 'pool', 'json-pool']);

    expect(described).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: pool json-pool could not be described: ${unreadableRowMessage(table, 'json-pool', [broken[0]?.problem ?? ''])}\n`,
    });
    expect((await cli(['get', 'pools', 'json-pool'])).stdout).toMatch(
      /^json-pool\s.*False \(StatusRowUnreadable\)/m,
    );
  });

  it('a pass of that pool ends terminal with the same words, one read and no write', async () => {
    await h.clients.documents.send(new PutCommand({ TableName: table, Item: broken[2]?.item }));
    h.counter.reset();

    const outcome = await reconcile('typed-pool', h.deps);

    expect(outcome).toEqual({
      kind: 'terminal',
      reason: 'StatusTableUnreadable',
      message: unreadableRowMessage(table, 'typed-pool', [broken[2]?.problem ?? '']),
    });
    expect(h.counter.summary()).toEqual({ GetItem: 1 });
    expect(
      (await h.clients.documents.send(new GetCommand({ TableName: table, Key: { poolId: 'typed-pool' } })))
        .Item,
    ).toEqual(broken[2]?.item);
  });
});
