import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured } from '../../../support/run-cli';

const ROOT = join(__dirname, '../../../..');
const POOL = join(ROOT, 'examples/enclave-pool.yaml');
const CORPUS = join(ROOT, 'test/fixtures/workloads');
const env = { KUBERNETES_VERSION: '1.35', NO_COLOR: '1' };

const lint = (...args: string[]) => runCliCaptured(['lint-pods', ...args], { env });

describe('enclave-pools lint-pods', () => {
  it('passes the seed enclave pod against the example pool', async () => {
    const run = await lint('-f', join(CORPUS, 'ok-seed-enclave-pod.yaml'), '--pool-file', POOL);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'pool my-node-pool: m5.xlarge (x86_64, 2 threads per core, guessed from the type name), cpu_count 2, memory_mib 768 → 384 × 2 MiB pages (hugepages-2Mi: 768Mi), at most 1 enclave per node',
    );
    expect(run.stdout).toMatch(
      /ok-seed-enclave-pod\.yaml: fits pool my-node-pool \(1 enclave workload checked, 0 errors, 0 warnings\)/,
    );
  });

  it('flags a mismatch with its rule, path and fix, and exits 1', async () => {
    const run = await lint('-f', join(CORPUS, 'bad-hugepage-size-1gi-on-2mi-pool.yaml'), '--pool-file', POOL);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'ERROR HugepageSizeMismatch Pod/hugepage-1gi: spec.containers[*].resources.limits.hugepages-1Gi: the pod asks for hugepages-1Gi',
    );
    expect(run.stdout).toContain('ask for hugepages-2Mi instead');
    expect(run.stdout).toContain('does not fit pool my-node-pool');
  });

  it('exits 0 on warnings unless --strict, and reports several files', async () => {
    const warn = join(CORPUS, 'warn-hugepages-mount-path.yaml');
    const ok = join(CORPUS, 'ok-seed-enclave-pod.yaml');
    const relaxed = await lint('-f', warn, '-f', ok, '--pool-file', POOL);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain('WARNING HugepagesMountPath');
    expect(relaxed.stdout).toContain('fits, with warnings');
    expect((await lint('-f', warn, '--pool-file', POOL, '--strict')).code).toBe(1);
  });

  it('prints JSON with the pool facts, what it checked and what it skipped', async () => {
    const run = await lint(
      '-f',
      join(CORPUS, 'ok-tainted-deployment.yaml'),
      '--pool-file',
      POOL,
      '-o',
      'json',
    );
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body.valid).toBe(true);
    expect(body.pool).toMatchObject({
      name: 'my-node-pool',
      memoryMib: 768,
      maxEnclavesPerNode: 1,
      hardwareSource: 'instance-type-name',
    });
    expect(body.files[0]).toMatchObject({
      checked: ['Deployment/payments/signer'],
      skipped: ['Deployment/web', 'Service/signer'],
      findings: [],
    });
  });

  it('reports YAML syntax errors in a workload file as errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lint-pods-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'kind: Pod\nspec: [unclosed\n');
    const run = await lint('-f', file, '--pool-file', POOL);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ERROR YamlSyntax .*broken\.yaml: document 1, line \d+: .*; fix the YAML/);
  });

  it.each([
    [['--pool-file', 'x.yaml'], 'lint-pods needs at least one workload file'],
    [['-f', 'w.yaml'], 'lint-pods needs the pool to check against'],
    [['-f', 'w.yaml', '--pool', 'a', '--pool-file', 'b'], 'give either --pool NAME or --pool-file'],
    [['-f', 'w.yaml', '--pool-file', POOL, '-o', 'xml'], '--output must be "human" or "json"'],
    [
      ['-f', 'w.yaml', '--pool-file', POOL, '--bogus'],
      'unknown option --bogus; the options are -f/--filename, --pool, --pool-file',
    ],
  ])('usage error %p → exit 2', async (args, message) => {
    const run = await lint(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('hint: usage: enclave-pools lint-pods');
  });

  it('says which file it could not read', async () => {
    const run = await lint('-f', '/nonexistent/w.yaml', '--pool-file', POOL);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read /nonexistent/w.yaml: no such file');
  });

  it('refuses an invalid pool spec with its violations', async () => {
    const run = await lint(
      '-f',
      join(CORPUS, 'ok-seed-enclave-pod.yaml'),
      '--pool-file',
      join(ROOT, 'test/fixtures/specs/invalid/allocator-zero-cpus.yaml'),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is invalid, so workloads cannot be checked against it');
    expect(run.stderr).toMatch(/ERROR \w+/);
  });

  it('documents the enclave-size annotations in --help', async () => {
    const run = await lint('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('enclave-pools.aws/enclave-cpu-count');
    expect(run.stdout).toContain('usage: enclave-pools lint-pods -f WORKLOAD.yaml...');
  });
});
