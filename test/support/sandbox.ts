import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  adminCredentials,
  functionCredentials,
  operatorCredentials,
} from '../../infra/iam/sandbox-principals';
import {
  type SeededWorld,
  type SeedWorldOptions,
  seedWorld as seedWorldWith,
} from '../../infra/sandbox/seed-world';
import { createAwsClients } from '../../lib/aws/all-clients';
import { type AwsClients, clientSettingsFromEnv } from '../../lib/aws/client-factory';

/**
 * Helpers for integration tests: the worker's sandbox (set up by test/setup-env.ts), resetting it,
 * seeding the standard world, and steering the simulated EKS rolls through the control API.
 */

export type { SeededWorld } from '../../infra/sandbox/seed-world';

export function sandboxEndpoint(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: is test/setup-env.ts in jest setupFiles?');
  return endpoint;
}

/**
 * SDK clients for this worker's sandbox, built by the project's client factory, as the sandbox's
 * administrator: for set-up and for reading the state of the world, never for the code under test.
 */
export function sandboxClients(): AwsClients {
  return createAwsClients({ ...clientSettingsFromEnv(), credentials: adminCredentials() });
}

/**
 * Clients with a function's own credentials: the sandbox's IAM gate evaluates every call against
 * that function's role in the packaged template (infra/iam/iam-gate.ts), as AWS would.
 */
export function functionClients(
  functionKey: 'reconcile' | 'resync',
  env: NodeJS.ProcessEnv = process.env,
): AwsClients {
  return createAwsClients({ ...clientSettingsFromEnv(env), credentials: functionCredentials(functionKey) });
}

/** Clients with exactly the operator policy of docs/operator-policy.json (what the CLI needs). */
export function operatorClients(): AwsClients {
  return createAwsClients({ ...clientSettingsFromEnv(), credentials: operatorCredentials() });
}

export interface IamGateStats {
  evaluatedRequests: Record<string, number>;
  denials: Array<{ principal: string; operation: string; action: string; resource: string }>;
}

/** What the worker's IAM gate evaluated and refused so far (since the sandbox started). */
export function iamGateStats(): Promise<IamGateStats> {
  return call('GET', '/_iam/stats');
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const endpoint = sandboxEndpoint();
  let response: Response;
  try {
    response = await fetch(`${endpoint}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  } catch (error: unknown) {
    throw new Error(
      `The sandbox at ${endpoint} did not answer ${method} ${path} (${String(error)}). ` +
        'Integration tests need the sandboxes that test/global-setup.ts starts.',
    );
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`Sandbox ${method} ${path} failed with ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Empties every service and restores the control settings to their start-up values. */
export async function resetSandbox(): Promise<void> {
  await call('POST', '/moto-api/reset');
}

/** Resets the sandbox and creates the standard world (see infra/sandbox/seed-world.ts). */
export async function seedWorld(options?: SeedWorldOptions): Promise<SeededWorld> {
  await resetSandbox();
  return seedWorldWith(sandboxClients(), options);
}

export interface SandboxConfig {
  rollSeconds: number;
  configUpdateSeconds: number;
  nodegroupCreateSeconds: number;
  nodegroupDeleteSeconds: number;
  /** Which end of an update moves the node group's modifiedAt (decision 0084); "end" unless set. */
  nodegroupModifiedAtMoves: 'end' | 'start' | 'both';
  armedFailures: {
    clusterName: string;
    nodegroupName: string;
    errorCode: string;
    errorMessage: string | null;
    resourceIds: string[] | null;
  }[];
  edgeZones: {
    RegionName: string;
    ZoneName: string;
    ZoneId: string;
    ZoneType: string;
    OptInStatus: string;
  }[];
}

export type SandboxDurations = Partial<
  Pick<
    SandboxConfig,
    | 'rollSeconds'
    | 'configUpdateSeconds'
    | 'nodegroupCreateSeconds'
    | 'nodegroupDeleteSeconds'
    | 'nodegroupModifiedAtMoves'
  >
>;

export function sandboxConfig(): Promise<SandboxConfig> {
  return call('GET', '/_sandbox/config');
}

/** Changes simulated durations until the next reset. */
export function configureSandbox(durations: SandboxDurations): Promise<SandboxConfig> {
  return call('POST', '/_sandbox/config', durations);
}

/** How long an UpdateNodegroupVersion roll stays InProgress, until the next reset. */
export async function setRollSeconds(seconds: number): Promise<void> {
  await configureSandbox({ rollSeconds: seconds });
}

/** Makes the next roll of this node group fail with the given EKS error code (consumed by that roll). */
export async function failNextRoll(
  clusterName: string,
  nodegroupName: string,
  errorCode: string,
  errorMessage?: string,
  resourceIds?: string[],
): Promise<void> {
  await call('POST', '/_sandbox/fail-next-roll', {
    clusterName,
    nodegroupName,
    errorCode,
    ...(errorMessage === undefined ? {} : { errorMessage }),
    ...(resourceIds === undefined ? {} : { resourceIds }),
  });
}

/** Polls `read` until `done` holds, failing with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`Condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Replaces the next batch of the node group's roll now, ahead of the roll's clock. */
export async function advanceRoll(
  clusterName: string,
  nodegroupName: string,
): Promise<{ batchesDone: number; batchesTotal: number; stopped: boolean; ended?: boolean }> {
  return call('POST', '/_sandbox/advance-roll', {
    clusterName,
    nodegroupName,
    region: process.env.AWS_REGION ?? 'eu-west-1',
  });
}

/** The next `count` instances node groups launch start without Nitro Enclaves. */
export async function launchWithoutEnclaves(count: number): Promise<void> {
  await call('POST', '/_sandbox/launch-without-enclaves', { count });
}

/** A fresh on-demand table keyed by `poolId` (S), as the status and spec tables are; an older one of that name is dropped first. */
export async function freshPoolTable(clients: AwsClients, tableName: string): Promise<void> {
  await clients.dynamodb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'poolId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'poolId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
