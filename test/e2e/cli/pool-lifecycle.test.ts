/**
 * The CLI against the whole event path on the sandbox: `apply` writes the spec to a store and the
 * event path (EventBridge / pipe → SQS → reconcile handler) does the rest; `get`, `describe`,
 * `watch` and `delete` read and drive what it produced. Assertions read both the CLI's output
 * and the state of the world.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { DescribeNodegroupCommand } from '@aws-sdk/client-eks';
import { launchTemplateName } from '../../../lib/render/resource-names';
import type { StatusRow } from '../../../lib/status/status-row';
import { conditionStatus, startEventPath, type TestEventPath } from '../../support/event-path';
import { quietLogs } from '../../support/quiet-logs';
import { runCliCaptured } from '../../support/run-cli';
import { configureSandbox, failNextRoll, sandboxClients, seedWorld } from '../../support/sandbox';

process.env.SETTLE_SECONDS = '1';
process.env.RECONCILE_REQUEUE_SECONDS = '1';

jest.setTimeout(120000);

const POOL = 'my-node-pool';
const CLUSTER = 'my-cluster';
const EXAMPLE = join(__dirname, '../../../examples/enclave-pool.yaml');
const seedSpec = readFileSync(EXAMPLE, 'utf8');
const env = { NO_COLOR: '1' };
/** SHOW_CLI_OUTPUT=1 prints every command and its output (how docs/cli.md's examples were made). */
async function cli(...argv: string[]) {
  const run = await runCliCaptured(argv, { env });
  if (process.env.SHOW_CLI_OUTPUT) {
    process.stderr.write(
      `$ enclave-pools ${argv.join(' ')}\n${run.stdout}${run.stderr}[exit ${run.code}]\n\n`,
    );
  }
  return run;
}

let path: TestEventPath;
let dir: string;

quietLogs();

beforeEach(async () => {
  await seedWorld();
  await configureSandbox({ rollSeconds: 3, nodegroupCreateSeconds: 1, nodegroupDeleteSeconds: 1 });
  path = await startEventPath();
  dir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
});

afterEach(async () => {
  await path.stop();
  expect(path.errors).toEqual([]);
});

const isReady = (row: StatusRow | undefined) => conditionStatus(row, 'Ready') === 'True';

function file(name: string, text: string): string {
  const target = join(dir, name);
  writeFileSync(target, text);
  return target;
}

async function nodegroup() {
  const out = await sandboxClients().eks.send(
    new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: POOL }),
  );
  return out.nodegroup;
}

async function versionNumbers(): Promise<number[]> {
  const out = await sandboxClients().ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: launchTemplateName(CLUSTER, POOL) }),
  );
  return (out.LaunchTemplateVersions ?? []).map((v) => v.VersionNumber ?? 0).sort();
}

describe('enclave-pools CLI through the event path', () => {
  it('apply → get Ready → plan an edit (roll: yes) → apply it → watch the roll → delete', async () => {
    // apply: validated, written to S3, with the next steps
    const applied = await cli('apply', '-f', EXAMPLE);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      /^pool my-node-pool created: s3:\/\/[^ ]+\/pools\/my-node-pool\.yaml \(generation \d+\)$/m,
    );
    expect(applied.stdout).toContain(
      '1. create launch template enclave-pools-my-cluster-my-node-pool (version 1)',
    );
    expect(applied.stdout).toContain('2. create node group my-node-pool on version 1 with 1 node');

    // get: the event path made it Ready
    await path.waitForStatus(POOL, isReady, { what: 'Ready' });
    const table = await cli('get', 'pools');
    expect(table.code).toBe(0);
    const [header, line] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(
      /^NAME\s+CLUSTER\s+INSTANCE TYPE\s+ENCLAVES\s+PINNED\s+NODEGROUP\s+READY\s+ROLL\s+AGE$/,
    );
    expect(line).toMatch(
      /^my-node-pool\s+my-cluster\s+m5\.xlarge\s+2 CPU, 768 MiB\s+1\s+ACTIVE\s+True\s+-\s+\d+s$/,
    );
    const json = JSON.parse((await cli('get', 'pools', '-o', 'json')).stdout);
    expect(json.items).toHaveLength(1);
    for (const condition of json.items[0].conditions) {
      expect(condition).toEqual(
        expect.objectContaining({
          type: expect.any(String),
          status: expect.stringMatching(/^(True|False|Unknown)$/),
          reason: expect.any(String),
          message: expect.any(String),
        }),
      );
    }
    expect(json.items[0].conditions.map((c: { type: string }) => c.type)).toEqual(
      expect.arrayContaining(['Ready', 'SpecValid', 'LaunchTemplateReady', 'EKSNodegroupReady']),
    );

    // plan an edit: diff and roll yes, nothing written
    const edited = file('edited.yaml', seedSpec.replace('memory_mib: 768', 'memory_mib: 1024'));
    const planned = await cli('plan', '-f', edited);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(
      '+sed -i "s/memory_mib:.*/memory_mib: 1024/" /etc/nitro_enclaves/allocator.yaml',
    );
    expect(planned.stdout).toMatch(/roll: yes/);
    expect(await versionNumbers()).toEqual([1]);

    // apply the edit, then watch the roll to its end
    const reapplied = await cli('apply', '-f', edited);
    expect(reapplied.code).toBe(0);
    expect(reapplied.stdout).toContain('pool my-node-pool configured');
    expect(reapplied.stdout).toMatch(/roll: yes/);
    const watched = await cli('watch', POOL, '--interval', '0.3s', '--timeout', '60s');
    expect(watched.stderr).toBe('');
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('following roll to launch template version 2 of pool my-node-pool');
    expect(watched.stdout).toMatch(/InProgress .*elapsed \d+s/);
    expect(watched.stdout).toMatch(
      /succeeded: roll to launch template version 2 of pool my-node-pool in \d+s/,
    );
    expect(watched.stdout).toContain('pool my-node-pool Ready: True');
    expect((await nodegroup())?.launchTemplate?.version).toBe('2');
    expect(await versionNumbers()).toEqual([1, 2]);

    // describe shows the versions, conditions and the roll in the history
    const described = await cli('describe', 'pool', POOL);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(
      /Launch template:\s+enclave-pools-my-cluster-my-node-pool \(lt-[0-9a-f]+\): pinned v2, target v2, last known good v2/,
    );
    expect(described.stdout).toMatch(/Ready\s+True\s+Ready/);
    expect(described.stdout).toMatch(/RollSucceeded/);

    // delete: the event path removes the node group and the template
    const deleted = await cli('delete', POOL, '--yes', '--wait', '--interval', '0.3s', '--timeout', '60s');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('pool my-node-pool: spec deleted from s3://');
    expect(deleted.stdout).toMatch(/pool my-node-pool deleted \(\d+s\)/);
    await expect(nodegroup()).rejects.toThrow(/No node group found|ResourceNotFound/);
    expect((await path.status(POOL))?.deleted).toBe(true);
    const after = await cli('get', 'pools', POOL);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('pool my-node-pool not found');
  });

  it('applies to the DynamoDB store and refuses to put the pool in a second store', async () => {
    const applied = await cli('apply', '-f', EXAMPLE, '--store', 'dynamodb', '--no-preview');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/pool my-node-pool created: dynamodb:\/\/[^ ]+ \(generation 1\)/);
    const row = await path.waitForStatus(POOL, isReady, { what: 'Ready' });
    expect(row?.specSource).toBe('dynamodb');

    const again = await cli('apply', '-f', EXAMPLE, '--store', 's3');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('pool my-node-pool is already stored at dynamodb://');
    expect((await cli('apply', '-f', EXAMPLE)).stdout).toContain('pool my-node-pool unchanged');

    const described = JSON.parse((await cli('describe', 'pool', POOL, '-o', 'json')).stdout);
    expect(described).toMatchObject({
      name: POOL,
      ready: 'True',
      spec: { source: 'dynamodb', generation: 1 },
    });
  });

  it('watch ends with the failure and its hint when the roll fails', async () => {
    await cli('apply', '-f', EXAMPLE, '--no-preview');
    await path.waitForStatus(POOL, isReady, { what: 'Ready' });
    await failNextRoll(CLUSTER, POOL, 'PodEvictionFailure');
    await cli(
      'apply',
      '-f',
      file('edited.yaml', seedSpec.replace('memory_mib: 768', 'memory_mib: 1024')),
      '--no-preview',
    );

    const watched = await cli('watch', POOL, '--interval', '0.3s', '--timeout', '60s');
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(
      /Failed: roll to launch template version 2 of pool my-node-pool after \d+s/,
    );
    expect(watched.stdout).toContain('PodEvictionFailure');
    expect(watched.stdout).toContain('hint: a PodDisruptionBudget');
  });
});
