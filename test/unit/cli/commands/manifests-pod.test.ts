import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';
import { runCli } from '../../../../lib/cli/main';
import { captureIo, noAwsServices } from '../cli-test-io';

const ROOT = join(__dirname, '../../../..');
const DEVICE_PLUGIN_POOL = join(ROOT, 'examples/enclave-pool.yaml');
const SANDBOX_POOL = join(ROOT, 'examples/nitro-sandbox-pool.yaml');
const env = { KUBERNETES_VERSION: '1.35' };

async function cli(args: string[], stdin?: string) {
  const io = captureIo(env);
  const code = await runCli(
    args,
    stdin === undefined ? io : { ...io, stdin: Readable.from([stdin]) },
    noAwsServices(),
  );
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('enclave-pools manifests pod', () => {
  it('prints a Deployment for a device-plugin pool: enclave device, hugepages at /dev/hugepages, node selector', async () => {
    const run = await cli(['manifests', 'pod', '--pool-file', DEVICE_PLUGIN_POOL]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const deployment = parse(run.stdout);
    const pod = deployment.spec.template.spec;
    expect(deployment.kind).toBe('Deployment');
    expect(pod.nodeSelector).toEqual({
      'aws-nitro-enclaves-k8s-dp': 'enabled',
      'enclave-pools.aws/pool': 'my-node-pool',
    });
    const resources = {
      'aws.ec2.nitro/nitro_enclaves': '1',
      'hugepages-2Mi': '768Mi',
      cpu: '250m',
      memory: '256Mi',
    };
    expect(pod.containers[0].resources).toEqual({ requests: resources, limits: resources });
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'hugepages', mountPath: '/dev/hugepages' }]);
    expect(pod.volumes).toEqual([{ name: 'hugepages', emptyDir: { medium: 'HugePages-2Mi' } }]);
    expect(pod.containers[0].command[2]).toBe(
      'nitro-cli run-enclave --cpu-count 2 --memory 768 --eif-path /app/enclave.eif && sleep infinity',
    );
  });

  it.each([
    ['device-plugin', DEVICE_PLUGIN_POOL],
    ['nitro-sandbox', SANDBOX_POOL],
  ])('%s: its output piped into lint-pods -f - gives no findings', async (_mode, pool) => {
    const snippet = await cli([
      'manifests',
      'pod',
      '--pool-file',
      pool,
      '--image',
      'registry.example.com/app:2',
    ]);
    expect(snippet.code).toBe(0);
    const lint = await cli(
      ['lint-pods', '-f', '-', '--pool-file', pool, '--strict', '-o', 'json'],
      snippet.stdout,
    );
    expect(lint.code).toBe(0);
    const report = JSON.parse(lint.stdout);
    expect(report.files).toEqual([
      {
        file: '-',
        checked: [expect.stringMatching(/^Deployment\//)],
        skipped: [],
        yamlErrors: [],
        findings: [],
      },
    ]);
  });

  it('prints the runtime class and no device-plugin resource for a nitro-sandbox pool', async () => {
    const run = await cli(['manifests', 'pod', '--pool-file', SANDBOX_POOL, '--name', 'agent']);
    expect(run.code).toBe(0);
    const pod = parse(run.stdout).spec.template.spec;
    expect(pod.runtimeClassName).toBe('isolated-sandbox');
    expect(pod.nodeSelector).toEqual({ 'enclave-pools.aws/pool': 'sandbox-pool' });
    expect(pod.containers[0].name).toBe('agent');
    expect(JSON.stringify(pod)).not.toContain('aws.ec2.nitro');
    expect(pod.hostNetwork).toBeUndefined();
  });

  it('needs a pool', async () => {
    const run = await cli(['manifests', 'pod']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'manifests pod needs the pool it is for: --pool NAME or --pool-file SPEC.yaml',
    );
  });
});
