import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { provisionResources } from '../../../infra/local/provision';
import { loadServiceDefinition } from '../../../infra/local/service-definition';
import { createAwsClients } from '../../../lib/aws/all-clients';
import type { AwsClients, RetryMode } from '../../../lib/aws/client-factory';
import { type LeaseState, PoolLeases } from '../../../lib/aws/pool-leases';
import { S3SpecStore } from '../../../lib/aws/spec-stores';
import { StatusTable } from '../../../lib/aws/status-table';
import { resolveResourceNames } from '../../../lib/config';
import { createEventPath } from '../../../lib/dispatch/event-path-deps';
import {
  type BatchResult,
  DEFAULT_PASS_BUDGET,
  dispatchBatch,
  leaseSecondsFor,
  type QueueRecord,
} from '../../../lib/dispatch/reconcile-batch';
import type { ReconcileOutcome } from '../../../lib/outcome';
import type { StatusRow } from '../../../lib/status/status-row';
import { configureSandbox, type SeededWorld, seedWorld } from '../../support/sandbox';
import { type FaultProxy, type FaultRule, forwardAll, startFaultProxy } from './fault-proxy';

/**
 * A seeded sandbox behind a fault proxy: the event path's real dependencies on clients that go
 * through the proxy (with the SDK's default three attempts, not the tests' one), readers of the
 * state of the world on clients that go straight to the sandbox, and a driver that hands batches
 * to dispatchBatch the way the Lambda does, with the function's 120 s as the remaining time.
 */
export const FUNCTION_TIMEOUT_MS = 120_000;
const SEED_SPEC = readFileSync(join(__dirname, '../../../examples/enclave-pool.yaml'), 'utf8');
const names = resolveResourceNames();

export function poolSpec(poolId: string, memoryMib = 768, replicas = 1): string {
  return SEED_SPEC.replaceAll('my-node-pool', poolId)
    .replace('memory_mib: 768', `memory_mib: ${memoryMib}`)
    .replace('replicas: 1', `replicas: ${replicas}`);
}

/**
 * The product's clients through the fault proxy: the SDK's default three attempts (not the
 * tests' one), standard retries unless a test measures adaptive.
 */
export function faultyClients(proxyEndpoint: string, retryMode: RetryMode = 'standard'): AwsClients {
  return createAwsClients({
    region: process.env.AWS_REGION ?? 'eu-west-1',
    endpoint: proxyEndpoint,
    maxAttempts: 3,
    retryMode,
    requestTimeoutMs: Number(process.env.AWS_REQUEST_TIMEOUT_MS) || 60_000,
  });
}

/** The function's environment: no settle period unless a test asks for one (faults follow the write). */
export function faultEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBERNETES_VERSION: '1.35',
    RECONCILE_REQUEUE_SECONDS: '1',
    SETTLE_SECONDS: '0',
    ...extra,
  };
}

export interface PoolWorld {
  versions: number;
  nodegroupVersion: string | undefined;
  nodegroupStatus: string | undefined;
  desiredSize: number | undefined;
  ready: string | undefined;
  row: StatusRow | undefined;
}

export interface PoolUpdate {
  id: string;
  type: string;
  status: string;
  version?: string;
}

export interface FaultWorld {
  world: SeededWorld;
  proxy: FaultProxy;
  /** Straight to the sandbox: set-up and the state of the world. */
  direct: AwsClients;
  /** Through the proxy: what the product uses. */
  faulty: AwsClients;
  putSpec(poolId: string, memoryMib?: number, replicas?: number): Promise<void>;
  /** One Lambda invocation: a batch of spec events for these pools. */
  invoke(poolIds: string[], receiveCount?: number): Promise<{ result: BatchResult; elapsedMs: number }>;
  /** One Lambda invocation with these message bodies (S3 events, our own messages). */
  invokeBodies(bodies: string[]): Promise<{ result: BatchResult; elapsedMs: number }>;
  /** One reconcile() of the pool on the product's clients, bypassing the lease and the queue. */
  reconcileDirect(poolId: string): Promise<ReconcileOutcome>;
  /** The node group's roll updates as EKS lists them (the rolls that really happened). */
  rolls(poolId: string): Promise<PoolUpdate[]>;
  /** Every update of the node group as EKS lists them (rolls and config updates). */
  updates(poolId: string): Promise<PoolUpdate[]>;
  /** The S3 object event EventBridge delivers for a pool's spec, with this `time`. */
  objectEvent(poolId: string, time: string): string;
  /** Invokes until every pool is Ready=True on its newest spec, at most `maxBatches` times. */
  converge(
    poolIds: string[],
    options?: { maxBatches?: number },
  ): Promise<{ batches: number; elapsedMs: number[] }>;
  state(poolId: string): Promise<PoolWorld>;
  /** The pool's lease item as it is now. */
  leaseState(poolId: string): Promise<LeaseState>;
  close(): Promise<void>;
}

export async function startFaultWorld(
  options: { rule?: FaultRule; retryMode?: RetryMode; env?: NodeJS.ProcessEnv } = {},
): Promise<FaultWorld> {
  const world = await seedWorld();
  await configureSandbox({ rollSeconds: 1, nodegroupCreateSeconds: 1, configUpdateSeconds: 1 });
  const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
  const region = process.env.AWS_REGION ?? 'eu-west-1';
  const direct = createAwsClients({ region, endpoint, maxAttempts: 1 });
  await provisionResources(direct, await loadServiceDefinition(join(__dirname, '../../..')), region);
  const proxy = await startFaultProxy(endpoint, forwardAll);
  const faulty = faultyClients(proxy.endpoint, options.retryMode);
  const eventPath = createEventPath(faultEnv(options.env), faulty);
  const specs = new S3SpecStore(direct.s3, { bucket: names.specBucket, prefix: names.specPrefix });
  const status = new StatusTable(direct, names.statusTable);
  const leases = new PoolLeases(direct, names.leaseTable);
  proxy.setRule(options.rule ?? forwardAll);
  let invocation = 0;

  const record = (poolId: string, receiveCount: number): QueueRecord => ({
    messageId: `m-${invocation}-${poolId}`,
    receiveCount,
    body: JSON.stringify({ poolId, trigger: 'resync' }),
  });

  const state = async (poolId: string): Promise<PoolWorld> => {
    let versions = 0;
    try {
      const out = await direct.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateName: `enclave-pools-my-cluster-${poolId}`,
        }),
      );
      versions = (out.LaunchTemplateVersions ?? []).length;
    } catch (error: unknown) {
      if (!(error instanceof Error && error.name.includes('NotFound'))) throw error;
    }
    let nodegroup: Nodegroup | undefined;
    try {
      nodegroup = (
        await direct.eks.send(
          new DescribeNodegroupCommand({ clusterName: 'my-cluster', nodegroupName: poolId }),
        )
      ).nodegroup;
    } catch (error: unknown) {
      if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
    }
    const row = await status.get(poolId);
    const ready = row?.conditions.find((c) => c.type === 'Ready');
    return {
      versions,
      nodegroupVersion: nodegroup?.launchTemplate?.version,
      nodegroupStatus: nodegroup?.status,
      desiredSize: nodegroup?.scalingConfig?.desiredSize,
      ready: ready ? `${ready.status}/${ready.reason}` : undefined,
      row,
    };
  };

  const updates = async (poolId: string): Promise<PoolUpdate[]> => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await direct.eks.send(
        new ListUpdatesCommand({
          name: 'my-cluster',
          nodegroupName: poolId,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      ids.push(...(page.updateIds ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const found = await Promise.all(
      ids.map(
        async (updateId) =>
          (
            await direct.eks.send(
              new DescribeUpdateCommand({ name: 'my-cluster', nodegroupName: poolId, updateId }),
            )
          ).update,
      ),
    );
    return found.map((u) => ({
      id: u?.id ?? '',
      type: u?.type ?? '',
      status: u?.status ?? '',
      ...(u?.params?.find((p) => p.type === 'LaunchTemplateVersion')?.value
        ? { version: u?.params?.find((p) => p.type === 'LaunchTemplateVersion')?.value }
        : {}),
    }));
  };

  const dispatch = async (records: QueueRecord[]) => {
    const started = Date.now();
    const stopAt = started + FUNCTION_TIMEOUT_MS;
    const result = await dispatchBatch(
      records,
      eventPath.dispatchDeps(`invocation-${invocation}`, () => stopAt - Date.now()),
    );
    return { result, elapsedMs: Date.now() - started };
  };
  const invoke: FaultWorld['invoke'] = async (poolIds, receiveCount = 1) => {
    invocation++;
    return dispatch(poolIds.map((poolId) => record(poolId, receiveCount)));
  };
  const invokeBodies: FaultWorld['invokeBodies'] = async (bodies) => {
    invocation++;
    return dispatch(bodies.map((body, i) => ({ messageId: `m-${invocation}-${i}`, receiveCount: 1, body })));
  };
  const objectEvent: FaultWorld['objectEvent'] = (poolId, time) =>
    JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      time,
      detail: { bucket: { name: names.specBucket }, object: { key: `${names.specPrefix}${poolId}.yaml` } },
    });

  return {
    world,
    proxy,
    direct,
    faulty,
    putSpec: async (poolId, memoryMib, replicas) => {
      await specs.put(poolId, poolSpec(poolId, memoryMib, replicas));
    },
    invoke,
    invokeBodies,
    objectEvent,
    reconcileDirect: (poolId) =>
      eventPath
        .dispatchDeps(`direct-${++invocation}`)
        .reconcile(poolId, { specEvents: [], driftCheck: false }),
    updates,
    rolls: async (poolId) => (await updates(poolId)).filter((u) => u.type === 'VersionUpdate'),
    state,
    leaseState: (poolId) => leases.state(poolId),
    async converge(poolIds, { maxBatches = 20 } = {}) {
      const elapsedMs: number[] = [];
      // A lease whose release was throttled away blocks its pool until it expires (by design,
      // decision 0090): batches keep coming until one lease lifetime has passed, however many
      // that takes, so the count of batches never races the lease clock.
      const leaseMs = leaseSecondsFor(DEFAULT_PASS_BUDGET) * 1000;
      const started = Date.now();
      const pendingPools = async () => {
        const pending: string[] = [];
        for (const poolId of poolIds) {
          const now = await state(poolId);
          if (!now.ready?.startsWith('True/') || now.row?.outcome.kind !== 'done') pending.push(poolId);
        }
        return pending;
      };
      let batch = 0;
      // What each batch answered per pool, for the failure message (a stuck pool's story).
      const answers: string[] = [];
      const lastAnswer = new Map<string, string>();
      for (;;) {
        const pending = await pendingPools();
        if (pending.length === 0) return { batches: batch, elapsedMs };
        // The last batch's effect is read above before giving up, so the count never cuts it off.
        if (batch >= maxBatches && Date.now() - started >= 2 * leaseMs) {
          // A pass whose lease release was throttled past its retries leaves the pool held for a
          // whole lease lifetime, and the next pass can lose its release too (seen: two in a row,
          // 90 s): a pending pool whose lease is still live is waited for, up to five lifetimes.
          const held: string[] = [];
          for (const poolId of pending) {
            const lease = await leases.state(poolId);
            if (lease.holder && (lease.leaseExpiresAt ?? 0) > Date.now()) held.push(poolId);
          }
          // And once it is free, the pool gets one more pass: its last answer must be a pass that
          // asked for nothing more (a pass that requeued, a node group still being created, is
          // followed by its requeue: seen under stress-ng, a pool freed at +112 s and cut off after
          // its first pass, a requeue).
          const passed = pending.every((poolId) => lastAnswer.get(poolId) === 'reconciled/finished');
          if ((held.length === 0 && passed) || Date.now() - started >= 5 * leaseMs) break;
        }
        batch++;
        const { result, elapsedMs: ms } = await invoke(pending);
        elapsedMs.push(ms);
        for (const poolId of pending) {
          const answer = result.pools[poolId];
          lastAnswer.set(
            poolId,
            answer?.result === 'reconciled'
              ? `reconciled/${answer.outcome.kind === 'requeue' ? 'requeued' : 'finished'}`
              : (answer?.result ?? 'none'),
          );
        }
        answers.push(
          `batch ${batch} at +${((Date.now() - started) / 1000).toFixed(1)} s (${ms} ms): ${pending
            .map((poolId) => {
              const answer = result.pools[poolId] as
                | {
                    result: string;
                    outcome?: { kind: string; reason?: string; error?: string };
                    error?: string;
                  }
                | undefined;
              const detail = answer?.outcome?.reason ?? answer?.outcome?.error ?? answer?.error ?? '';
              return `${poolId}=${answer?.result}${answer?.outcome ? `/${answer.outcome.kind}` : ''}${detail ? `(${detail})` : ''}`;
            })
            .join(', ')}`,
        );
        if (process.env.FAULT_REPORT) process.stderr.write(`${answers.at(-1)}\n`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const left = await Promise.all(
        poolIds.map(async (poolId) => {
          const now = await state(poolId);
          const lease = await leases.state(poolId);
          const calls = proxy.log
            .filter((call) => call.path.includes(`/${poolId}`) || call.body.includes(`"${poolId}"`))
            .slice(-80)
            .map(
              (call) =>
                `${call.operation}${call.table ? `(${call.table.split('-').at(-1)})` : ''}:${call.action}`,
            );
          if (now.ready?.startsWith('True/') && now.row?.outcome.kind === 'done')
            return `${poolId}: converged`;
          return `${poolId}: ${now.ready} ${now.row?.outcome.kind} row at ${now.row?.updatedAt} lease ${JSON.stringify(lease)} ${JSON.stringify(now.row?.conditions.map((c) => [c.type, c.status, c.reason, c.message]))}\n  last calls: ${calls.join(' ')}`;
        }),
      );
      throw new Error(
        `not converged after ${batch} batches:\n${left.join('\n')}\nbatches:\n${answers.join('\n')}`,
      );
    },
    async close() {
      await proxy.close();
    },
  };
}
