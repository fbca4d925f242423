import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { resolveResourceNames } from '../../../lib/config';
import { runPreviewPass } from '../../../lib/preview/preview-pass';
import { runCliCaptured } from '../../support/run-cli';
import { SEED_SPEC, specWith, useReconcileHarness, withMemoryMib } from '../reconcile/reconcile-harness';

const env = { KUBERNETES_VERSION: '1.35', NO_COLOR: '1', RECONCILE_REQUEUE_SECONDS: '1' };
const h = useReconcileHarness();
let dir: string;

function specFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plan-'));
});

async function plan(file: string, ...extra: string[]) {
  h.counter.reset();
  const run = await runCliCaptured(['plan', '-f', file, ...extra], { env, clients: h.clients });
  return { ...run, writes: h.counter.writes() };
}

describe('enclave-pools plan (sandbox)', () => {
  it('for a new pool: creates the template and the node group, no roll, and writes nothing', async () => {
    const run = await plan(specFile('pool.yaml', SEED_SPEC));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toContain('Launch template enclave-pools-my-cluster-my-node-pool: created');
    expect(run.stdout).toMatch(
      /roll: no \(no node group yet: it is created on launch template version 1 with 1 node\)/,
    );
    expect(run.stdout).toContain(
      '1. create launch template enclave-pools-my-cluster-my-node-pool (version 1)',
    );
    expect(run.stdout).toContain('2. create node group my-node-pool on version 1 with 1 node');
    expect(await h.launchTemplateVersions()).toEqual([]);
    expect(await h.statusRow()).toBeUndefined();
  });

  it('after an edit: field and user-data diff against the pinned version, roll yes with its impact', async () => {
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    await h.settle();
    const before = await h.statusRow();

    const edited = specWith([
      ...withMemoryMib(1024),
      ['instanceType: m5.xlarge', 'instanceType: m5.2xlarge'],
    ]);
    const run = await plan(specFile('edited.yaml', edited));
    if (process.env.SHOW_CLI_OUTPUT) process.stderr.write(run.stdout);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toContain('node group pinned to version 1');
    expect(run.stdout).toContain('new version: yes (version 2)');
    expect(run.stdout).toContain('~ InstanceType: "m5.xlarge" → "m5.2xlarge"');
    expect(run.stdout).toMatch(/User data, shell part \(text\/x-shellscript\): changed, \+1 -1 lines/);
    expect(run.stdout).toContain(
      '-sed -i "s/memory_mib:.*/memory_mib: 768/" /etc/nitro_enclaves/allocator.yaml',
    );
    expect(run.stdout).toContain(
      '+sed -i "s/memory_mib:.*/memory_mib: 1024/" /etc/nitro_enclaves/allocator.yaml',
    );
    expect(run.stdout).toContain('User data, NodeConfig (application/node.eks.aws): unchanged');
    expect(run.stdout).toMatch(
      /roll: yes \(the node group runs version 1 and the spec renders a new version 2\)/,
    );
    expect(run.stdout).toMatch(
      /nodes to replace: 1; AZs: eu-west-1[a-c](, eu-west-1[a-c])*; update strategy: DEFAULT; max unavailable: 1/,
    );
    // The allocator's new page size is announced to the Cluster Autoscaler before the roll.
    expect(run.stdout).toMatch(
      /2\. set Cluster Autoscaler tags on Auto Scaling group \S+: k8s\.io\/cluster-autoscaler\/node-template\/resources\/hugepages-1Gi/,
    );
    // ... and the 2 MiB one it no longer reserves is removed (DeleteTags), not "set".
    expect(run.stdout).toMatch(
      /3\. remove Cluster Autoscaler tags from Auto Scaling group \S+: k8s\.io\/cluster-autoscaler\/node-template\/resources\/hugepages-2Mi/,
    );
    expect(run.stdout).toMatch(
      /\d\. roll node group my-node-pool to launch template version 2 \(UpdateNodegroupVersion\)/,
    );

    // Nothing changed in the world: one version, the same status row.
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1]);
    expect(await h.statusRow()).toEqual(before);
  });

  it('for the spec the pool already runs: no new version, no roll', async () => {
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    await h.settle();
    const run = await plan(specFile('same.yaml', SEED_SPEC), '-o', 'json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      roll: false,
      launchTemplate: { newVersion: false, pinnedVersion: 1, changes: [] },
      writes: [],
    });
    expect(report.launchTemplate.userData.map((p: { status: string }) => p.status)).toEqual([
      'unchanged',
      'unchanged',
    ]);
  });

  it('for a label change: the NodeConfig diff (kubelet labels), a config update and a roll', async () => {
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    await h.settle();
    const labelled = specWith([
      [
        '    aws-nitro-enclaves-k8s-dp: enabled\n',
        '    aws-nitro-enclaves-k8s-dp: enabled\n    team: payments\n',
      ],
    ]);
    const run = await plan(specFile('labelled.yaml', labelled));
    if (process.env.SHOW_CLI_OUTPUT) process.stderr.write(run.stdout);
    expect(run.code).toBe(0);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toContain('User data, shell part (text/x-shellscript): unchanged');
    expect(run.stdout).toMatch(
      /User data, NodeConfig \(application\/node\.eks\.aws\): changed, \+1 -1 lines/,
    );
    expect(run.stdout).toContain(
      '+      - --node-labels=aws-nitro-enclaves-k8s-dp=enabled,enclave-pools.aws/pool=my-node-pool,team=payments',
    );
    expect(run.stdout).toContain(
      '  config changes (made by the pass after the update in flight ends):\n  ~ label team=payments',
    );
    expect(run.stdout).toMatch(/roll: yes/);
    expect(run.stdout).toMatch(
      /2\. set Cluster Autoscaler tags on Auto Scaling group \S+: k8s\.io\/cluster-autoscaler\/node-template\/label\/team/,
    );
    expect(run.stdout).toContain(
      '3. roll node group my-node-pool to launch template version 2 (UpdateNodegroupVersion)',
    );
    expect(run.stdout).toContain(
      'then: update node group my-node-pool config: labels (UpdateNodegroupConfig, once the update in flight ends)',
    );
  });

  it('previews a deletion: node group first, no AWS write', async () => {
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    await h.settle();
    h.counter.reset();
    const preview = await runPreviewPass('my-node-pool', undefined, h.deps);
    expect(h.counter.writes()).toEqual([]);
    expect(preview.writes.map((w) => w.kind)).toEqual(['DeleteNodegroup']);
    expect(preview.outcome).toMatchObject({ kind: 'requeue' });
    expect(preview.next?.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False' });
  });

  it('reports a live rule violation as a problem and exits 1', async () => {
    const run = await plan(
      specFile('t3.yaml', specWith([['instanceType: m5.xlarge', 'instanceType: t3.large']])),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('The reconciler would stop here:');
    expect(run.stdout).toMatch(/t3\.large/);
    expect(run.writes).toEqual([]);
  });

  it('refuses an offline-invalid file before any AWS call', async () => {
    const run = await plan(specFile('bad.yaml', SEED_SPEC.replace('memory_mib: 768', 'memory_mib: lots')));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is invalid; fix the errors above, nothing was planned');
  });

  it('exits 1 and names what it could not read when the status table is missing, instead of "matches this spec"', async () => {
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    await h.settle();
    h.counter.reset();

    const run = await runCliCaptured(['plan', '-f', specFile('pool.yaml', SEED_SPEC)], {
      env: { ...env, STATUS_TABLE: 'enclave-pools-missing-status' },
      clients: h.clients,
    });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: plan could not read the deployment: StatusTableUnreadable: .*enclave-pools-missing-status/m,
    );
    expect(run.stderr).toContain('nothing was planned');
    expect(h.counter.writes()).toEqual([]);
  });

  it.each([
    ['spec bucket', 'NoSuchBucket'],
    ['spec table', 'ResourceNotFoundException'],
  ])('exits 1 and names the %s when it is missing (%s), instead of planning', async (what) => {
    const names = resolveResourceNames();
    if (what === 'spec bucket')
      await h.clients.s3.send(new DeleteBucketCommand({ Bucket: names.specBucket }));
    else await h.clients.dynamodb.send(new DeleteTableCommand({ TableName: names.specTable }));
    const missing = what === 'spec bucket' ? names.specBucket : names.specTable;
    const code = what === 'spec bucket' ? 'NoSuchBucket' : 'ResourceNotFoundException';

    const run = await plan(specFile('pool.yaml', SEED_SPEC));

    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        `error: plan could not read the deployment: ${what} ${missing} does not exist (${code}); nothing was planned. ` +
        'The deployment is not on this endpoint under these names: deploy it (npx osls deploy --stage STAGE) or, on the sandbox, run `npm start`. ' +
        'Check the resource names (STAGE, STATUS_TABLE, SPEC_BUCKET, SPEC_TABLE), the endpoint (AWS_ENDPOINT_URL) and the credentials\n',
      writes: [],
    });
  });
});
