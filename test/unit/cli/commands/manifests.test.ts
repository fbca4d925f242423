import { join } from 'node:path';
import { parse } from 'yaml';
import { runCliCaptured } from '../../../support/run-cli';

const ROOT = join(__dirname, '../../../..');
const POOL = join(ROOT, 'examples/enclave-pool.yaml');
const env = { KUBERNETES_VERSION: '1.35' };

describe('enclave-pools manifests device-plugin', () => {
  it('prints the DaemonSet for the pool, sized to what its allocator runs', async () => {
    const run = await runCliCaptured(['manifests', 'device-plugin', '--pool-file', POOL], { env });
    expect(run.code).toBe(0);
    const ds = parse(run.stdout);
    expect(ds.kind).toBe('DaemonSet');
    expect(ds.metadata.name).toBe('aws-nitro-enclaves-k8s-daemonset-my-node-pool');
    expect(ds.spec.template.spec.nodeSelector).toEqual({
      'aws-nitro-enclaves-k8s-dp': 'enabled',
      'enclave-pools.aws/pool': 'my-node-pool',
    });
    expect(ds.spec.template.spec.containers[0].env).toEqual([{ name: 'MAX_ENCLAVES_PER_NODE', value: '1' }]);
    expect(run.stdout).toContain('# MAX_ENCLAVES_PER_NODE=1: what pool my-node-pool');
  });

  it('prints the plugin defaults without a pool, and honours the overrides', async () => {
    const run = await runCliCaptured(
      ['manifests', 'device-plugin', '--max-enclaves', '2', '--namespace', 'enclaves', '--cpu-advertisement'],
      { env },
    );
    expect(run.code).toBe(0);
    const ds = parse(run.stdout);
    expect(ds.metadata.namespace).toBe('enclaves');
    expect(ds.spec.template.spec.containers[0].env).toEqual([
      { name: 'MAX_ENCLAVES_PER_NODE', value: '2' },
      { name: 'ENCLAVE_CPU_ADVERTISEMENT', value: 'true' },
    ]);
  });

  it.each([
    [[], 'manifests needs a kind: device-plugin'],
    [['helm-chart'], '"helm-chart" is not a manifest kind'],
    [['device-plugin', 'extra'], 'unexpected argument "extra"'],
    [['device-plugin', '--max-enclaves', '9'], '--max-enclaves must be a whole number from 1 to 4'],
  ])('usage error %p → exit 2', async (args, message) => {
    const run = await runCliCaptured(['manifests', ...args], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('refuses an invalid pool spec', async () => {
    const run = await runCliCaptured(
      [
        'manifests',
        'device-plugin',
        '--pool-file',
        join(ROOT, 'test/fixtures/specs/invalid/allocator-zero-cpus.yaml'),
      ],
      { env },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('is invalid; fix it first');
  });
});
