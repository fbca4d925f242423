/**
 * `npm start`: brings up the local AWS sandbox with the seeded world and keeps it running until
 * Ctrl-C. Later steps of the local event path hook in through startLocalWorld().
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type AwsClients, createAwsClients } from '../../lib/aws/client-factory';
import { S3SpecStore } from '../../lib/aws/spec-stores';
import { resolveRegion, resolveResourceNames } from '../../lib/config';
import { startLocalEventPath } from '../local/event-path';
import { startOffline } from '../local/offline';
import { followPoolStatus } from '../local/status-follower';
import { DEFAULT_SANDBOX_PORT, type SandboxHandle, startSandbox } from '../sandbox/sandbox-process';
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
  stop(): Promise<void>;
}

/** Sets the variables the SDK, the CLI and child processes need to talk to the sandbox only. */
function pointEnvironmentAt(endpoint: string, region: string): void {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION = region;
  // Sandbox-only credentials: moto accepts any, and real ones must never be sent to it.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

export async function startLocalWorld(options: { port?: number } = {}): Promise<LocalWorld> {
  const started = Date.now();
  const region = resolveRegion();
  const port = options.port ?? Number(process.env.SANDBOX_PORT || DEFAULT_SANDBOX_PORT);
  const sandbox = await startSandbox({ port, exitWithParent: true, env: { AWS_REGION: region } });
  const sandboxMs = Date.now() - started;
  try {
    pointEnvironmentAt(sandbox.endpoint, region);
    if (sandbox.reused) {
      // An already running sandbox may hold an older world: start from a clean one.
      await fetch(`${sandbox.endpoint}/moto-api/reset`, { method: 'POST' });
    }
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
      `(server ${(timings.sandboxMs / 1000).toFixed(1)} s, seeding ${(timings.seedMs / 1000).toFixed(1)} s)` +
      (sandbox.reused ? ', reusing the sandbox already running on this port' : ''),
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
    `  export AWS_ENDPOINT_URL=${sandbox.endpoint} AWS_REGION=${region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
    `  export KUBERNETES_VERSION=${process.env.KUBERNETES_VERSION}`,
  ];
  return lines.join('\n');
}

/** Where the example pool comes from, and the id it gets (its MachinePool name). */
const EXAMPLE_SPEC = join(PROJECT_ROOT, 'examples', 'enclave-pool.yaml');
const EXAMPLE_POOL = 'my-node-pool';
const READY_TIMEOUT_MS = 120_000;

interface StartOptions {
  /** Stop everything once the example pool is Ready (exit 0) or the timeout passed (exit 1). */
  exitWhenReady: boolean;
}

/**
 * The whole product on the sandbox: the functions of serverless.yml under serverless-offline, the
 * resources and the event path built from the same file, then the example pool applied to S3 and
 * followed until Ready.
 */
async function startProduct(options: StartOptions): Promise<void> {
  const started = Date.now();
  const local = await startLocalWorld();
  console.log(describeLocalWorld(local));
  const stack: Array<() => Promise<void>> = [() => local.stop()];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => {});
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

  try {
    // A roll on the sandbox takes seconds, so check back every few seconds instead of 30.
    process.env.RECONCILE_REQUEUE_SECONDS = process.env.RECONCILE_REQUEUE_SECONDS || '5';
    await mkdir(join(PROJECT_ROOT, '.sandbox'), { recursive: true });
    const offlineLog = createWriteStream(join(PROJECT_ROOT, '.sandbox', 'functions.log'));
    const offline = await startOffline({
      projectRoot: PROJECT_ROOT,
      env: process.env,
      ...(process.env.OFFLINE_LAMBDA_PORT ? { lambdaPort: Number(process.env.OFFLINE_LAMBDA_PORT) } : {}),
      onOutput: (line) => offlineLog.write(`${line}\n`),
    });
    stack.push(() => offline.stop());
    const names = resolveResourceNames();
    const eventPath = await startLocalEventPath({
      projectRoot: PROJECT_ROOT,
      region: local.region,
      clients: local.clients,
      invokeReconcile: offline.invoker(`enclave-pools-${process.env.STAGE || 'dev'}-reconcile`),
      onError: (where, error) =>
        console.error(`  ! ${where}: ${error instanceof Error ? error.message : error}`),
    });
    stack.push(() => eventPath.stop());
    console.log(
      [
        '',
        `Functions (serverless-offline) on ${offline.lambdaEndpoint}; their logs: .sandbox/functions.log`,
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
    const totalSeconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!followed.reached) {
      console.error(
        `\n${EXAMPLE_POOL} did not become Ready within ${READY_TIMEOUT_MS / 1000} s; see .sandbox/functions.log.`,
      );
      if (options.exitWhenReady) await shutdown('not ready', 1);
    } else {
      const lt = followed.row?.launchTemplate;
      console.log(
        [
          '',
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
    await stopAll();
    throw error;
  }
  // Keep serving until a signal arrives.
  setInterval(() => {}, 1 << 30);
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
