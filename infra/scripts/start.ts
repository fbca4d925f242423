/**
 * `npm start`: brings up the local AWS sandbox with the seeded world and keeps it running until
 * Ctrl-C. Later steps of the local event path hook in through startLocalWorld().
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../../lib/aws/all-clients';
import type { AwsClients } from '../../lib/aws/client-factory';
import { S3SpecStore } from '../../lib/aws/spec-stores';
import { resolveRegion, resolveResourceNames } from '../../lib/config';
import { startLocalEventPath } from '../local/event-path';
import { type RunningOffline, startOffline } from '../local/offline';
import { choosePort } from '../local/port-holder';
import { followPoolStatus } from '../local/status-follower';
import {
  DEFAULT_SANDBOX_PORT,
  findFreePort,
  probeSandbox,
  type SandboxHandle,
  startSandbox,
} from '../sandbox/sandbox-process';
import { type SeededWorld, seedWorld } from '../sandbox/seed-world';

const PROJECT_ROOT = join(__dirname, '..', '..');

export const SANDBOX_SERVICES = [
  'EC2',
  'EKS',
  'SSM',
  'S3',
  'DynamoDB',
  'DynamoDB Streams',
  'EventBridge',
  'SQS',
  'STS',
  'IAM',
] as const;

export interface LocalWorld {
  sandbox: SandboxHandle;
  region: string;
  clients: AwsClients;
  world: SeededWorld;
  timings: { sandboxMs: number; seedMs: number; totalMs: number };
  /** Why the sandbox is not on the port that was asked for, if it is not. */
  portNote?: string;
  stop(): Promise<void>;
}

/** Sets the variables the SDK, the CLI and child processes need to talk to the sandbox only. */
function pointEnvironmentAt(endpoint: string, region: string): void {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION = region;
  process.env.AWS_DEFAULT_REGION = region;
  // Sandbox-only credentials: moto accepts any, and real ones must never be sent to it.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  // The sandbox is slower than AWS on a busy laptop; 5 s per call is AWS's budget, not moto's.
  process.env.AWS_REQUEST_TIMEOUT_MS = process.env.AWS_REQUEST_TIMEOUT_MS || '30000';
}

/**
 * Starts a sandbox of its own and seeds it. Never adopts one that already runs: another checkout's
 * stack may be using it, and seeding (or resetting) it would destroy that stack's world.
 */
export async function startLocalWorld(options: { port?: number } = {}): Promise<LocalWorld> {
  const started = Date.now();
  const region = resolveRegion();
  const chosen =
    options.port !== undefined
      ? { port: options.port }
      : await choosePort({
          variable: 'SANDBOX_PORT',
          explicit: process.env.SANDBOX_PORT,
          fallback: DEFAULT_SANDBOX_PORT,
          what: 'sandbox',
        });
  const sandbox = await startSandbox({
    port: chosen.port,
    exitWithParent: true,
    reuseRunning: false,
    env: { AWS_REGION: region },
  });
  const sandboxMs = Date.now() - started;
  try {
    pointEnvironmentAt(sandbox.endpoint, region);
    const clients = createAwsClients({ region, endpoint: sandbox.endpoint });
    const seedStarted = Date.now();
    const world = await seedWorld(clients);
    const seedMs = Date.now() - seedStarted;
    process.env.KUBERNETES_VERSION = process.env.KUBERNETES_VERSION || world.cluster.version;
    return {
      sandbox,
      region,
      clients,
      world,
      timings: { sandboxMs, seedMs, totalMs: Date.now() - started },
      ...(chosen.note ? { portNote: chosen.note } : {}),
      stop: () => sandbox.stop(),
    };
  } catch (error: unknown) {
    await sandbox.stop();
    throw error;
  }
}

export function describeLocalWorld(local: LocalWorld): string {
  const { sandbox, world, region, timings } = local;
  const lines = [
    `Local AWS sandbox ready in ${(timings.totalMs / 1000).toFixed(1)} s ` +
      `(server ${(timings.sandboxMs / 1000).toFixed(1)} s, seeding ${(timings.seedMs / 1000).toFixed(1)} s)`,
    ...(local.portNote ? [local.portNote] : []),
    '',
    `  endpoint     ${sandbox.endpoint}   (log ${sandbox.logFile})`,
    `  region       ${region}`,
    `  services     ${SANDBOX_SERVICES.join(', ')}`,
    `  cluster      ${world.cluster.name}  Kubernetes ${world.cluster.version}  ACTIVE`,
    `               endpoint ${world.cluster.endpoint}`,
    `               service CIDR ${world.cluster.serviceIpv4Cidr}`,
    `  VPC          ${world.vpcId}`,
    ...Object.values(world.subnetsByZone).map(
      (s) => `  subnet       ${s.subnetId}  ${s.zoneName} (${s.zoneId})  ${s.cidrBlock}  private`,
    ),
    ...[world.localZoneSubnet, world.wavelengthZoneSubnet].map(
      (s) =>
        `  subnet       ${s.subnetId}  ${s.zoneName} (${s.zoneType}, parent ${s.parentZoneName}, ${s.optInStatus})  ${s.cidrBlock}`,
    ),
    `  node role    ${world.nodeRoleArn}`,
    `  cluster role ${world.clusterRoleArn}`,
    '  AMI parameters (SSM):',
    ...Object.values(world.amis).flatMap((byArch) =>
      Object.values(byArch).map((ami) => `    ${ami.parameterName} = ${ami.imageId}`),
    ),
    '',
    'Use it from another shell with:',
    `  export AWS_ENDPOINT_URL=${sandbox.endpoint} AWS_REGION=${region} AWS_DEFAULT_REGION=${region}`,
    '  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test',
    `  export KUBERNETES_VERSION=${process.env.KUBERNETES_VERSION}`,
  ];
  return lines.join('\n');
}

/** Where the example pool comes from, and the id it gets (its MachinePool name). */
const EXAMPLE_SPEC = join(PROJECT_ROOT, 'examples', 'enclave-pool.yaml');
const EXAMPLE_POOL = 'my-node-pool';
const READY_TIMEOUT_MS = 120_000;
/** serverless.yml custom.serverless-offline.lambdaPort. */
const DEFAULT_OFFLINE_LAMBDA_PORT = 3002;

interface StartOptions {
  /** Stop everything once the example pool is Ready (exit 0) or the timeout passed (exit 1). */
  exitWhenReady: boolean;
}

/**
 * Errors of the local runners, each distinct message printed once (with a count when it repeats),
 * so a sandbox that goes away cannot flood the terminal.
 */
function onceEach(print: (line: string) => void): (where: string, error: unknown) => void {
  const seen = new Map<string, number>();
  return (where, error) => {
    const line = `${where}: ${error instanceof Error ? error.message : String(error)}`;
    const count = (seen.get(line) ?? 0) + 1;
    seen.set(line, count);
    if (count === 1) print(`  ! ${line}`);
    else if (count === 10) print(`  ! (the error above repeated 10 times; further repeats are not shown)`);
  };
}

/** How often the stack checks that its sandbox is still the one it started, with its world. */
const WATCH_INTERVAL_MS = 3000;

/**
 * Watches the sandbox this stack started: if it stops answering, is replaced by another process,
 * or loses the deployment's tables (someone reset it), calls `lost` once with what happened and
 * what to do.
 */
function watchSandbox(local: LocalWorld, statusTable: string, lost: (message: string) => void): () => void {
  let checking = false;
  let done = false;
  const timer = setInterval(async () => {
    if (checking || done) return;
    checking = true;
    try {
      const health = await probeSandbox(local.sandbox.endpoint, 2000);
      let problem: string | undefined;
      if (!health) {
        problem = `The sandbox on ${local.sandbox.endpoint} (pid ${local.sandbox.pid}) stopped answering.`;
      } else if (health.pid !== local.sandbox.pid) {
        problem = `Port ${local.sandbox.port} is now served by another sandbox (pid ${health.pid}), not the one this npm start started.`;
      } else {
        try {
          await local.clients.dynamodb.send(new DescribeTableCommand({ TableName: statusTable }));
        } catch (error: unknown) {
          if (error instanceof Error && error.name === 'ResourceNotFoundException') {
            problem = `The sandbox on ${local.sandbox.endpoint} was reset under this stack (table ${statusTable} is gone).`;
          }
        }
      }
      if (problem && !done) {
        done = true;
        clearInterval(timer);
        lost(
          `${problem}
npm start stops now, with everything it started. Run \`npm start\` again for a fresh ` +
            'stack; for a second stack beside this one, each needs its own ports (see README, "Two stacks").',
        );
      }
    } finally {
      checking = false;
    }
  }, WATCH_INTERVAL_MS);
  return () => {
    done = true;
    clearInterval(timer);
  };
}

/**
 * The whole product on the sandbox: the resources and the event path built from serverless.yml,
 * then the functions of serverless.yml under serverless-offline (so its resync schedule starts
 * only once the tables exist), then the example pool applied to S3 and followed until Ready.
 */
async function startProduct(options: StartOptions): Promise<void> {
  const started = Date.now();
  const stack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => {});
    stack.length = 0;
  };
  let stopping = false;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the event path, the functions and the sandbox...`);
    await stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // Both ports are chosen before anything starts: a refused functions port (another checkout's
  // serverless-offline holds it) then costs no sandbox start and leaves nothing behind.
  const lambda = await choosePort({
    variable: 'OFFLINE_LAMBDA_PORT',
    explicit: process.env.OFFLINE_LAMBDA_PORT,
    fallback: DEFAULT_OFFLINE_LAMBDA_PORT,
    what: 'functions (serverless-offline Lambda API)',
  });
  const local = await startLocalWorld();
  stack.push(() => local.stop());
  console.log(describeLocalWorld(local));

  try {
    // A roll on the sandbox takes seconds, so check back every few seconds instead of 30.
    process.env.RECONCILE_REQUEUE_SECONDS = process.env.RECONCILE_REQUEUE_SECONDS || '5';
    if (lambda.note) console.log(lambda.note);
    // serverless-offline opens its HTTP server too, although no function has an HTTP event.
    const httpPort = await findFreePort();
    await mkdir(join(PROJECT_ROOT, '.sandbox'), { recursive: true });
    const functionsLog = join('.sandbox', `functions-${lambda.port}.log`);
    const names = resolveResourceNames();
    const reportError = onceEach((line) => console.error(line));

    // Provision first; the event source waits for the functions before it hands them a batch.
    let offlineReady: (offline: RunningOffline) => void = () => {};
    const offlineStarted = new Promise<RunningOffline>((resolve) => {
      offlineReady = resolve;
    });
    const functionName = `enclave-pools-${process.env.STAGE || 'dev'}-reconcile`;
    const eventPath = await startLocalEventPath({
      projectRoot: PROJECT_ROOT,
      region: local.region,
      clients: local.clients,
      invokeReconcile: async (event) => (await offlineStarted).invoker(functionName)(event),
      onError: reportError,
    });
    stack.push(() => eventPath.stop());

    const offlineLog = createWriteStream(join(PROJECT_ROOT, functionsLog));
    const offline = await startOffline({
      projectRoot: PROJECT_ROOT,
      // Each function calls the sandbox with its own key: the IAM gate evaluates it against its role.
      env: { ...process.env, SANDBOX_FUNCTION_CREDENTIALS: '1' },
      lambdaPort: lambda.port,
      httpPort,
      onOutput: (line) => offlineLog.write(`${line}\n`),
    });
    stack.push(() => offline.stop());
    offlineReady(offline);

    const stopWatching = watchSandbox(local, names.statusTable, (message) => {
      console.error(`\n${message}`);
      void shutdown('sandbox lost', 1);
    });
    stack.push(async () => stopWatching());

    console.log(
      [
        '',
        `Functions (serverless-offline) on ${offline.lambdaEndpoint}; their logs: ${functionsLog}`,
        `Event path: s3://${names.specBucket}/${names.specPrefix}*  and DynamoDB table ${names.specTable}`,
        `  → EventBridge → SQS ${names.reconcileQueue} → reconcile; status in DynamoDB table ${names.statusTable}`,
        '',
        `Applying ${relative(PROJECT_ROOT, EXAMPLE_SPEC)} as s3://${names.specBucket}/${names.specPrefix}${EXAMPLE_POOL}.yaml ...`,
      ].join('\n'),
    );
    const store = new S3SpecStore(local.clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
    await store.put(EXAMPLE_POOL, readFileSync(EXAMPLE_SPEC, 'utf8'));
    const followed = await followPoolStatus(local.clients, names.statusTable, EXAMPLE_POOL, {
      until: (row) => row?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      print: (line) => console.log(`  ${line}`),
      timeoutMs: READY_TIMEOUT_MS,
      shouldStop: () => stopping,
    });
    if (stopping) return;
    const totalSeconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!followed.reached) {
      console.error(
        `\n${EXAMPLE_POOL} did not become Ready within ${READY_TIMEOUT_MS / 1000} s; see ${functionsLog}.`,
      );
      if (options.exitWhenReady) await shutdown('not ready', 1);
    } else {
      const lt = followed.row?.launchTemplate;
      console.log(
        [
          '',
          await iamSummary(local.sandbox.endpoint),
          `${EXAMPLE_POOL} is Ready: ${(followed.elapsedMs / 1000).toFixed(1)} s after the spec was written, ` +
            `${totalSeconds} s after npm start began.`,
          `  launch template ${lt?.name} (${lt?.id}) version ${lt?.pinnedVersion}, node group ${followed.row?.nodegroup?.status}`,
          '',
          'Try, from another shell (after the exports above):',
          '  npx enclave-pools get pools',
          `  npx enclave-pools describe pool ${EXAMPLE_POOL}`,
          '  npx enclave-pools plan -f examples/enclave-pool.yaml',
          '',
          'Press Ctrl-C to stop.',
        ].join('\n'),
      );
      if (options.exitWhenReady) await shutdown('ready', 0);
    }
  } catch (error: unknown) {
    if (stopping) return;
    await stopAll();
    throw error;
  }
  // Keep serving until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

/** What the sandbox's IAM gate evaluated for each function so far, and what it refused. */
async function iamSummary(endpoint: string): Promise<string> {
  try {
    const stats = (await (await fetch(`${endpoint}/_iam/stats`)).json()) as {
      evaluatedRequests: Record<string, number>;
      denials: Array<{ action: string; resource: string }>;
    };
    const evaluated = Object.entries(stats.evaluatedRequests)
      .map(([role, count]) => `${count} by ${role.split('/').pop()}`)
      .join(', ');
    const refused = stats.denials.map((denial) => `${denial.action} on ${denial.resource}`).join('; ');
    return `IAM (packaged roles, evaluated per call): ${evaluated || 'no function calls yet'}; refused: ${refused || 'none'}`;
  } catch {
    return 'IAM: the sandbox gave no IAM figures';
  }
}

async function main(): Promise<void> {
  await startProduct({ exitWhenReady: process.argv.includes('--exit-when-ready') });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
