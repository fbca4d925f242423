/**
 * `npm start` as a user runs it, next to a stack it must not touch. A sandbox of "another checkout"
 * runs first, with a world of its own; then:
 * - `npm start` told to use that sandbox's port refuses, names the holder and the command to run;
 * - `npm start` on free ports brings the example pool to Ready through serverless-offline, then
 *   stops when its own sandbox is reset under it (saying so once);
 * - SIGINT to the `npm` process stops everything it started;
 * and the other checkout's sandbox is still the same process, with exactly its own world.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import {
  findFreePort,
  probeSandbox,
  type SandboxHandle,
  sandboxEndpoint,
  startSandbox,
} from '../../../infra/sandbox/sandbox-process';
import { createAwsClients } from '../../../lib/aws/client-factory';

jest.setTimeout(300_000);

const PROJECT_ROOT = join(__dirname, '../../..');
let other: SandboxHandle;

beforeAll(async () => {
  other = await startSandbox({
    port: await findFreePort(),
    reuseRunning: false,
    exitWithParent: true,
    readyTimeoutMs: 120_000,
    logFile: join(PROJECT_ROOT, '.sandbox', 'other-checkout.log'),
  });
  await otherClients().s3.send(new CreateBucketCommand({ Bucket: 'other-checkout-world' }));
});

afterAll(async () => other?.stop());

function otherClients() {
  return createAwsClients({ region: 'us-east-1', endpoint: other.endpoint, maxAttempts: 1 });
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const childEnv = { ...env };
  delete childEnv.AWS_ENDPOINT_URL;
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
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

const tsx = join(PROJECT_ROOT, 'node_modules/.bin/tsx');

it('refuses a sandbox port another checkout holds, naming the holder and the command to run', async () => {
  const started = run(tsx, ['infra/scripts/start.ts', '--exit-when-ready'], {
    ...process.env,
    SANDBOX_PORT: String(other.port),
  });
  expect(await started.exited).toBe(1);
  expect(started.output()).toContain(
    `Port ${other.port} (SANDBOX_PORT, sandbox) is held by an enclave-pools sandbox this npm start did not start, pid ${other.pid}`,
  );
  expect(started.output()).toMatch(/\n {2}SANDBOX_PORT=\d+ npm start\n/);
});

it('runs beside it on free ports to Ready, and stops once, with advice, when its sandbox is reset', async () => {
  const sandboxPort = await findFreePort();
  const lambdaPort = await findFreePort();
  const started = run(tsx, ['infra/scripts/start.ts'], {
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
  expect(output).toMatch(
    /my-node-pool: Ready=True {2}SpecValid=True {2}LaunchTemplateReady=True {2}EKSNodegroupReady=True/,
  );
  // The functions ran with their own roles' keys, and the sandbox evaluated their calls against the
  // packaged roles, refusing none.
  expect(output).toMatch(
    /IAM \(packaged roles, evaluated per call\): \d+ by enclave-pools-dev-reconcile-[^;]*; refused: none/,
  );

  // Someone resets this stack's sandbox: it says so once and stops everything it started.
  await fetch(`${sandboxEndpoint(sandboxPort)}/moto-api/reset`, { method: 'POST' });
  expect(await started.exited).toBe(1);
  const after = started.output().slice(output.length);
  expect(after.match(/was reset under this stack/g)).toHaveLength(1);
  expect(after).toContain('Run `npm start` again');
  await expect(fetch(`${sandboxEndpoint(sandboxPort)}/_sandbox/health`)).rejects.toThrow();
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

it('left the other checkout untouched: same process, only its own world', async () => {
  expect((await probeSandbox(other.endpoint))?.pid).toBe(other.pid);
  const clients = otherClients();
  expect((await clients.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
    'other-checkout-world',
  ]);
  expect((await clients.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
});
