import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { DescribeNodegroupCommand, type Nodegroup } from '@aws-sdk/client-eks';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AwsCallCounter } from '../../../infra/local/aws-call-counter';
import { provisionResources } from '../../../infra/local/provision';
import { loadServiceDefinition } from '../../../infra/local/service-definition';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { DynamoDbSpecStore, S3SpecStore } from '../../../lib/aws/spec-stores';
import { resolveResourceNames } from '../../../lib/config';
import type { ReconcileOutcome } from '../../../lib/outcome';
import { createReconcileDeps, type ReconcileDeps, reconcile } from '../../../lib/reconcile';
import type { StatusRow } from '../../../lib/status/status-row';
import { quietLogs } from '../../support/quiet-logs';
import {
  configureSandbox,
  functionClients,
  type SandboxDurations,
  type SeededWorld,
  sandboxClients,
  seedWorld,
} from '../../support/sandbox';

/**
 * A seeded sandbox with the deployment's tables, queue and bucket, real reconcile dependencies on
 * clients that count every AWS call, and readers for the state of the world.
 */

export const POOL_ID = 'my-node-pool';
export const LAUNCH_TEMPLATE_NAME = 'enclave-pools-my-cluster-my-node-pool';
export const SEED_SPEC = readFileSync(join(__dirname, '../../../examples/enclave-pool.yaml'), 'utf8');

export interface Harness {
  world: SeededWorld;
  /** Administrator clients, for reading and changing the world around the reconcile. */
  clients: AwsClients;
  /** The reconcile function's clients (its own IAM role), counted; faults are injected here. */
  reconcileClients: AwsClients;
  counter: AwsCallCounter;
  deps: ReconcileDeps;
  s3Specs: S3SpecStore;
  dynamoSpecs: DynamoDbSpecStore;
  run(): Promise<ReconcileOutcome>;
  /** Reconciles until the outcome is no longer a requeue, waiting a little between passes. */
  settle(options?: { maxPasses?: number; waitMs?: number }): Promise<ReconcileOutcome[]>;
  /** The state of the world, read as administrator: the pool's status row, node group and template. */
  statusRow(): Promise<StatusRow | undefined>;
  nodegroup(): Promise<Nodegroup | undefined>;
  launchTemplateVersions(): ReturnType<typeof launchTemplateVersions>;
  launchTemplateExists(): Promise<boolean>;
  /** The pool's EC2 instances (the sandbox's node group instances) in these states. */
  instances(states?: string[]): Promise<Instance[]>;
}

/**
 * The header of a test file on the harness: the product's logs kept out of the output, and a
 * freshly seeded world before each test. The object returned is the file's one harness; before
 * each test its fields are replaced by a new world's, so `const h = useReconcileHarness()` at the
 * top of a file stands for `let h; beforeEach(async () => { h = await startHarness(); })`.
 * `sandbox` durations are set after the reset that seeding does (a reset restores the defaults).
 */
export function useReconcileHarness(options: { sandbox?: SandboxDurations } = {}): Harness {
  quietLogs();
  const harness = {} as Harness;
  beforeEach(async () => {
    Object.assign(harness, await startHarness());
    if (options.sandbox) await configureSandbox(options.sandbox);
  });
  return harness;
}

export async function startHarness(): Promise<Harness> {
  const world = await seedWorld();
  // reconcile() is called straight after each spec write here: no settle period (the event path has one).
  const env = {
    ...process.env,
    KUBERNETES_VERSION: '1.35',
    RECONCILE_REQUEUE_SECONDS: '1',
    SETTLE_SECONDS: '0',
  };
  // Set-up and spec writes go through their own clients: the counter sees only reconcile's calls.
  const setupClients = sandboxClients();
  const definition = await loadServiceDefinition(join(__dirname, '../../..'));
  await provisionResources(setupClients, definition, world.region);
  // The reconcile function runs with its own credentials: the sandbox's IAM gate evaluates every
  // call it makes against its packaged role. The test reads and writes the world as administrator.
  const reconcileClients = functionClients('reconcile', env);
  const counter = new AwsCallCounter(reconcileClients);
  const deps = createReconcileDeps(env, reconcileClients);
  const clients = setupClients;
  const names = resolveResourceNames(env);
  const run = () => reconcile(POOL_ID, deps);
  return {
    world,
    clients,
    reconcileClients,
    counter,
    deps,
    s3Specs: new S3SpecStore(setupClients.s3, { bucket: names.specBucket, prefix: names.specPrefix }),
    dynamoSpecs: new DynamoDbSpecStore(setupClients.documents, { table: names.specTable }),
    run,
    statusRow: () => statusRow(clients),
    nodegroup: () => describeNodegroup(clients, world.cluster.name),
    launchTemplateVersions: () => launchTemplateVersions(clients),
    launchTemplateExists: () => launchTemplateExists(clients),
    async instances(states = ['running']) {
      const { Reservations } = await clients.ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:eks:nodegroup-name', Values: [POOL_ID] },
            { Name: 'instance-state-name', Values: states },
          ],
        }),
      );
      return (Reservations ?? []).flatMap((r) => r.Instances ?? []);
    },
    async settle({ maxPasses = 15, waitMs = 250 } = {}) {
      const outcomes: ReconcileOutcome[] = [];
      for (let pass = 0; pass < maxPasses; pass++) {
        const outcome = await run();
        outcomes.push(outcome);
        if (outcome.kind !== 'requeue') return outcomes;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
      throw new Error(`not settled after ${maxPasses} passes: ${JSON.stringify(outcomes.at(-1))}`);
    },
  };
}

export function specWith(replacements: Array<[string | RegExp, string]>): string {
  let text = SEED_SPEC;
  for (const [from, to] of replacements) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`specWith: ${String(from)} not found in the seed spec`);
    text = next;
  }
  return text;
}

const MANAGED_POOL = 'kind: AWSManagedMachinePool\nmetadata:\n  name: my-node-pool\n';

/** The seed pool with these `key: value` lines as the AWSManagedMachinePool's annotations. */
export const annotated = (lines: string[]): Array<[string, string]> => [
  [MANAGED_POOL, `${MANAGED_POOL}  annotations:\n${lines.map((line) => `    ${line}\n`).join('')}`],
];

export const withMemoryMib = (mib: number): Array<[string, string]> => [
  ['memory_mib: 768', `memory_mib: ${mib}`],
];

/** The seed pool without enclaves: no enclaveOptions, no device-plugin label, no allocator commands. */
export const withoutEnclaves: Array<[string | RegExp, string]> = [
  ['    enclaveOptions:\n      enabled: true\n', ''],
  [
    '  labels:\n    # The device plugin DaemonSet selects on this label; as a node-group label, replaced nodes keep it.\n    aws-nitro-enclaves-k8s-dp: enabled\n',
    '',
  ],
  [/ {2}preNodeadmCommands:\n( {4}- .*\n)+/, '  preNodeadmCommands:\n    - echo no enclaves here\n'],
];

export async function statusRow(clients: AwsClients): Promise<StatusRow | undefined> {
  const out = await clients.documents.send(
    new GetCommand({ TableName: resolveResourceNames().statusTable, Key: { poolId: POOL_ID } }),
  );
  return out.Item as StatusRow | undefined;
}

export function conditionOf(row: StatusRow | undefined, type: string): string | undefined {
  const c = row?.conditions.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}` : undefined;
}

export async function launchTemplateVersions(clients: AwsClients) {
  try {
    const out = await clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: LAUNCH_TEMPLATE_NAME }),
    );
    return (out.LaunchTemplateVersions ?? []).sort((a, b) => (a.VersionNumber ?? 0) - (b.VersionNumber ?? 0));
  } catch (error: unknown) {
    if (error instanceof Error && error.name.includes('NotFound')) return [];
    throw error;
  }
}

export async function launchTemplateExists(clients: AwsClients): Promise<boolean> {
  try {
    const out = await clients.ec2.send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [LAUNCH_TEMPLATE_NAME] }),
    );
    return (out.LaunchTemplates ?? []).length > 0;
  } catch (error: unknown) {
    if (error instanceof Error && error.name.includes('NotFound')) return false;
    throw error;
  }
}

export async function describeNodegroup(
  clients: AwsClients,
  clusterName: string,
): Promise<Nodegroup | undefined> {
  try {
    const out = await clients.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: POOL_ID }));
    return out.nodegroup;
  } catch (error: unknown) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Prints the call counts when RECONCILE_CALL_REPORT is set (for the report of measured figures). */
export function reportCalls(label: string, counter: AwsCallCounter): void {
  if (process.env.RECONCILE_CALL_REPORT) {
    process.stderr.write(
      `${label}: ${counter.calls.length} calls, writes ${JSON.stringify(counter.writes())}, ${JSON.stringify(counter.summary())}\n`,
    );
  }
}
