import { resolveResourceNames } from '../../lib/config';
import type { ReconcileOutcome } from '../../lib/outcome';
import { quietLogs } from '../support/quiet-logs';
import type { FaultAction, FaultRule, ProxiedCall } from './support/fault-proxy';
import { type FaultWorld, FUNCTION_TIMEOUT_MS, startFaultWorld } from './support/fault-world';

/**
 * Issue 12.3: one changed spec (memory_mib 768 → 1024) under each fault, on one sandbox behind the
 * fault proxy. The minimum is one new launch-template version and one roll; every scenario must
 * end there, with the status row's history complete (version created, roll started, roll
 * succeeded, each once), the pool Ready on version 2, and every invocation inside the function
 * timeout. Rolls are counted from EKS itself (ListUpdates), versions from EC2. FAULT_REPORT=1
 * prints the figures of docs/reliability.md.
 */
quietLogs();
jest.setTimeout(600_000);

const STATUS_TABLE = resolveResourceNames().statusTable;
const figures: string[] = [];
let faults: FaultWorld;

beforeAll(async () => {
  faults = await startFaultWorld();
});
afterAll(async () => {
  if (process.env.FAULT_REPORT) process.stderr.write(`${figures.join('\n')}\n`);
  await faults?.close();
});

/** A pool converged on its first spec, then its spec changed. */
async function changedPool(poolId: string): Promise<void> {
  await faults.putSpec(poolId);
  await faults.converge([poolId]);
  faults.proxy.setRule(() => ({ kind: 'forward' }));
  await faults.putSpec(poolId, 1024);
  faults.proxy.log.length = 0;
}

/** Applies `action` to the first `times` calls that `matches`; forwards everything else. */
function firstCalls(matches: (call: ProxiedCall) => boolean, action: FaultAction, times = 1): FaultRule {
  let left = times;
  return (call) => {
    if (left > 0 && matches(call)) {
      left--;
      return action;
    }
    return { kind: 'forward' };
  };
}

const op = (name: string) => (call: ProxiedCall) => call.operation === name;

/**
 * Holds each of these operations until `count` of its calls have arrived, then lets them all go at
 * once: concurrent passes are lined up by a cause, not by the scheduler (every pass has observed
 * the world before any of them writes).
 */
function barrier(operations: string[], count: number, then: 'forward' | 'strip-token'): FaultRule {
  const gates = new Map<string, { arrived: number; open: () => void; until: Promise<void> }>(
    operations.map((name) => {
      let open: () => void = () => {};
      const until = new Promise<void>((resolve) => {
        open = resolve;
      });
      return [name, { arrived: 0, open, until }];
    }),
  );
  return (call) => {
    const gate = gates.get(call.operation);
    if (!gate) return { kind: 'forward' };
    gate.arrived++;
    if (gate.arrived >= count) gate.open();
    return gate.arrived > count ? { kind: then } : { kind: 'hold', until: gate.until, next: { kind: then } };
  };
}

/** What a pass that lost the conditional status write returns. */
const LOST_RACE = 'status row changed concurrently';

/**
 * Ten reconcile() of one pool at once, bypassing the lease, lined up by the barrier: what AWS
 * answered the version, roll and status writes (sorted), and the passes' outcomes (winners first).
 */
async function raceTenPasses(poolId: string, then: 'forward' | 'strip-token') {
  const revision = (await faults.state(poolId)).row?.revision;
  faults.proxy.setRule(barrier(['CreateLaunchTemplateVersion', 'UpdateNodegroupVersion'], 10, then));
  const started = Date.now();
  const outcomes = await Promise.all(Array.from({ length: 10 }, () => faults.reconcileDirect(poolId)));
  faults.proxy.setRule(() => ({ kind: 'forward' }));
  const answers = (matches: (call: ProxiedCall) => boolean) =>
    faults.proxy.log
      .filter(matches)
      .map((call) => call.answered ?? 0)
      .sort((a, b) => a - b);
  const reason = (o: ReconcileOutcome) => (o.kind === 'requeue' ? o.reason : o.kind);
  return {
    started,
    versionAnswers: answers(op('CreateLaunchTemplateVersion')),
    rollAnswers: answers(op('UpdateNodegroupVersion')),
    // The first write of each pass: conditional on the revision all ten read.
    statusAnswers: answers(
      (call) =>
        call.table === STATUS_TABLE &&
        call.operation === 'PutItem' &&
        call.body.includes(`":expected":{"N":"${revision}"}`),
    ),
    outcomes: outcomes.map(reason).sort((a, b) => Number(a === LOST_RACE) - Number(b === LOST_RACE)),
  };
}

/** The end state every scenario must reach, and its figures. */
async function expectMinimum(scenario: string, poolId: string, startedAt: number): Promise<void> {
  // One delivery first: the row still says Ready on the first spec until a pass sees the change.
  const first = await faults.invoke([poolId]);
  const { batches, elapsedMs } = await faults.converge([poolId]);
  elapsedMs.push(first.elapsedMs);
  const convergedMs = Date.now() - startedAt;
  faults.proxy.setRule(() => ({ kind: 'forward' }));
  const state = await faults.state(poolId);
  const rolls = await faults.rolls(poolId);
  const history = state.row?.history.map((e) => `${e.event}${e.launchTemplateVersion ?? ''}`) ?? [];
  const expected = ['LaunchTemplateVersionCreated2', 'RollStarted2', 'RollSucceeded2'];
  const lost = expected.filter((line) => history.filter((h) => h === line).length !== 1);
  figures.push(
    `${scenario} | ${state.versions - 2} | ${rolls.length - 1} | ${lost.length} | ${(convergedMs / 1000).toFixed(1)} s`,
  );
  for (const ms of elapsedMs) expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
  expect({
    versions: state.versions,
    nodegroup: state.nodegroupVersion,
    ready: state.ready,
    rolls: rolls.map((r) => `${r.version}/${r.status}`),
    recordedUpdate: state.row?.update?.id,
    lostHistory: lost,
  }).toEqual({
    versions: 2,
    nodegroup: '2',
    ready: 'True/Ready',
    rolls: ['2/Successful'],
    recordedUpdate: rolls[0]?.id,
    lostHistory: [],
  });
  return void batches;
}

describe('one changed spec under each fault ends at the minimum', () => {
  it('the same event ×10 in one batch, then ×10 again while the roll runs', async () => {
    const poolId = 'same-event';
    await changedPool(poolId);
    const started = Date.now();
    const event = faults.objectEvent(poolId, new Date().toISOString());
    await faults.invokeBodies(Array.from({ length: 10 }, () => event));
    await faults.invokeBodies(Array.from({ length: 10 }, () => event));
    await expectMinimum('same S3 event ×10, then ×10 during the roll', poolId, started);
  });

  it('10 concurrent passes bypassing the lease: tokens and the conditional status write guard them', async () => {
    const poolId = 'concurrent-passes';
    await changedPool(poolId);
    const race = await raceTenPasses(poolId, 'forward');
    // All ten read the same row revision and sent both writes with the same tokens (the barrier
    // held every write until all ten had observed): AWS answered every one with the same version
    // and the same update, and exactly one conditional status write on that revision won.
    const { started, ...answers } = race;
    expect(answers).toEqual({
      versionAnswers: Array.from({ length: 10 }, () => 200),
      rollAnswers: Array.from({ length: 10 }, () => 200),
      statusAnswers: [200, ...Array.from({ length: 9 }, () => 400)],
      outcomes: ['UpdateInProgress', ...Array.from({ length: 9 }, () => LOST_RACE)],
    });
    await expectMinimum('10 concurrent passes, lease bypassed', poolId, started);
  });

  it('10 concurrent passes bypassing the lease with the tokens stripped: the version is what tokens guard', async () => {
    const poolId = 'concurrent-no-tokens';
    await changedPool(poolId);
    const race = await raceTenPasses(poolId, 'strip-token');
    const versionsCut = (await faults.state(poolId)).versions;
    await faults.converge([poolId]);
    const rolls = await faults.rolls(poolId);
    const convergedMs = Date.now() - race.started;
    figures.push(
      `10 concurrent passes, lease bypassed, tokens stripped | ${versionsCut - 2} | ${rolls.length - 1} | - | ${(convergedMs / 1000).toFixed(1)} s`,
    );
    // Without tokens nothing stops ten passes that all saw version 1 from each cutting a version:
    // the version is what the token guards. The roll is still one: the ten requests reach EKS
    // together, it starts one update and refuses the others (ResourceInUse, 409). Exactly one
    // status write on the revision all ten read wins; which pass that is, is up to the order the
    // writes reach DynamoDB: the one whose roll started or one that was refused.
    const [winner, ...losers] = race.outcomes;
    expect({ ...race, outcomes: losers }).toEqual({
      started: race.started,
      versionAnswers: Array.from({ length: 10 }, () => 200),
      rollAnswers: [200, ...Array.from({ length: 9 }, () => 409)],
      statusAnswers: [200, ...Array.from({ length: 9 }, () => 400)],
      outcomes: Array.from({ length: 9 }, () => LOST_RACE),
    });
    expect(['UpdateInProgress', 'NodegroupBusy']).toContain(winner);
    expect(versionsCut).toBe(11);
    expect(rolls).toHaveLength(1);
    expect((await faults.state(poolId)).ready).toBe('True/Ready');
  });

  it('5 concurrent batches racing through the lease', async () => {
    const poolId = 'racing-batches';
    await changedPool(poolId);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => faults.invoke([poolId])));
    expect(results.some((r) => r.result.pools[poolId]?.result === 'reconciled')).toBe(true);
    await expectMinimum('5 concurrent batches through the lease', poolId, started);
  });

  it('lost responses of successful writes: version, roll and status write executed, answers cut', async () => {
    const poolId = 'lost-responses';
    await changedPool(poolId);
    const started = Date.now();
    let version = 1;
    let roll = 1;
    let status = 1;
    faults.proxy.setRule((call) => {
      if (call.operation === 'CreateLaunchTemplateVersion' && version-- > 0) return { kind: 'drop-response' };
      if (call.operation === 'UpdateNodegroupVersion' && roll-- > 0) return { kind: 'drop-response' };
      if (call.table === STATUS_TABLE && call.operation === 'PutItem' && status-- > 0)
        return { kind: 'drop-response' };
      return { kind: 'forward' };
    });
    await expectMinimum('lost responses of successful writes (version, roll, status)', poolId, started);
    expect(faults.proxy.log.filter((c) => c.action === 'drop-response')).toHaveLength(3);
  });

  it.each([
    { status: 500, code: 'InternalFailure', times: 6 },
    { status: 403, code: 'AccessDeniedException', times: 2 },
  ])('DescribeUpdate answering $status $code while the roll runs', async ({ status, code, times }) => {
    const poolId = `describe-${status}`;
    await changedPool(poolId);
    const started = Date.now();
    await faults.invoke([poolId]);
    expect((await faults.state(poolId)).row?.update?.status).toBe('InProgress');
    faults.proxy.setRule(firstCalls(op('DescribeUpdate'), { kind: 'status', status, code }, times));
    await expectMinimum(`DescribeUpdate ${status} ${code} (${times} answers)`, poolId, started);
    expect(faults.proxy.log.filter((c) => c.action === 'status')).toHaveLength(times);
  });

  it('ResourceInUse on the roll', async () => {
    const poolId = 'resource-in-use';
    await changedPool(poolId);
    const started = Date.now();
    faults.proxy.setRule(
      firstCalls(op('UpdateNodegroupVersion'), {
        kind: 'status',
        status: 409,
        code: 'ResourceInUseException',
        message: 'Nodegroup is currently being updated',
      }),
    );
    await expectMinimum('ResourceInUse on the roll', poolId, started);
  });

  it('a sandbox that stops answering EKS for one invocation (black hole)', async () => {
    const poolId = 'black-hole';
    await changedPool(poolId);
    const started = Date.now();
    faults.proxy.setRule((call) => (call.service === 'eks' ? { kind: 'black-hole' } : { kind: 'forward' }));
    const hung = await faults.invoke([poolId]);
    // The pass budget (30 s for resource calls) ends it, not the function timeout.
    expect(hung.elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(hung.result.batchItemFailures).toHaveLength(1);
    faults.proxy.setRule(() => ({ kind: 'forward' }));
    await expectMinimum('EKS black-holed for one invocation', poolId, started);
  });
});
