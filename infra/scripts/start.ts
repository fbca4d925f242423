/**
 * `npm start`: brings up the local AWS sandbox with the seeded world and keeps it running until
 * Ctrl-C. Later steps of the local event path hook in through startLocalWorld().
 */
import { type AwsClients, createAwsClients } from '../../lib/aws/client-factory';
import { resolveRegion } from '../../lib/config';
import { DEFAULT_SANDBOX_PORT, type SandboxHandle, startSandbox } from '../sandbox/sandbox-process';
import { type SeededWorld, seedWorld } from '../sandbox/seed-world';

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
    '',
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const local = await startLocalWorld();
  console.log(describeLocalWorld(local));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox...`);
    await local.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Keep the process alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
