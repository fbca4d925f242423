/**
 * Two `npm start` in two checkouts, as a user runs them. The first checkout is a copy of this one in
 * a temporary directory (its files copied, node_modules and the sandbox venv linked, so it costs no
 * install); its whole stack (sandbox, functions under serverless-offline, event path, resync
 * schedule) brings the example pool to Ready first. Then, from this checkout:
 * - `npm start` told to use the first's sandbox port, or its functions port, refuses, names the
 *   holder and the command to run, and starts nothing;
 * - `npm start` on free ports brings its own example pool to Ready, with its own functions log,
 *   then stops when its own sandbox is reset under it (saying so once);
 * - SIGINT to the `npm` process stops everything it started;
 * and the first stack is still the same sandbox process with exactly the world it had (VPC, cluster,
 * node groups, launch template versions, instances, buckets and objects, tables and their items),
 * and its functions log was never truncated or rewritten (only appended to).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DescribeTableCommand, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { ListClustersCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { findFreePort, probeSandbox, sandboxEndpoint } from '../../../infra/sandbox/sandbox-process';
import { createAwsClients } from '../../../lib/aws/all-clients';

jest.setTimeout(300_000);

const PROJECT_ROOT = join(__dirname, '../../..');

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = PROJECT_ROOT): Run {
  const childEnv = { ...env };
  delete childEnv.AWS_ENDPOINT_URL;
  const child = spawn(command, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const check of [...waiters]) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // 'close', not 'exit': npm may exit before the process it started has written its last lines to the
  // pipe they share; 'close' comes once every holder of the pipe has gone, so the output is complete.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (text, timeoutMs = 240_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
        const timer = setTimeout(() => reject(new Error(`no ${String(text)} in:\n${output}`)), timeoutMs);
        const check = () => {
          if (!matches()) return;
          clearTimeout(timer);
          resolve();
        };
        waiters.push(check);
        void exited.then(() => {
          if (!matches()) {
            clearTimeout(timer);
            reject(new Error(`exited before ${String(text)}:\n${output}`));
          }
        });
        check();
      }),
  };
}

/**
 * Another checkout of this repository: every tracked (or new, not ignored) file copied with its
 * times, plus the packaged template and the resolved service definitions (so neither is rebuilt);
 * node_modules and the sandbox venv are links to this checkout's, as a second worktree sharing them.
 */
function copyCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-pools-checkout-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file && !file.startsWith('test/') && !file.startsWith('docs/'));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(PROJECT_ROOT, file), join(dir, file), { preserveTimestamps: true });
  }
  cpSync(join(PROJECT_ROOT, '.serverless'), join(dir, '.serverless'), {
    recursive: true,
    preserveTimestamps: true,
  });
  mkdirSync(join(dir, '.sandbox'));
  for (const cached of readdirSync(join(PROJECT_ROOT, '.sandbox')).filter((f) =>
    f.startsWith('service-definition-'),
  )) {
    cpSync(join(PROJECT_ROOT, '.sandbox', cached), join(dir, '.sandbox', cached));
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(PROJECT_ROOT, 'infra/sandbox/.venv'), join(dir, 'infra/sandbox/.venv'));
  return dir;
}

/** Everything a second stack could have created, changed or reset in a sandbox, ids and versions. */
async function worldOf(endpoint: string, region: string) {
  const clients = createAwsClients({ region, endpoint, maxAttempts: 1 });
  const clusters = (await clients.eks.send(new ListClustersCommand({}))).clusters ?? [];
  const nodegroups: string[] = [];
  for (const cluster of clusters) {
    const listed = await clients.eks.send(new ListNodegroupsCommand({ clusterName: cluster }));
    nodegroups.push(...(listed.nodegroups ?? []).map((name) => `${cluster}/${name}`));
  }
  const objects: string[] = [];
  const buckets = ((await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map(
    (b) => b.Name ?? '',
  );
  for (const bucket of buckets) {
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    objects.push(
      ...(listed.Contents ?? []).map((o) => `${bucket}/${o.Key} ${o.ETag} ${o.LastModified?.toISOString()}`),
    );
  }
  const tables = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
  const items: string[] = [];
  for (const table of tables) {
    const keys =
      (await clients.dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table?.KeySchema ?? [];
    const scanned = await clients.dynamodb.send(new ScanCommand({ TableName: table }));
    items.push(
      ...(scanned.Items ?? []).map(
        (item) => `${table} ${keys.map((k) => JSON.stringify(item[k.AttributeName ?? ''])).join(' ')}`,
      ),
    );
  }
  const reservations = (await clients.ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
  return {
    sandboxPid: (await probeSandbox(endpoint))?.pid,
    vpcs: ((await clients.ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId).sort(),
    clusters: clusters.sort(),
    nodegroups: nodegroups.sort(),
    launchTemplates: ((await clients.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [])
      .map((lt) => `${lt.LaunchTemplateName} ${lt.LaunchTemplateId} v${lt.LatestVersionNumber}`)
      .sort(),
    instances: reservations
      .flatMap((r) => (r.Instances ?? []).map((i) => `${i.InstanceId} ${i.State?.Name}`))
      .sort(),
    buckets: buckets.sort(),
    objects: objects.sort(),
    tables: tables.sort(),
    items: items.sort(),
  };
}

const first = {
  dir: '',
  sandboxPort: 0,
  lambdaPort: 0,
  region: '',
  stack: undefined as Run | undefined,
  world: undefined as Awaited<ReturnType<typeof worldOf>> | undefined,
  log: '',
  logFile: () => join(first.dir, '.sandbox', `functions-${first.lambdaPort}.log`),
  endpoint: () => sandboxEndpoint(first.sandboxPort),
};

beforeAll(async () => {
  first.dir = copyCheckout();
  first.sandboxPort = await findFreePort();
  first.lambdaPort = await findFreePort();
  first.stack = run(
    'npm',
    ['start'],
    {
      ...process.env,
      SANDBOX_PORT: String(first.sandboxPort),
      OFFLINE_LAMBDA_PORT: String(first.lambdaPort),
    },
    first.dir,
  );
  await first.stack.waitFor('Press Ctrl-C to stop.');
  first.region = /\n {2}region {7}(\S+)/.exec(first.stack.output())?.[1] ?? '';
  first.world = await worldOf(first.endpoint(), first.region);
  first.log = readFileSync(first.logFile(), 'utf8');
});

afterAll(async () => {
  if (first.stack) {
    first.stack.child.kill('SIGINT');
    await first.stack.exited;
  }
  if (first.dir) rmSync(first.dir, { recursive: true, force: true });
});

it('has the first checkout running as a whole stack, its pool Ready, in its own directory', () => {
  const output = first.stack?.output() ?? '';
  expect(output).toContain(`endpoint     http://127.0.0.1:${first.sandboxPort}`);
  expect(output).toContain(`Functions (serverless-offline) on http://127.0.0.1:${first.lambdaPort}`);
  expect(output).toMatch(/my-node-pool is Ready/);
  expect(first.world?.sandboxPid).toEqual(expect.any(Number));
  expect(first.world?.nodegroups).toHaveLength(1);
  // Its functions (serverless-offline on its own port) write their own log, in the first checkout.
  // (The banner, written before the event path starts: the pass's lines may still be in the
  // stream's buffer when Ready is printed.)
  expect(first.log).toContain(`listening on http://127.0.0.1:${first.lambdaPort}`);
});

it('refuses a sandbox port the first checkout holds, naming the holder and the command to run', async () => {
  const started = run(
    join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
    ['infra/scripts/start.ts', '--exit-when-ready'],
    {
      ...process.env,
      SANDBOX_PORT: String(first.sandboxPort),
    },
  );
  expect(await started.exited).toBe(1);
  expect(started.output()).toContain(
    `Port ${first.sandboxPort} (SANDBOX_PORT, sandbox) is held by an enclave-pools sandbox this npm start did not start, pid ${first.world?.sandboxPid}`,
  );
  expect(started.output()).toContain(`in ${first.dir}`);
  expect(started.output()).toMatch(/\n {2}SANDBOX_PORT=\d+ npm start\n/);
});

it('refuses the functions port the first checkout holds before starting anything', async () => {
  const sandboxPort = await findFreePort();
  const started = run(
    join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
    ['infra/scripts/start.ts', '--exit-when-ready'],
    {
      ...process.env,
      SANDBOX_PORT: String(sandboxPort),
      OFFLINE_LAMBDA_PORT: String(first.lambdaPort),
    },
  );
  expect(await started.exited).toBe(1);
  // The holder is the first checkout's serverless-offline (osls), started in its directory.
  expect(started.output()).toMatch(
    new RegExp(
      `Port ${first.lambdaPort} \\(OFFLINE_LAMBDA_PORT, functions \\(serverless-offline Lambda API\\)\\) is held by another program, pid \\d+ \\([^\\n]*osls[^\\n]*, in ${first.dir}\\)`,
    ),
  );
  expect(started.output()).toMatch(/\n {2}OFFLINE_LAMBDA_PORT=\d+ npm start\n/);
  expect(started.output()).not.toContain('Local AWS sandbox ready');
  await expect(fetch(`${sandboxEndpoint(sandboxPort)}/_sandbox/health`)).rejects.toThrow();
});

it('runs beside it on its own ports and log to Ready, and stops once, with advice, when its sandbox is reset', async () => {
  const sandboxPort = await findFreePort();
  const lambdaPort = await findFreePort();
  const started = run('npm', ['start'], {
    ...process.env,
    SANDBOX_PORT: String(sandboxPort),
    OFFLINE_LAMBDA_PORT: String(lambdaPort),
  });
  await started.waitFor('Press Ctrl-C to stop.');
  const output = started.output();
  expect(output).toContain(`endpoint     http://127.0.0.1:${sandboxPort}`);
  expect(output).toContain(`export AWS_ENDPOINT_URL=http://127.0.0.1:${sandboxPort} AWS_REGION=`);
  expect(output).toContain('AWS_DEFAULT_REGION=');
  expect(output).toContain(`Functions (serverless-offline) on http://127.0.0.1:${lambdaPort}`);
  expect(output).toContain(`.sandbox/functions-${lambdaPort}.log`);
  expect(output).not.toContain(`127.0.0.1:${first.sandboxPort}`);
  expect(output).not.toContain(`127.0.0.1:${first.lambdaPort}`);
  expect(output).toMatch(
    /my-node-pool: Ready=True {2}SpecValid=True {2}LaunchTemplateReady=True {2}EKSNodegroupReady=True/,
  );
  // The functions ran with their own roles' keys, and the sandbox evaluated their calls against the
  // packaged roles, refusing none (the resync's role too, in any order, when its sweep has run:
  // on a loaded machine it can before the pool is Ready).
  expect(output).toMatch(
    /IAM \(packaged roles, evaluated per call\): (?:\d+ by [^,;]+, )*\d+ by enclave-pools-dev-reconcile-[^,;]*(?:, \d+ by [^,;]+)*; refused: none/,
  );
  // Someone resets this stack's sandbox: it says so once and stops everything it started.
  await fetch(`${sandboxEndpoint(sandboxPort)}/moto-api/reset`, { method: 'POST' });
  expect(await started.exited).toBe(1);
  const after = started.output().slice(output.length);
  expect(after.match(/was reset under this stack/g)).toHaveLength(1);
  expect(after).toContain('Run `npm start` again');
  await expect(fetch(`${sandboxEndpoint(sandboxPort)}/_sandbox/health`)).rejects.toThrow();
  await expect(fetch(`http://127.0.0.1:${lambdaPort}/`)).rejects.toThrow();
  // Its functions wrote their own log, in this checkout, for its own port; not into the first's.
  const ownLog = readFileSync(join(PROJECT_ROOT, '.sandbox', `functions-${lambdaPort}.log`), 'utf8');
  expect(ownLog).toContain(`listening on http://127.0.0.1:${lambdaPort}`);
  expect(readFileSync(first.logFile(), 'utf8')).not.toContain(`127.0.0.1:${lambdaPort}`);
});

it('stops everything it started when the npm process gets SIGINT', async () => {
  const sandboxPort = await findFreePort();
  const started = run('npm', ['start'], { ...process.env, SANDBOX_PORT: String(sandboxPort) });
  await started.waitFor('Local AWS sandbox ready');
  started.child.kill('SIGINT');
  await started.exited;
  expect(started.output()).toContain('SIGINT: stopping');
  await expect(fetch(`${sandboxEndpoint(sandboxPort)}/_sandbox/health`)).rejects.toThrow();
});

it('left the first checkout untouched: same sandbox process, exactly its own world, its log only appended to', async () => {
  expect(await worldOf(first.endpoint(), first.region)).toEqual(first.world);
  // Still running: the second stack's refusals, run and reset did not stop it.
  expect(first.stack?.child.exitCode).toBeNull();
  const log = readFileSync(first.logFile(), 'utf8');
  expect(log.startsWith(first.log)).toBe(true);
});
