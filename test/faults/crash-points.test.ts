import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { resolveResourceNames } from '../../lib/config';
import { type BatchResult, DEFAULT_PASS_BUDGET, leaseSecondsFor } from '../../lib/dispatch/reconcile-batch';
import { quietLogs } from '../support/quiet-logs';
import type { ProxiedCall } from './support/fault-proxy';
import { type FaultWorld, FUNCTION_TIMEOUT_MS, startFaultWorld } from './support/fault-world';

/**
 * Issue 12.3: a pass that dies right after one of its writes, and a sandbox that restarts in the
 * middle of a roll. Each crash point runs a real Lambda invocation in a child process
 * (support/pass-child.ts) through the fault proxy; the proxy SIGKILLs the child the moment the
 * write's answer comes back, so the write happened and the process never learned it. The dead
 * child still holds the pool's lease: the next delivery finds the pool busy, and the lease-check
 * message that delivery leaves for the lease's expiry (the product's own message, received from
 * the queue, not a sleep) is the fresh pass. Every pool must then converge at the minimum: the
 * versions, node group and rolls its change needs and no more, every history line once: what
 * the dead pass did is found by the fresh one (decision 0094), whose row recorded none of it.
 *
 * "Restart" for this sandbox: moto keeps its state in memory and has no persistence, so killing
 * and starting moto again forgets every launch template, node group and table. No AWS behaviour
 * looks like that (AWS does not forget a node group because an endpoint restarted), so the
 * restart is the endpoint's: the proxy cuts every open connection right after the roll request
 * executed (its answer lost) and resets every new connection until the invocation has ended,
 * while the state behind it, and the roll, carry on (docs/decisions/0093).
 *
 * All crash points run at the same time, on one sandbox, so the suite waits for one lease expiry.
 */
quietLogs();
jest.setTimeout(600_000);

const names = resolveResourceNames();
const LEASE_MS = leaseSecondsFor(DEFAULT_PASS_BUDGET) * 1000;
const mentions = (call: ProxiedCall, poolId: string) =>
  call.path.includes(`/${poolId}`) || call.body.includes(poolId);

type Change = 'new' | 'version' | 'scaling';
interface CrashPoint {
  poolId: string;
  change: Change;
  /** The write after whose answer the pass dies. */
  write: string;
  matches: (call: ProxiedCall) => boolean;
}

const op = (name: string) => (call: ProxiedCall) => call.operation === name;
const CRASH_POINTS: CrashPoint[] = [
  {
    poolId: 'kill-create-lt',
    change: 'new',
    write: 'CreateLaunchTemplate',
    matches: op('CreateLaunchTemplate'),
  },
  { poolId: 'kill-create-ng', change: 'new', write: 'CreateNodegroup', matches: op('CreateNodegroup') },
  {
    poolId: 'kill-lt-version',
    change: 'version',
    write: 'CreateLaunchTemplateVersion',
    matches: op('CreateLaunchTemplateVersion'),
  },
  {
    poolId: 'kill-roll',
    change: 'version',
    write: 'UpdateNodegroupVersion',
    matches: op('UpdateNodegroupVersion'),
  },
  {
    poolId: 'kill-config',
    change: 'scaling',
    write: 'UpdateNodegroupConfig',
    matches: op('UpdateNodegroupConfig'),
  },
  {
    poolId: 'kill-status',
    change: 'version',
    write: 'the status write (PutItem)',
    matches: (call) => call.table === names.statusTable && call.operation === 'PutItem',
  },
  {
    poolId: 'kill-requeue',
    change: 'version',
    write: 'the requeue (SendMessage)',
    matches: op('SendMessage'),
  },
  {
    poolId: 'kill-lease-holder',
    change: 'version',
    write: 'the lease take (a lease holder that died)',
    matches: (call) => call.table === names.leaseTable && call.operation === 'UpdateItem',
  },
];
const RESTART_POOL = 'restart-mid-roll';

const ALL_POOLS = [...CRASH_POINTS.map((c) => c.poolId), RESTART_POOL];
const changeOf = (poolId: string): Change =>
  CRASH_POINTS.find((c) => c.poolId === poolId)?.change ?? 'version';

/** What each change leaves at the minimum, in EC2, EKS and the status row's history. */
const MINIMUM: Record<
  Change,
  {
    versions: number;
    nodegroup: string;
    rolls: string[];
    configUpdates: number;
    desired: number;
    history: string[];
  }
> = {
  new: {
    versions: 1,
    nodegroup: '1',
    rolls: [],
    configUpdates: 0,
    desired: 1,
    history: ['LaunchTemplateCreated1', 'NodegroupCreated1'],
  },
  version: {
    versions: 2,
    nodegroup: '2',
    rolls: ['2/Successful'],
    configUpdates: 0,
    desired: 1,
    history: ['LaunchTemplateVersionCreated2', 'RollStarted2', 'RollSucceeded2'],
  },
  scaling: {
    versions: 1,
    nodegroup: '1',
    rolls: [],
    configUpdates: 1,
    desired: 2,
    history: ['ConfigUpdateStarted', 'ConfigUpdateSucceeded'],
  },
};

let faults: FaultWorld;
const figures: string[] = [];
const children = new Map<string, ChildProcess>();

beforeAll(async () => {
  faults = await startFaultWorld();
});
afterAll(async () => {
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  if (process.env.FAULT_REPORT) process.stderr.write(`${figures.join('\n')}\n`);
  await faults?.close();
});

/** A child process running one invocation for the pool; resolves when it exits. */
function runChild(poolId: string): {
  child: ChildProcess;
  exited: Promise<{ signal: string | null; stdout: string }>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'support', 'pass-child.ts'), poolId],
    {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, FAULT_PROXY_ENDPOINT: faults.proxy.endpoint, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.set(poolId, child);
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.resume();
  const exited = new Promise<{ signal: string | null; stdout: string }>((resolve) =>
    child.once('exit', (_code, signal) => resolve({ signal, stdout })),
  );
  return { child, exited };
}

/** Receives the reconcile queue's messages until every pool has a lease-check; returns our pools' bodies. */
async function leaseChecks(poolIds: string[]): Promise<string[]> {
  const { QueueUrl } = await faults.direct.sqs.send(
    new GetQueueUrlCommand({ QueueName: names.reconcileQueue }),
  );
  const bodies: string[] = [];
  const checked = new Set<string>();
  // The checks are delayed until the dead holders' leases expire; three lease lifetimes is a bound.
  // Long polls of 4 s: the state-reading clients' request timeout is the product's 5 s.
  const giveUpAt = Date.now() + 3 * LEASE_MS;
  while (checked.size < poolIds.length && Date.now() < giveUpAt) {
    const { Messages = [] } = await faults.direct.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 4 }),
    );
    for (const message of Messages as Message[]) {
      const body = JSON.parse(message.Body ?? '{}') as { poolId?: string; trigger?: string };
      if (!body.poolId || !poolIds.includes(body.poolId)) continue;
      bodies.push(message.Body ?? '');
      if (body.trigger === 'lease-check') checked.add(body.poolId);
    }
    if (Messages.length > 0) {
      await faults.direct.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }
  expect([...checked].sort()).toEqual([...poolIds].sort());
  return bodies;
}

it('a pass killed after each of its writes, and a sandbox restarting mid-roll: a fresh pass converges at the minimum', async () => {
  // Pools that already exist converge on their first spec, then get the change their crash point needs.
  const existing = ALL_POOLS.filter((poolId) => changeOf(poolId) !== 'new');
  for (const poolId of ALL_POOLS) await faults.putSpec(poolId);
  await faults.converge(existing);
  for (const poolId of existing) {
    await (changeOf(poolId) === 'scaling' ? faults.putSpec(poolId, 768, 2) : faults.putSpec(poolId, 1024));
  }

  // Every crash point at once: the proxy kills a pool's child when that pool's write is answered.
  const killed = new Map<string, number>();
  const runs = new Map<string, ReturnType<typeof runChild>>();
  faults.proxy.setRule((call) => {
    const point = CRASH_POINTS.find(
      (c) => !killed.has(c.poolId) && mentions(call, c.poolId) && c.matches(call),
    );
    if (!point) return { kind: 'forward' };
    return {
      kind: 'crash-after',
      crash: () => {
        killed.set(point.poolId, Date.now());
        runs.get(point.poolId)?.child.kill('SIGKILL');
      },
    };
  });
  for (const { poolId } of CRASH_POINTS) runs.set(poolId, runChild(poolId));
  const exits = await Promise.all(
    CRASH_POINTS.map(async ({ poolId }) => ({ poolId, ...(await runs.get(poolId)?.exited) })),
  );
  // Each child died by the kill at its write, none finished its invocation.
  expect(exits.map((e) => `${e.poolId}: ${e.signal}`)).toEqual(
    CRASH_POINTS.map((c) => `${c.poolId}: SIGKILL`),
  );
  expect([...killed.keys()].sort()).toEqual(CRASH_POINTS.map((c) => c.poolId).sort());

  // The endpoint restarts right after the roll request executed; down for the rest of the invocation.
  faults.proxy.setRule((call) =>
    mentions(call, RESTART_POOL) && call.operation === 'UpdateNodegroupVersion' && !faults.proxy.down
      ? { kind: 'restart-after' }
      : { kind: 'forward' },
  );
  const restart = runChild(RESTART_POOL);
  const restartExit = await restart.exited;
  killed.set(RESTART_POOL, Date.now());
  expect(faults.proxy.down).toBe(true);
  // The invocation ended on its own, inside the function timeout, with the pool handed back for a
  // retry (a transient failure), not dead-lettered.
  const resultLine = restartExit.stdout.split('\n').find((line) => line.startsWith('{"batchItemFailures"'));
  const restarted = JSON.parse(resultLine ?? '{}') as BatchResult;
  expect(restartExit.signal).toBeNull();
  expect(restarted.pools[RESTART_POOL]).toEqual({ result: 'failed', error: expect.any(String) });
  expect(restarted.batchItemFailures).toEqual([{ itemIdentifier: `child-${RESTART_POOL}` }]);
  faults.proxy.up();
  faults.proxy.setRule(() => ({ kind: 'forward' }));

  // The next delivery finds the pools whose lease the dead holder still holds busy: acknowledged,
  // and a lease check left for the lease's expiry. That check is the fresh pass. (A pass killed
  // after a write that follows its lease release leaves the pool free: the next delivery runs.)
  const held: string[] = [];
  for (const poolId of ALL_POOLS) {
    const lease = await faults.leaseState(poolId);
    if (lease.holder && (lease.leaseExpiresAt ?? 0) > Date.now()) held.push(poolId);
  }
  expect(ALL_POOLS.filter((p) => !held.includes(p) && p !== 'kill-requeue')).toEqual([]);
  const busy = await faults.invoke(ALL_POOLS);
  expect(ALL_POOLS.map((p) => `${p}: ${busy.result.pools[p]?.result}`)).toEqual(
    ALL_POOLS.map((p) => `${p}: ${held.includes(p) ? 'busy' : 'reconciled'}`),
  );
  expect(busy.result.batchItemFailures).toEqual([]);
  const fresh = await faults.invokeBodies(await leaseChecks(held));
  expect(held.map((p) => `${p}: ${fresh.result.pools[p]?.result}`)).toEqual(
    held.map((p) => `${p}: reconciled`),
  );
  const { elapsedMs } = await faults.converge(ALL_POOLS);
  for (const ms of [busy.elapsedMs, fresh.elapsedMs, ...elapsedMs])
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);

  const convergedAt = Date.now();
  const actual: unknown[] = [];
  const expected: unknown[] = [];
  for (const poolId of ALL_POOLS) {
    const minimum = MINIMUM[changeOf(poolId)];
    const state = await faults.state(poolId);
    const updates = await faults.updates(poolId);
    const history = state.row?.history.map((e) => `${e.event}${e.launchTemplateVersion ?? ''}`) ?? [];
    const lost = minimum.history.filter((line) => history.filter((h) => h === line).length !== 1);
    const rolls = updates.filter((u) => u.type === 'VersionUpdate');
    const configUpdates = updates.filter((u) => u.type === 'ConfigUpdate');
    const write = CRASH_POINTS.find((c) => c.poolId === poolId)?.write;
    figures.push(
      `${write ? `SIGKILL after ${write}` : 'endpoint restart right after the roll request'} | ${state.versions - minimum.versions} | ${rolls.length - minimum.rolls.length + configUpdates.length - minimum.configUpdates} | ${lost.length} | ${((convergedAt - (killed.get(poolId) ?? convergedAt)) / 1000).toFixed(1)} s`,
    );
    if (process.env.FAULT_REPORT) process.stderr.write(`${poolId} history: ${history.join(', ')}\n`);
    actual.push({
      poolId,
      versions: state.versions,
      nodegroup: state.nodegroupVersion,
      desired: state.desiredSize,
      ready: state.ready,
      rolls: rolls.map((r) => `${r.version}/${r.status}`),
      configUpdates: configUpdates.map((u) => u.status),
      lostHistory: lost,
    });
    expected.push({
      poolId,
      versions: minimum.versions,
      nodegroup: minimum.nodegroup,
      desired: minimum.desired,
      ready: 'True/Ready',
      rolls: minimum.rolls,
      configUpdates: Array.from({ length: minimum.configUpdates }, () => 'Successful'),
      lostHistory: [],
    });
  }
  expect(actual).toEqual(expected);
});
