import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { paginateListUpdates } from '@aws-sdk/client-eks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../../lib/aws/all-clients';
import { clientSettingsFromEnv } from '../../lib/aws/client-factory';
import { StatusTable } from '../../lib/aws/status-table';
import { resolveResourceNames } from '../../lib/config';
import { createEventPath } from '../../lib/dispatch/event-path-deps';
import {
  type DispatchDeps,
  dispatchBatch,
  type PoolDispatch,
  queueRecordsFromSqs,
} from '../../lib/dispatch/reconcile-batch';
import { launchTemplateName } from '../../lib/render/resource-names';
import { Reason } from '../../lib/status/conditions';
import type { StatusRow } from '../../lib/status/status-row';
import { AwsCallCounter, COUNTED_CLIENTS } from '../local/aws-call-counter';
import { startLocalEventPath } from '../local/event-path';
import { SEEDED_CLUSTER_NAME, seedWorld } from '../sandbox/seed-world';
import { exampleSpecFor } from './fleet';

/**
 * Issue 13.6: bursts of spec writes through the local event path (S3 → EventBridge → SQS → the
 * reconcile handler's dispatch, in-process), counted exactly. Every AWS call the function makes
 * (its own clients, SQS included; not the event source's receives and deletes, which Lambda makes)
 * is attributed to the pool and delivery it was for, so each delivery is classed by what it did.
 *
 * The minimum is derived from one settled change of one pool, measured the same way first: the
 * delivery that cuts the version and starts the roll, plus the requeue passes of that roll until the
 * pool is Ready. A burst's minimum is that, once per pool: one full pass per settled spec plus the
 * requeues of its roll (issue 13.6).
 */

export const BURST_POOLS = 20;
export const BURST_WRITES = 200;
/** AWS's default settle window (serverless.yml settleSeconds): longer than any gap in a burst. */
const SETTLE_SECONDS = 5;
const ROLL_SECONDS = 2;
const REQUEUE_SECONDS = 1;

/** What one delivery of a pool's messages did, as the bench classes it. */
export type DeliveryClass =
  | 'changed spec (version + roll)'
  | 'roll requeue'
  | 'settle wait (pass deferred)'
  | 'spec event, already seen (stale)'
  | 'spec event, settle pending (settling)'
  | 'overtaken requeue / lease check'
  | 'busy'
  | 'coalesced pass (events while busy)'
  | 'other pass'
  | 'failed / unprocessed';

interface Delivery {
  poolId: string;
  dispatch: PoolDispatch;
  /** The kinds of the pool's messages in the batch (`spec-object` for S3 events). */
  triggers: string[];
  calls: string[];
}

/** What a queue message is, as far as the classes below care: an S3 event or one of our own. */
function triggerKind(body: string): string {
  try {
    const message = JSON.parse(body) as { source?: string; trigger?: string };
    return message.source === 'aws.s3' ? 'spec-object' : (message.trigger ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** The pool a message is for: our own messages name it, an S3 event by its object key. */
function poolOf(body: string): string | undefined {
  try {
    const message = JSON.parse(body) as { poolId?: string; detail?: { object?: { key?: string } } };
    return message.poolId ?? message.detail?.object?.key?.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  } catch {
    return undefined;
  }
}

export interface SettledChange {
  /** Calls of the delivery that cut the version and started the roll. */
  changeCalls: string[];
  /** Calls of each requeue pass of the roll, in order (the last one sees it done). */
  rollPasses: string[][];
  /** All calls the single change made, every delivery included. */
  totalCalls: number;
  deliveries: Array<{ class: DeliveryClass; calls: number }>;
}

export interface BurstResult {
  spreadSeconds: number;
  pools: number;
  writes: number;
  /** Launch-template versions cut by the burst, summed over pools, and per pool. */
  versions: number;
  versionsPerPool: number[];
  /** EKS updates (ListUpdates) started by the burst, summed over pools, and per pool. */
  rolls: number;
  rollsPerPool: number[];
  calls: number;
  minimum: number;
  /** Per class of delivery: how many deliveries, how many calls. */
  byClass: Record<string, { deliveries: number; calls: number }>;
  /** Full passes after each pool's roll started (the single change took `single.rollPasses.length`). */
  rollPassesPerPool: number[];
  /**
   * The minimum with each pool's own number of roll passes (at least one sees the roll end), each at
   * the single change's cost: the roll's polls depend on how long it ran against the requeue delay.
   */
  ownRollMinimum: number;
  /** Calls by command, for finding where they go. */
  byCommand: Record<string, number>;
}

function classOf(delivery: Delivery, changed: boolean): DeliveryClass {
  const { dispatch, calls, triggers } = delivery;
  switch (dispatch.result) {
    case 'stale-event':
      return 'spec event, already seen (stale)';
    case 'settling':
      return 'spec event, settle pending (settling)';
    case 'stale-requeue':
    case 'stale-lease-check':
      return 'overtaken requeue / lease check';
    case 'busy':
      return 'busy';
    case 'reconciled': {
      if (calls.some((call) => call.endsWith(':CreateLaunchTemplateVersion')))
        return 'changed spec (version + roll)';
      const { outcome } = dispatch;
      if (outcome.kind === 'requeue' && outcome.reason === Reason.SpecSettling)
        return 'settle wait (pass deferred)';
      if (triggers.includes('coalesced')) return 'coalesced pass (events while busy)';
      return changed && triggers.every((kind) => kind === 'requeue') ? 'roll requeue' : 'other pass';
    }
    default:
      return 'failed / unprocessed';
  }
}

/** How many pools each batch dispatched. */
function poolsPerBatch(dispatched: ReadonlyArray<{ batch: number }>): Map<number, number> {
  const pools = new Map<number, number>();
  for (const { batch } of dispatched) pools.set(batch, (pools.get(batch) ?? 0) + 1);
  return pools;
}

/** The handler's dispatch with every call it makes tagged with `batch:pool`. */
function tagged(deps: DispatchDeps, batch: number, store: AsyncLocalStorage<string>): DispatchDeps {
  const inPool = <T>(poolId: string, work: () => Promise<T>) => store.run(`${batch}:${poolId}`, work);
  return {
    ...deps,
    reconcile: (poolId, facts) => inPool(poolId, () => deps.reconcile(poolId, facts)),
    leases: {
      acquire: (poolId, holder, seconds) =>
        inPool(poolId, () => deps.leases.acquire(poolId, holder, seconds)),
      // Every argument passed on: the release also stores the row's spec time (decision 0085).
      release: (...args) => inPool(args[0], () => deps.leases.release(...args)),
      state: (poolId) => inPool(poolId, () => deps.leases.state(poolId)),
      // The batch's one read of its pools' leases: tagged with the batch alone (see deliveriesSince).
      states: (poolIds) => deps.leases.states(poolIds),
    },
    queue: { send: (message) => inPool(message.body.poolId, () => deps.queue.send(message)) },
    reportDeadLetter: (poolId, error, terminal) =>
      inPool(poolId, () => deps.reportDeadLetter(poolId, error, terminal)),
    ...(deps.specWrittenAt
      ? {
          specWrittenAt: (poolId: string) =>
            inPool(poolId, () => deps.specWrittenAt?.(poolId) ?? Promise.resolve(undefined)),
        }
      : {}),
  };
}

/** One pool's minimum when its roll took `rollPasses` passes: the single change's passes as units. */
function ownRollUnit(single: SettledChange, rollPasses: number): number {
  const final = single.rollPasses.at(-1)?.length ?? 0;
  const polling = single.rollPasses[0]?.length ?? final;
  return single.changeCalls.length + final + Math.max(0, rollPasses - 1) * polling;
}

export async function measureBursts(options: {
  projectRoot: string;
  region: string;
  /** POSTs a sandbox control path (reset, config). */
  control(path: string, body?: unknown): Promise<void>;
  spreads: readonly number[];
  pools?: number;
  writes?: number;
}): Promise<{ single: SettledChange; bursts: BurstResult[] }> {
  const poolCount = options.pools ?? BURST_POOLS;
  const writes = options.writes ?? BURST_WRITES;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SETTLE_SECONDS: String(SETTLE_SECONDS),
    RECONCILE_REQUEUE_SECONDS: String(REQUEUE_SECONDS),
  };
  const names = resolveResourceNames(env);
  await options.control('/moto-api/reset');
  // The harness (writes, waits, the event source's receives) and the function have their own clients:
  // only the function's are counted.
  const harness = createAwsClients(clientSettingsFromEnv(env));
  await seedWorld(harness);
  await options.control('/_sandbox/config', { rollSeconds: ROLL_SECONDS, nodegroupCreateSeconds: 0 });
  const functionClients = createAwsClients(clientSettingsFromEnv(env));
  const store = new AsyncLocalStorage<string>();
  const counter = new AwsCallCounter(functionClients, [...COUNTED_CLIENTS, 'sqs'], {
    tag: () => store.getStore(),
  });
  const eventPath = createEventPath(env, functionClients);
  const results: Array<{ batch: number; poolId: string; dispatch: PoolDispatch; triggers: string[] }> = [];
  let batches = 0;
  let inFlight = 0;
  const errors: string[] = [];
  const path = await startLocalEventPath({
    projectRoot: options.projectRoot,
    region: options.region,
    clients: harness,
    env,
    invokeReconcile: async (event: SQSEvent) => {
      const batch = ++batches;
      inFlight++;
      try {
        const deps = tagged(eventPath.dispatchDeps(randomUUID()), batch, store);
        const result = await store.run(`${batch}:`, () =>
          dispatchBatch(queueRecordsFromSqs(event.Records), deps),
        );
        for (const [poolId, dispatch] of Object.entries(result.pools)) {
          const triggers = event.Records.filter((record) => poolOf(record.body) === poolId).map((record) =>
            triggerKind(record.body),
          );
          results.push({ batch, poolId, dispatch, triggers });
        }
        return result;
      } finally {
        inFlight--;
      }
    },
    onError: (where, error) => errors.push(`${where}: ${String(error)}`),
  });
  const status = new StatusTable(harness, names.statusTable);

  const write = (poolId: string, memoryMib: number) =>
    harness.s3.send(
      new PutObjectCommand({
        Bucket: names.specBucket,
        Key: `${names.specPrefix}${poolId}.yaml`,
        Body: exampleSpecFor(options.projectRoot, poolId).replace(
          'memory_mib: 768',
          `memory_mib: ${memoryMib}`,
        ),
        ContentType: 'application/yaml',
      }),
    );
  const readyOn = (row: StatusRow | undefined, memoryMib: number) =>
    row?.specSummary?.enclaves.memoryMib === memoryMib &&
    row.outcome.kind === 'done' &&
    row.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  const waitReady = async (poolIds: readonly string[], memoryMib: number) => {
    const deadline = Date.now() + 600_000;
    for (const poolId of poolIds) {
      while (!readyOn(await status.get(poolId), memoryMib)) {
        if (Date.now() > deadline)
          throw new Error(
            `${poolId} not Ready on memory_mib ${memoryMib} in 10 minutes; ${errors.join('; ')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  // Every message delivered and handled, delayed ones included (stale events arrive after Ready).
  const waitDrained = async () => {
    let quiet = 0;
    while (quiet < 3) {
      const { Attributes: a = {} } = await harness.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: path.reconcileQueueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const pending = Object.values(a).reduce((sum, n) => sum + Number(n), 0) + inFlight;
      quiet = pending === 0 ? quiet + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const versionsOf = async (poolId: string) =>
    (
      await harness.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateName: launchTemplateName(SEEDED_CLUSTER_NAME, poolId),
        }),
      )
    ).LaunchTemplateVersions?.length ?? 0;
  // The node group's name as the pool's status row records it (the spec's AWSManagedMachinePool name).
  const rollsOf = async (poolId: string) => {
    const nodegroupName = (await status.get(poolId))?.nodegroupName ?? poolId;
    let updates = 0;
    for await (const page of paginateListUpdates(
      { client: harness.eks },
      { name: SEEDED_CLUSTER_NAME, nodegroupName },
    ))
      updates += page.updateIds?.length ?? 0;
    return updates;
  };

  /** The deliveries since `from`, each with the calls tagged with its batch and pool. */
  const deliveriesSince = (from: number): Delivery[] => {
    const callsByKey = new Map<string, string[]>();
    counter.calls.forEach((call, i) => {
      const key = counter.tags[i] ?? '';
      callsByKey.set(key, [...(callsByKey.get(key) ?? []), call]);
    });
    const since = results.slice(from);
    const poolsOfBatch = poolsPerBatch(since);
    return since.map(({ batch, poolId, dispatch, triggers }) => ({
      poolId,
      dispatch,
      triggers,
      // A batch-level call (the pools' one lease read) is its pool's when the batch had one pool;
      // shared by several, it is counted apart (byClass 'lease read shared by a batch's pools').
      calls: [
        ...(poolsOfBatch.get(batch) === 1 ? (callsByKey.get(`${batch}:`) ?? []) : []),
        ...(callsByKey.get(`${batch}:${poolId}`) ?? []),
      ],
    }));
  };
  /** Calls made for a whole batch of several pools (the shared lease read), since `from`. */
  const sharedBatchCalls = (from: number): number => {
    const poolsOfBatch = poolsPerBatch(results.slice(from));
    return counter.tags.filter((tag) => {
      const match = /^(\d+):$/.exec(tag ?? '');
      return match !== null && (poolsOfBatch.get(Number(match[1])) ?? 0) > 1;
    }).length;
  };
  /** Each pool's deliveries in order, classed; a delivery after the version was cut is its roll's. */
  const classed = (deliveries: readonly Delivery[]) => {
    const changedPools = new Set<string>();
    return deliveries.map((delivery) => {
      const deliveryClass = classOf(delivery, changedPools.has(delivery.poolId));
      if (deliveryClass === 'changed spec (version + roll)') changedPools.add(delivery.poolId);
      return { ...delivery, class: deliveryClass };
    });
  };

  try {
    const poolIds = Array.from({ length: poolCount }, (_, p) => `burst-${String(p).padStart(2, '0')}`);
    const single = 'burst-single';
    // Every pool exists and is Ready on version 1 before anything is counted.
    await Promise.all([...poolIds, single].map((poolId) => write(poolId, 768)));
    await waitReady([...poolIds, single], 768);
    await waitDrained();

    // One settled change of one pool: the unit the minimum is made of.
    counter.reset();
    let from = results.length;
    await write(single, 1024);
    await waitReady([single], 1024);
    await waitDrained();
    const singleDeliveries = classed(deliveriesSince(from));
    const change = singleDeliveries.find((d) => d.class === 'changed spec (version + roll)');
    if (!change) throw new Error('the single change cut no launch-template version');
    const singleResult: SettledChange = {
      changeCalls: change.calls,
      rollPasses: singleDeliveries.filter((d) => d.class === 'roll requeue').map((d) => d.calls),
      totalCalls: counter.calls.length,
      deliveries: singleDeliveries.map((d) => ({ class: d.class, calls: d.calls.length })),
    };
    const unit = singleResult.changeCalls.length + singleResult.rollPasses.flat().length;

    const bursts: BurstResult[] = [];
    for (const [round, spreadSeconds] of options.spreads.entries()) {
      const perPool = writes / poolCount;
      const memoryOf = (i: number) => 512 + 2 * (round * perPool + i);
      const versionsBefore = await Promise.all(poolIds.map(versionsOf));
      const rollsBefore = await Promise.all(poolIds.map(rollsOf));
      counter.reset();
      from = results.length;
      const stepMs = (spreadSeconds * 1000) / perPool;
      const start = Date.now();
      await Promise.all(
        poolIds.map(async (poolId, p) => {
          for (let i = 0; i < perPool; i++) {
            const due = start + i * stepMs + (p * stepMs) / poolCount;
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
            await write(poolId, memoryOf(i));
          }
        }),
      );
      await waitReady(poolIds, memoryOf(perPool - 1));
      await waitDrained();
      const deliveries = classed(deliveriesSince(from));
      const versionsPerPool = (await Promise.all(poolIds.map(versionsOf))).map(
        (n, i) => n - (versionsBefore[i] ?? 0),
      );
      const rollsPerPool = (await Promise.all(poolIds.map(rollsOf))).map((n, i) => n - (rollsBefore[i] ?? 0));
      const byClass: BurstResult['byClass'] = {};
      for (const d of deliveries) {
        const entry = byClass[d.class] ?? { deliveries: 0, calls: 0 };
        byClass[d.class] = { deliveries: entry.deliveries + 1, calls: entry.calls + d.calls.length };
      }
      const calls = counter.calls.length;
      // Full passes after the one that started the roll (a requeue, or a coalesced pass that saw it end).
      const rollPassesPerPool = poolIds.map((poolId) => {
        const own = deliveries.filter((d) => d.poolId === poolId);
        const changedAt = own.findIndex((d) => d.class === 'changed spec (version + roll)');
        return own
          .slice(changedAt + 1)
          .filter((d) => d.dispatch.result === 'reconciled' && d.class !== 'settle wait (pass deferred)')
          .length;
      });
      const shared = sharedBatchCalls(from);
      if (shared > 0) byClass["lease read shared by a batch's pools"] = { deliveries: 0, calls: shared };
      const attributed = deliveries.reduce((sum, d) => sum + d.calls.length, 0) + shared;
      if (attributed !== calls)
        byClass['not attributed to a delivery'] = { deliveries: 0, calls: calls - attributed };
      bursts.push({
        spreadSeconds,
        pools: poolCount,
        writes,
        versions: versionsPerPool.reduce((a, b) => a + b, 0),
        versionsPerPool,
        rolls: rollsPerPool.reduce((a, b) => a + b, 0),
        rollsPerPool,
        calls,
        minimum: unit * poolCount,
        byClass,
        rollPassesPerPool,
        ownRollMinimum: poolIds.reduce(
          (sum, _poolId, p) => sum + ownRollUnit(singleResult, rollPassesPerPool[p] ?? 0),
          0,
        ),
        byCommand: counter.summary(),
      });
    }
    if (errors.length > 0) throw new Error(`event path errors: ${errors.join('; ')}`);
    return { single: singleResult, bursts };
  } finally {
    await path.stop();
  }
}

/** The burst tables as docs/benchmarks.md publishes them (markdown, paste-ready). */
export function burstTables(measured: { single: SettledChange; bursts: readonly BurstResult[] }): string {
  const { single, bursts } = measured;
  const names = (calls: readonly string[]) =>
    calls.map((call) => call.slice(call.indexOf(':') + 1)).join(', ');
  const rollCalls = single.rollPasses.flat().length;
  const unit = single.changeCalls.length + rollCalls;
  const pools = bursts[0]?.pools ?? BURST_POOLS;
  const writes = bursts[0]?.writes ?? BURST_WRITES;
  const lines = [
    `One settled change of one pool (settle ${SETTLE_SECONDS} s, sandbox roll ${ROLL_SECONDS} s, requeue ${REQUEUE_SECONDS} s), ${single.totalCalls} calls in all:`,
    `- the delivery that cuts the version and starts the roll: ${single.changeCalls.length} calls (${names(single.changeCalls)})`,
    ...single.rollPasses.map(
      (pass, i) => `- roll requeue pass ${i + 1}: ${pass.length} calls (${names(pass)})`,
    ),
    `- every delivery, in order: ${single.deliveries.map((d) => `${d.class} ${d.calls}`).join('; ')}`,
    `- minimum per pool: ${single.changeCalls.length} + ${rollCalls} = ${unit} calls; per burst × ${pools} pools = ${unit * pools}`,
    '',
    `| spread | versions (target ${pools}) | rolls (target ${pools}) | AWS calls | minimum | ratio (target ≤ 1.5×) | minimum with each roll's own passes | ratio to it |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...bursts.map(
      (b) =>
        `| ${b.spreadSeconds} s | ${b.versions} | ${b.rolls} | ${b.calls} | ${b.minimum} | ${(b.calls / b.minimum).toFixed(2)}× | ${b.ownRollMinimum} | ${(b.calls / b.ownRollMinimum).toFixed(2)}× |`,
    ),
    '',
    `Where the calls go (${writes} writes over ${pools} pools; deliveries / calls):`,
    '',
    `| delivery | ${bursts.map((b) => `${b.spreadSeconds} s`).join(' | ')} |`,
    `| --- | ${bursts.map(() => '---:').join(' | ')} |`,
    ...[...new Set(bursts.flatMap((b) => Object.keys(b.byClass)))].map(
      (name) =>
        `| ${name} | ${bursts
          .map((b) => {
            const entry = b.byClass[name];
            return entry ? `${entry.deliveries} / ${entry.calls}` : '';
          })
          .join(' | ')} |`,
    ),
    `| full passes after the roll started, per pool (single change: ${single.rollPasses.length}) | ${bursts
      .map((b) => `${Math.min(...b.rollPassesPerPool)}-${Math.max(...b.rollPassesPerPool)}`)
      .join(' | ')} |`,
    `| versions per pool | ${bursts.map((b) => `${Math.min(...b.versionsPerPool)}-${Math.max(...b.versionsPerPool)}`).join(' | ')} |`,
    `| rolls per pool | ${bursts.map((b) => `${Math.min(...b.rollsPerPool)}-${Math.max(...b.rollsPerPool)}`).join(' | ')} |`,
    '',
    'Calls by command:',
    '',
    `| command | ${bursts.map((b) => `${b.spreadSeconds} s`).join(' | ')} |`,
    `| --- | ${bursts.map(() => '---:').join(' | ')} |`,
    ...[...new Set(bursts.flatMap((b) => Object.keys(b.byCommand)))]
      .sort()
      .map((name) => `| ${name} | ${bursts.map((b) => b.byCommand[name] ?? 0).join(' | ')} |`),
  ];
  return lines.join('\n');
}
