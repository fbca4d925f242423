import { RollWatcher, type WatchPorts, WatchResult } from '../../../lib/cli/roll-watcher';
import { styler } from '../../../lib/cli/terminal';
import type { ObservedNodegroup } from '../../../lib/plan/plan-types';
import type { StatusRow, UpdateRecord } from '../../../lib/status/status-row';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');

function row(overrides: Partial<StatusRow> = {}): StatusRow {
  return {
    poolId: 'p',
    revision: 1,
    updatedAt: new Date(T0).toISOString(),
    clusterName: 'c',
    nodegroupName: 'ng',
    observedGeneration: 1,
    deleted: false,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: 'the pool matches its spec',
        severity: '',
        lastTransitionTime: new Date(T0).toISOString(),
        observedGeneration: 1,
      },
    ],
    outcome: { kind: 'done' },
    history: [],
    ...overrides,
  };
}

const roll = (status: string, overrides: Partial<UpdateRecord> = {}): UpdateRecord => ({
  id: 'u1',
  type: 'VersionUpdate',
  status,
  createdAt: new Date(T0).toISOString(),
  launchTemplateVersion: 2,
  errors: [],
  ...overrides,
});

const nodegroup = (status: string, version = 1): ObservedNodegroup => ({
  name: 'ng',
  status,
  tags: {},
  labels: {},
  taints: [],
  subnets: [],
  healthIssues: [],
  scaling: { minSize: 2, maxSize: 2, desiredSize: 2 },
  launchTemplate: { id: 'lt-1', version },
});

/** A scripted world: every answer is a function of the fake clock (ms since T0). */
interface Script {
  row(t: number): StatusRow | undefined;
  generation?(t: number): number | undefined;
  update?(t: number, id: string): UpdateRecord | undefined;
  inFlight?(t: number): UpdateRecord | undefined;
  nodegroup?(t: number): ObservedNodegroup | undefined;
}

async function watch(script: Script, options: { tty?: boolean; timeoutMs?: number } = {}) {
  let t = 0;
  let out = '';
  const ports: WatchPorts = {
    statusRow: async () => script.row(t),
    storedGeneration: async () => (script.generation ? script.generation(t) : 1),
    describeUpdate: async (_c, _n, id) => script.update?.(t, id),
    findInProgressUpdate: async () => script.inFlight?.(t),
    describeNodegroup: async () => script.nodegroup?.(t),
    now: () => new Date(T0 + t),
    sleep: async (ms) => {
      t += ms;
    },
  };
  const watcher = new RollWatcher(
    ports,
    { poolId: 'p', intervalMs: 10_000, timeoutMs: options.timeoutMs ?? 3_600_000, recordWaitMs: 60_000 },
    { write: (s: string) => (out += s), isTTY: options.tty === true, columns: 300 },
    styler(false),
  );
  const result = await watcher.run();
  return { result, out, elapsed: t };
}

describe('RollWatcher', () => {
  it('follows a roll with node counts and a pace estimate, then reports Ready once recorded', async () => {
    // What the reconciler's passes recorded: nothing yet, then one of two nodes, then the end.
    const counted = (replaced: number) => ({
      updateId: 'u1',
      replaced,
      total: 2,
      zones: [
        { zone: 'eu-west-1a', replaced, total: 1 },
        { zone: 'eu-west-1b', replaced: 0, total: 1 },
      ],
      startedAt: new Date(T0).toISOString(),
      countedAt: new Date(T0 + 5_000).toISOString(),
      ...(replaced > 0 ? { nodesPerMinute: 12, etaAt: new Date(T0 + 20_000).toISOString() } : {}),
    });
    const { result, out } = await watch({
      row: (t) =>
        t < 10_000
          ? row({ update: roll('InProgress'), rollProgress: counted(0) })
          : t < 40_000
            ? row({ update: roll('InProgress'), rollProgress: counted(1) })
            : row({
                update: roll('Successful'),
                launchTemplate: { id: 'lt-1', name: 'lt', pinnedVersion: 2 },
              }),
      update: (t) => roll(t < 30_000 ? 'InProgress' : 'Successful'),
      nodegroup: (t) => nodegroup(t < 30_000 ? 'UPDATING' : 'ACTIVE', t < 30_000 ? 1 : 2),
    });
    expect(result).toBe(WatchResult.Succeeded);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '2026-01-01T10:00:00.000Z following roll to launch template version 2 of pool p (update u1, node group ng)',
    );
    expect(lines[1]).toBe(
      '2026-01-01T10:00:00.000Z InProgress nodes replaced 0/2 (eu-west-1a 0/1, eu-west-1b 0/1)  elapsed 0s  remaining: no estimate yet  node group UPDATING',
    );
    expect(lines[2]).toBe(
      '2026-01-01T10:00:10.000Z InProgress 50%  nodes replaced 1/2 (eu-west-1a 1/1, eu-west-1b 0/1), 12/min  elapsed 10s  remaining ~10s (from the pace so far)  node group UPDATING',
    );
    expect(out).toContain(
      'succeeded: roll to launch template version 2 of pool p in 30s, 2 nodes replaced (node group ACTIVE on launch template version 2)',
    );
    expect(lines.at(-1)).toBe('pool p Ready: True');
  });

  it('draws a progress bar on a terminal and estimates from the last roll when nodes are not reported', async () => {
    const history = [
      { at: new Date(T0 - 3_600_000).toISOString(), event: 'RollStarted', message: '', updateId: 'old' },
      { at: new Date(T0 - 3_560_000).toISOString(), event: 'RollSucceeded', message: '', updateId: 'old' },
    ];
    const { result, out } = await watch(
      {
        row: (t) =>
          t < 30_000
            ? row({ update: roll('InProgress'), history })
            : row({ update: roll('Successful'), history }),
        update: (t) => roll(t < 20_000 ? 'InProgress' : 'Successful'),
        nodegroup: () => nodegroup('UPDATING'),
      },
      { tty: true },
    );
    expect(result).toBe(WatchResult.Succeeded);
    expect(out).toContain(
      '\r\u001b[2KInProgress [######------------------]  25%  nodes replaced: not counted yet  elapsed 10s  remaining ~30s (from the last roll)  node group UPDATING',
    );
    expect(out).toContain('remaining ~30s (from the last roll)');
  });

  it('ends with the failure, its EKS error and the hint', async () => {
    const failed = roll('Failed', {
      errors: [{ code: 'PodEvictionFailure', message: 'Reached max retries', resourceIds: ['ng'] }],
    });
    const { result, out } = await watch({
      row: () => row({ update: roll('InProgress') }),
      update: (t) => (t < 10_000 ? roll('InProgress') : failed),
      nodegroup: () => nodegroup('ACTIVE'),
    });
    expect(result).toBe(WatchResult.Failed);
    expect(out).toContain('Failed: roll to launch template version 2 of pool p after 10s');
    expect(out).toContain('  PodEvictionFailure: Reached max retries (ng)');
    expect(out).toMatch(/ {2}hint: a PodDisruptionBudget/);
  });

  it('waits for the reconciler to pick up a newer generation, then follows the update it starts', async () => {
    const { result, out } = await watch({
      row: (t) =>
        t < 20_000
          ? row({ observedGeneration: 1 })
          : row({ observedGeneration: 2, update: roll(t < 50_000 ? 'InProgress' : 'Successful') }),
      generation: () => 2,
      update: (t) => roll(t < 40_000 ? 'InProgress' : 'Successful'),
      nodegroup: () => nodegroup('UPDATING'),
    });
    expect(result).toBe(WatchResult.Succeeded);
    expect(out).toContain('waiting for the reconciler to pick up generation 2 of pool p...');
    expect(out.indexOf('waiting')).toBeLessThan(out.indexOf('following'));
  });

  it('finds an update in flight at EKS before the status row records it', async () => {
    const { result, out } = await watch({
      row: (t) => (t < 30_000 ? row() : row({ update: roll('Successful') })),
      inFlight: () => roll('InProgress', { id: 'live' }),
      update: (t, id) => (id === 'live' ? roll(t < 20_000 ? 'InProgress' : 'Successful', { id }) : undefined),
      nodegroup: () => nodegroup('UPDATING'),
    });
    expect(result).toBe(WatchResult.Succeeded);
    expect(out).toContain('(update live, node group ng)');
  });

  it('follows a roll that the reconciler starts right after a config update', async () => {
    const config = roll('InProgress', { id: 'cfg', type: 'ConfigUpdate', launchTemplateVersion: undefined });
    const { result, out } = await watch({
      row: (t) =>
        t < 20_000
          ? row({ update: config })
          : t < 50_000
            ? row({ update: roll('InProgress', { id: 'r' }) })
            : row({ update: roll('Successful', { id: 'r' }) }),
      update: (t, id) =>
        id === 'cfg'
          ? { ...config, status: t < 10_000 ? 'InProgress' : 'Successful' }
          : roll(t < 40_000 ? 'InProgress' : 'Successful', { id }),
      nodegroup: () => nodegroup('UPDATING'),
    });
    expect(result).toBe(WatchResult.Succeeded);
    expect(out).toContain('following node group config update of pool p (update cfg');
    expect(out).toContain('following roll to launch template version 2 of pool p (update r');
    expect(out.trimEnd().split('\n').at(-1)).toBe('pool p Ready: True');
  });

  it('says when nothing is in flight and shows the last update, or the failed roll', async () => {
    const idle = await watch({ row: () => row({ update: roll('Successful') }) });
    expect(idle.result).toBe(WatchResult.NothingToWatch);
    expect(idle.out).toBe(
      'no update in flight for pool p; last update u1 (roll to launch template version 2) Successful\nReady: True\n',
    );
    const failedRoll = {
      updateId: 'u1',
      type: 'VersionUpdate',
      status: 'Failed',
      specHash: 'h',
      generation: 1,
      errorCode: 'NodeCreationFailure',
      errorMessage: 'Instances failed to join',
      hint: 'check the pre-nodeadm commands',
      launchTemplateVersion: 2,
      dataHash: 'd',
    };
    const failed = await watch({ row: () => row({ failedRoll }) });
    expect(failed.result).toBe(WatchResult.Failed);
    expect(failed.out).toContain(
      'the last roll failed: NodeCreationFailure: Instances failed to join\nhint: check the pre-nodeadm commands',
    );
  });

  it('gives up at the timeout, saying the update keeps running', async () => {
    const { result, out, elapsed } = await watch(
      {
        row: () => row({ update: roll('InProgress') }),
        update: () => roll('InProgress'),
        nodegroup: () => nodegroup('UPDATING'),
      },
      { timeoutMs: 60_000 },
    );
    expect(result).toBe(WatchResult.TimedOut);
    expect(elapsed).toBeLessThanOrEqual(80_000);
    expect(out).toContain('error: update u1 is still in progress after 1m00s; it keeps running at EKS');
  });

  it('stops waiting for a generation the reconciler never picks up', async () => {
    const { result, out } = await watch({ row: () => row(), generation: () => 5 }, { timeoutMs: 30_000 });
    expect(result).toBe(WatchResult.TimedOut);
    expect(out).toContain('the reconciler has not picked up generation 5 of pool p in time');
  });

  it('says so when the status table never records the end', async () => {
    const { result, out } = await watch({
      row: () => row({ update: roll('InProgress') }),
      update: (t) => roll(t < 10_000 ? 'InProgress' : 'Successful'),
      nodegroup: () => nodegroup('ACTIVE', 2),
    });
    expect(result).toBe(WatchResult.Succeeded);
    expect(out).toContain('the status table has not recorded the end of update u1 yet');
  });

  it('reports an unknown pool', async () => {
    const { result, out } = await watch({ row: () => undefined, generation: () => undefined });
    expect(result).toBe(WatchResult.NotFound);
    expect(out).toContain('error: pool p not found');
  });
});
