/**
 * `npm run bench [-- flags]`: the figures published in docs/benchmarks.md, measured on the sandbox
 * (moto + our extension) on this machine. Starts its own sandbox (SANDBOX_PORT, else a free port).
 *
 * Sections (`--only passes,cost,bursts` runs just those; default all):
 * - passes: sandbox start, reset and seed; one reconcile pass (create / no-op / changed spec) in
 *   milliseconds and AWS calls; through the event path (settle 1 s, simulated roll 2 s), spec
 *   written → Ready and edit → Ready on the rolled version. `--runs N` (5).
 * - cost: artifact sizes, init against the bare handler (`--init-pairs N`, 10), the CLI spawned,
 *   `get pools` and the resync enqueue at `--pools N` (1000), EC2 calls per pool counted and the
 *   describe budget computed from them.
 * - bursts: 200 writes over 20 pools spread over `--spreads 1,5,10` seconds through the event path,
 *   versions, rolls and every call counted against the minimum (infra/bench/bursts.ts);
 *   `--burst-pools N` for a smaller burst (10 writes per pool) while developing.
 */

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../../lib/aws/all-clients';
import { clientSettingsFromEnv } from '../../lib/aws/client-factory';
import { DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS, LIVE_FACTS_AGE_SPREAD } from '../../lib/aws/live-facts-reader';
import { SEND_CONCURRENCY } from '../../lib/aws/pool-queue';
import { S3SpecStore } from '../../lib/aws/spec-stores';
import { resolveResourceNames } from '../../lib/config';
import { DEFAULT_DRIFT_CHECK_SECONDS } from '../../lib/dispatch/resync';
import { createResyncDeps, DEFAULT_RESYNC_INTERVAL_SECONDS } from '../../lib/dispatch/resync-deps';
import { setLogSink } from '../../lib/logger';
import { liveFactsMaxAgeFromEnv } from '../../lib/reconcile/create-reconcile-deps';
import { burstTables, measureBursts } from '../bench/bursts';
import { compareInit } from '../bench/init-cost';
import {
  measureResyncEnqueue,
  noopNpxProject,
  seedCopiedFleet,
  spawnCliTimed,
  spawnNpxTimed,
} from '../bench/scale';
import { AwsCallCounter } from '../local/aws-call-counter';
import { startLocalEventPath } from '../local/event-path';
import { provisionResources } from '../local/provision';
import { loadServiceDefinition } from '../local/service-definition';
import { findFreePort, startSandbox } from '../sandbox/sandbox-process';
import { seedWorld } from '../sandbox/seed-world';

const PROJECT_ROOT = join(__dirname, '..', '..');
const execFileAsync = promisify(execFile);
const POOL = 'my-node-pool';
const SPEC = readFileSync(join(PROJECT_ROOT, 'examples', 'enclave-pool.yaml'), 'utf8');
const EDITED_SPEC = SPEC.replace('memory_mib: 768', 'memory_mib: 1024');

interface Sample {
  ms: number;
  calls?: number;
  writes?: string[];
}

const results = new Map<string, Sample[]>();
function record(name: string, sample: Sample): void {
  results.set(name, [...(results.get(name) ?? []), sample]);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function control(endpoint: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}

async function waitForStatus(
  read: () => Promise<
    | {
        conditions: Array<{ type: string; status: string }>;
        launchTemplate?: { lastKnownGoodVersion?: number };
      }
    | undefined
  >,
  version: number,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const row = await read();
    const ready = row?.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready && row?.launchTemplate?.lastKnownGoodVersion === version) return;
    if (Date.now() > deadline) throw new Error(`pool not Ready on version ${version} in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main(): Promise<void> {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
  const scaleFlag = process.argv.indexOf('--pools');
  const scale = scaleFlag > 0 ? Number(process.argv[scaleFlag + 1]) : 1000;
  const pairsFlag = process.argv.indexOf('--init-pairs');
  const initPairs = pairsFlag > 0 ? Number(process.argv[pairsFlag + 1]) : 10;
  const sections = selectedSections(process.argv);
  // Parsed before the sandbox starts, so a bad flag fails at once.
  const burstPools = numberList(process.argv, '--burst-pools')?.[0];
  const spreads = numberList(process.argv, '--spreads') ?? [1, 5, 10];
  let burstResults: Awaited<ReturnType<typeof measureBursts>> | undefined;
  setLogSink(() => {});

  // SANDBOX_PORT: the port this checkout's owner may use on a shared machine; otherwise a free one.
  const port = Number(process.env.SANDBOX_PORT) || (await findFreePort());
  const started = await timed(() => startSandbox({ port, exitWithParent: true }));
  const sandbox = started.value;
  record('sandbox start → ready', { ms: started.ms });
  const region = process.env.AWS_REGION || 'eu-west-1';
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    KUBERNETES_VERSION: process.env.KUBERNETES_VERSION || '1.35',
    SETTLE_SECONDS: '1',
    RECONCILE_REQUEUE_SECONDS: '1',
    // moto scans a 1,000-row status table far slower than DynamoDB (measured: one 1 MB page of
    // projected rows took 6-9 s on a loaded machine); the deployed 5 s default times out there.
    AWS_REQUEST_TIMEOUT_MS: process.env.AWS_REQUEST_TIMEOUT_MS || '120000',
  });
  const names = resolveResourceNames();
  const definition = await loadServiceDefinition(PROJECT_ROOT);
  // Imported after the environment points at the sandbox: modules build their clients on import.
  const { createReconcileDeps, reconcile } = await import('../../lib/reconcile');
  const { createEventPath } = await import('../../lib/dispatch/event-path-deps');
  const { dispatchBatch, queueRecordsFromSqs } = await import('../../lib/dispatch/reconcile-batch');

  try {
    for (let run = 0; sections.has('passes') && run < runs; run++) {
      const reset = await timed(() => control(sandbox.endpoint, '/moto-api/reset'));
      record('sandbox reset', { ms: reset.ms });
      const clients = createAwsClients(clientSettingsFromEnv());
      const seeded = await timed(() => seedWorld(clients));
      record('seed world', { ms: seeded.ms });
      await control(sandbox.endpoint, '/_sandbox/config', { rollSeconds: 2 });
      await provisionResources(clients, definition, region);

      // One pass, called directly, on clients that count every call.
      const counter = new AwsCallCounter(clients);
      const deps = createReconcileDeps(process.env, clients);
      const store = new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
      const pass = async (name: string) => {
        counter.reset();
        const { ms } = await timed(() => reconcile(POOL, deps));
        record(name, { ms, calls: counter.calls.length, writes: counter.writes() });
      };
      await store.put(POOL, SPEC);
      await pass('reconcile pass: new pool (template + node group)');
      await pass('reconcile pass: no-op');
      await store.put(POOL, EDITED_SPEC);
      await pass('reconcile pass: changed memory_mib (version + roll)');

      // Through the event path, from a clean world.
      await control(sandbox.endpoint, '/moto-api/reset');
      await seedWorld(clients);
      await control(sandbox.endpoint, '/_sandbox/config', { rollSeconds: 2 });
      const eventPath = createEventPath(process.env, clients);
      const path = await startLocalEventPath({
        projectRoot: PROJECT_ROOT,
        region,
        clients,
        // What functions/reconcile-queue.ts does, without middy (tsx loads this repo as CommonJS,
        // and middy 7 ships ESM only; the e2e tests and npm start run the handler itself).
        invokeReconcile: async (event: SQSEvent) =>
          dispatchBatch(queueRecordsFromSqs(event.Records), eventPath.dispatchDeps(randomUUID())),
      });
      try {
        const status = deps.statusTable;
        const created = await timed(async () => {
          await store.put(POOL, SPEC);
          await waitForStatus(() => status.get(POOL), 1);
        });
        record('event path: spec written → Ready (settle 1 s)', { ms: created.ms });
        const rolled = await timed(async () => {
          await store.put(POOL, EDITED_SPEC);
          await waitForStatus(() => status.get(POOL), 2);
        });
        record('event path: edit → rolled and Ready (settle 1 s, roll 2 s, requeue 1 s)', { ms: rolled.ms });
      } finally {
        await path.stop();
      }
    }
    if (sections.has('cost'))
      await measureCostFigures({ endpoint: sandbox.endpoint, region, definition, runs, scale, initPairs });
    if (sections.has('bursts')) {
      burstResults = await measureBursts({
        projectRoot: PROJECT_ROOT,
        region,
        control: (path, body) => control(sandbox.endpoint, path, body),
        spreads,
        // Smaller bursts for developing: 10 writes per pool, as in the 200 over 20.
        ...(burstPools ? { pools: burstPools, writes: burstPools * 10 } : {}),
      });
    }
  } finally {
    await sandbox.stop();
  }

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  const load = loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');
  console.log(
    `runs: ${runs}, node ${process.version}, ${new Date().toISOString()}, load average at the end ${load} (${cpus().length} cores)\n`,
  );
  if (results.size > 0) {
    console.log('| measurement | median ms | min ms | max ms | AWS calls | writes |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  }
  for (const [name, samples] of results) {
    const ms = samples.map((s) => s.ms);
    const calls = samples[0]?.calls;
    const writes = samples[0]?.writes?.join(', ');
    console.log(
      `| ${name} | ${median(ms).toFixed(0)} | ${Math.min(...ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} | ${
        calls ?? ''
      } | ${writes ?? ''} |`,
    );
  }
  if (costRows.length > 0) {
    console.log('\n| cost figure | ours | target | anchor |');
    console.log('| --- | ---: | ---: | --- |');
    for (const row of costRows) console.log(`| ${row.name} | ${row.ours} | ${row.target} | ${row.anchor} |`);
  }
  if (burstResults) console.log(`\n${burstTables(burstResults)}`);
}

const SECTIONS = ['passes', 'cost', 'bursts'] as const;
type Section = (typeof SECTIONS)[number];

/** `--only bursts` (or a comma list of passes, cost, bursts): just those; default all. */
function selectedSections(argv: readonly string[]): Set<Section> {
  const flag = argv.indexOf('--only');
  if (flag < 0) return new Set(SECTIONS);
  const asked = (argv[flag + 1] ?? '').split(',').filter(Boolean);
  const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (asked.length === 0 || unknown.length > 0) {
    throw new Error(
      `--only ${argv[flag + 1] ?? ''}: ${unknown.length > 0 ? `unknown section ${unknown.join(', ')}` : 'no section given'}; use a comma list of ${SECTIONS.join(', ')}, e.g. --only bursts`,
    );
  }
  return new Set(asked as Section[]);
}

/** `--spreads 1,5,10`: positive numbers, or undefined when the flag is absent. */
function numberList(argv: readonly string[], name: string): number[] | undefined {
  const flag = argv.indexOf(name);
  if (flag < 0) return undefined;
  const values = (argv[flag + 1] ?? '').split(',').map(Number);
  if (values.length === 0 || values.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw new Error(
      `${name} ${argv[flag + 1] ?? ''}: expected positive numbers separated by commas, e.g. ${name} 1,5,10`,
    );
  }
  return values;
}

interface CostRow {
  name: string;
  ours: string;
  target: string;
  anchor: string;
}
const costRows: CostRow[] = [];

/**
 * Issue 13's figures beside their anchors: artifact sizes, init against the bare handler, CLI
 * calls as a user makes them, the read paths at fleet size, and EC2's describe budget.
 */
async function measureCostFigures(options: {
  endpoint: string;
  region: string;
  definition: Awaited<ReturnType<typeof loadServiceDefinition>>;
  runs: number;
  scale: number;
  initPairs: number;
}): Promise<void> {
  const { endpoint, region, definition } = options;
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

  // Artifacts, as deployed (no source map).
  const packageEnv: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1' };
  delete packageEnv.SOURCE_MAP;
  await execFileAsync(join(PROJECT_ROOT, 'node_modules', '.bin', 'osls'), ['package'], {
    cwd: PROJECT_ROOT,
    env: packageEnv,
  });
  for (const [zip, target, before] of [
    ['reconcile.zip', '≤ 0.5 MB', 'was 2.91 MB (74 % of it the source map)'],
    ['resync.zip', '≤ 0.3 MB', 'was 2.91 MB (it bundled the whole reconcile graph)'],
  ] as const) {
    const bytes = (await stat(join(PROJECT_ROOT, '.serverless', zip))).size;
    costRows.push({ name: zip, ours: mb(bytes), target, anchor: before });
  }
  const init = await compareInit({
    projectRoot: PROJECT_ROOT,
    subject: { name: 'reconcile', entry: 'functions/reconcile-queue.ts' },
    anchor: { name: 'bare handler', entry: 'infra/bench/bare-handler.ts' },
    pairs: options.initPairs,
  });
  costRows.push({
    name: `reconcile init CPU (require), ${init.pairs} pairs`,
    ours: `${init.subject.cpuSeconds.toFixed(3)} s = ${init.ratio.median.toFixed(2)}×`,
    target: '≤ 1.1×',
    anchor: `bare handler, same clients, same esbuild options: ${init.anchor.cpuSeconds.toFixed(3)} s`,
  });
  costRows.push({
    name: 'reconcile init CPU (whole process)',
    ours: `${init.subject.processCpuSeconds.toFixed(3)} s = ${init.processRatio.median.toFixed(2)}×`,
    target: '≤ 1.1×',
    anchor: `bare handler: ${init.anchor.processCpuSeconds.toFixed(3)} s`,
  });
  const millions = (count: number) => `${(count / 1e6).toFixed(0)} M`;
  const counted = init.instructions;
  costRows.push(
    counted
      ? {
          name: 'reconcile init instructions (valgrind, JIT off): require / whole process',
          ours: `${millions(counted.subject)} = ${counted.bundleRatio.toFixed(3)}× / ${counted.processRatio.toFixed(3)}×`,
          target: '≤ 1.1×',
          anchor: `bare handler ${millions(counted.anchor)}; Node alone ${millions(counted.node)}`,
        }
      : {
          name: 'reconcile init instructions',
          ours: 'not measured: valgrind is not installed',
          target: '≤ 1.1×',
          anchor: '',
        },
  );

  // The CLI as a user runs it, on a sandbox with the example pool reconciled.
  await control(endpoint, '/moto-api/reset');
  const clients = createAwsClients(clientSettingsFromEnv());
  await seedWorld(clients);
  await provisionResources(clients, definition, region);
  const names = resolveResourceNames();
  const store = new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
  await store.put(POOL, SPEC);
  const { createReconcileDeps, reconcile } = await import('../../lib/reconcile');
  // Acts at once (the bench's SETTLE_SECONDS would requeue the spec just written), so `describe`
  // and `get pools` read a reconciled pool.
  const seeded = await reconcile(POOL, createReconcileDeps({ ...process.env, SETTLE_SECONDS: '0' }, clients));
  if (seeded.kind === 'terminal' || seeded.kind === 'transient')
    throw new Error(`the CLI's pool did not reconcile: ${JSON.stringify(seeded)}`);
  const ec2 = await measureEc2PerPool(clients, POOL);
  const cliRuns = Math.max(3, options.runs);
  for (const [args, target, anchor] of [
    [['--help'], '≤ 0.3 s', 'kubectl --help'],
    [['get', 'pools'], '≤ 0.5 s', 'kubectl get; was 2.7 s'],
    [['describe', 'pool', POOL], '≤ 0.5 s', 'kubectl describe; was 2.7 s'],
  ] as const) {
    const samples: number[] = [];
    for (let run = 0; run < cliRuns; run++)
      samples.push((await spawnCliTimed(PROJECT_ROOT, [...args], process.env)).ms);
    costRows.push({
      // spawnCliTimed runs `node bin/enclave-pools.mjs` (what node_modules/.bin/enclave-pools links to), not npx.
      name: `node bin/enclave-pools.mjs ${args.join(' ')} (wall, median of ${cliRuns})`,
      ours: seconds(median(samples)),
      target,
      anchor,
    });
  }

  // Through npx, as the issue times it, beside what npx costs for a local bin that does nothing.
  const npxFloorProject = await noopNpxProject();
  for (const [label, cwd, args, target] of [
    ['npx enclave-pools get pools', PROJECT_ROOT, ['enclave-pools', 'get', 'pools'], '≤ 0.5 s'],
    ['npx noop (a local bin that exits, in an empty project)', npxFloorProject, ['noop'], ''],
  ] as const) {
    const samples: number[] = [];
    for (let run = 0; run < cliRuns; run++)
      samples.push((await spawnNpxTimed(cwd, [...args], process.env)).ms);
    costRows.push({
      name: `${label} (wall, median of ${cliRuns}; npx on the system's Node)`,
      ours: seconds(median(samples)),
      target,
      anchor: label.startsWith('npx noop') ? "npm's own start: nothing of ours runs" : 'kubectl get',
    });
  }
  await rm(npxFloorProject, { recursive: true, force: true });

  // The read paths at fleet size.
  await control(endpoint, '/moto-api/reset');
  await seedWorld(clients);
  await provisionResources(clients, definition, region);
  await seedCopiedFleet({ projectRoot: PROJECT_ROOT, clients, env: process.env, count: options.scale });
  const listSamples: number[] = [];
  for (let run = 0; run < 3; run++)
    listSamples.push((await spawnCliTimed(PROJECT_ROOT, ['get', 'pools'], process.env)).ms);
  costRows.push({
    name: `get pools at ${options.scale} pools (wall, median of 3)`,
    ours: seconds(median(listSamples)),
    target: '≤ 2 s',
    anchor: 'was 3N+3 serial calls: 6.3 s at 200 pools',
  });
  const sweeps: Array<{ ms: number; calls?: Record<string, number> }> = [];
  const sweepCounter = new AwsCallCounter(clients, ['dynamodb', 's3', 'sqs']);
  for (let run = 0; run < 3; run++)
    sweeps.push(await measureResyncEnqueue(clients, process.env, sweepCounter));
  const sweepMs = median(sweeps.map((sweep) => sweep.ms));
  const sweepCalls = sweeps[0]?.calls ?? {};
  const batches = sweepCalls.SendMessageBatch ?? 0;
  costRows.push({
    name: `resync enqueue at ${options.scale} pools (median of 3)`,
    ours: `${seconds(sweepMs)}; ${Object.entries(sweepCalls)
      .map(([name, count]) => `${count} ${name}`)
      .join(', ')}`,
    target: '≤ 2 s',
    anchor: 'was 4.3 s at 200 pools (full rows, serial batches)',
  });
  // 10,000 pools, extrapolated: the whole measured sweep (listings and batches) scaled linearly
  // with the pool count. Batches go out SEND_CONCURRENCY at a time; the listings grow by pages
  // (1,000 keys per S3 page, 1 MB of rows per scan page and segment), so linear is an upper bound.
  costRows.push({
    name: 'resync enqueue at 10,000 pools (extrapolated)',
    ours: `~${seconds(sweepMs * (10_000 / options.scale))}`,
    target: 'stated',
    anchor: `the ${options.scale}-pool sweep (${batches} SendMessageBatch, ${SEND_CONCURRENCY} in flight) × ${10_000 / options.scale}`,
  });

  costRows.push(...ec2BudgetRows(ec2));
}

/** The EC2 calls of one pool's passes, counted: a resync no-op, the drift check, a live-facts refresh. */
interface Ec2PerPool {
  noop: string[];
  driftCheck: string[];
  liveFactsRefresh: string[];
}

async function measureEc2PerPool(
  clients: ReturnType<typeof createAwsClients>,
  poolId: string,
): Promise<Ec2PerPool> {
  const { createReconcileDeps, reconcile } = await import('../../lib/reconcile');
  const counter = new AwsCallCounter(clients, ['ec2']);
  // SETTLE_SECONDS 0: the bench's 1 s settle must not turn a pass into a deferral.
  const env = { ...process.env, SETTLE_SECONDS: '0' };
  const deps = createReconcileDeps(env, clients);
  const ec2Calls = async (work: () => Promise<unknown>) => {
    counter.reset();
    await work();
    return counter.commands();
  };
  // A no-op pass is one after the pool settled: the passes after a create still verify its
  // instances and record what they read (as test/integration/reconcile/no-op-pass.test.ts waits for).
  // (A counter's middleware goes on a client once: this one counts EC2 only.)
  for (let pass = 0; pass < 10; pass++) {
    counter.reset();
    const outcome = await reconcile(poolId, deps);
    if (outcome.kind === 'done' && counter.calls.length === 0) break;
  }
  return {
    noop: await ec2Calls(() => reconcile(poolId, deps)),
    driftCheck: await ec2Calls(() => reconcile(poolId, deps, { driftCheck: true })),
    // Cached facts older than the limit: what each pool's pass does once a day by default.
    liveFactsRefresh: await ec2Calls(() =>
      reconcile(poolId, createReconcileDeps({ ...env, LIVE_FACTS_MAX_AGE_SECONDS: '0' }, clients)),
    ),
  };
}

/**
 * EC2's describe budget at 1,000 and 10,000 pools, from the counted calls and the schedule the
 * code runs them on: a no-op pass per pool per sweep (RESYNC_SCHEDULE), the drift check once per
 * DRIFT_CHECK_SECONDS, the live facts once per LIVE_FACTS_MAX_AGE_SECONDS; a sweep's messages are
 * spread over RESYNC_JITTER_SECONDS. EC2 API throttling: bucket 100, refill 20/s per account and
 * Region; the current EC2 developer guide applies it per API, older versions to all non-mutating
 * actions together, so both are shown.
 */
function ec2BudgetRows(perPool: Ec2PerPool): CostRow[] {
  const resync = createResyncDeps(process.env);
  const interval = resync.driftCheck?.intervalSeconds ?? DEFAULT_RESYNC_INTERVAL_SECONDS;
  const driftPeriod = resync.driftCheck?.periodSeconds ?? DEFAULT_DRIFT_CHECK_SECONDS;
  const factsAge = liveFactsMaxAgeFromEnv(process.env) ?? DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS;
  const jitter = resync.jitterSeconds;
  // Reads per pool per sweep, on average, by API.
  const perSweep: Record<string, number> = {};
  const add = (calls: readonly string[], share: number) => {
    for (const name of calls) perSweep[name] = (perSweep[name] ?? 0) + share;
  };
  add(perPool.noop, 1);
  add(
    perPool.driftCheck.filter((name) => !perPool.noop.includes(name)),
    interval / driftPeriod,
  );
  add(
    perPool.liveFactsRefresh.filter((name) => !perPool.noop.includes(name)),
    interval / factsAge,
  );
  const all = Object.values(perSweep).reduce((a, b) => a + b, 0);
  const busiest = Object.entries(perSweep).sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
  const list = (calls: readonly string[]) => (calls.length > 0 ? calls.join(', ') : 'none');
  const rows: CostRow[] = [
    {
      name: 'EC2 calls per pool, counted',
      ours: `no-op pass: ${perPool.noop.length}; drift check: ${perPool.driftCheck.length} (${list(perPool.driftCheck)}); live-facts refresh: ${perPool.liveFactsRefresh.length} (${list(perPool.liveFactsRefresh)})`,
      target: 'no-op: 0',
      anchor: `a sweep every ${interval} s, drift check every ${driftPeriod} s, live facts every ${factsAge} s, sweep jitter ${jitter} s`,
    },
  ];
  const percent = (perSecond: number) => `${((perSecond / 20) * 100).toFixed(0)} %`;
  for (const pools of [1000, 10_000]) {
    for (const [label, reads] of [
      ['all EC2 reads together', all],
      [`busiest API (${busiest[0]})`, busiest[1]],
    ] as const) {
      const averaged = (pools * reads) / interval;
      const inWindow = (pools * reads) / Math.max(1, jitter);
      rows.push({
        name: `EC2 describe budget at ${pools} pools, ${label}`,
        ours: `${averaged.toFixed(1)}/s averaged (${percent(averaged)} of the refill), ${inWindow.toFixed(1)}/s within a sweep's ${jitter} s jitter (${percent(inWindow)})`,
        target: 'under 20/s',
        anchor: 'EC2 API throttling: bucket 100, refill 20/s per account and Region',
      });
    }
    // Pools whose facts were read together (one deploy) re-read them over the last quarter of the
    // max age (LIVE_FACTS_AGE_SPREAD): the sweeps of that window share them.
    const refresh = perPool.liveFactsRefresh.filter((name) => !perPool.noop.includes(name)).length;
    const spreadSweeps = Math.max(1, Math.floor((factsAge * LIVE_FACTS_AGE_SPREAD) / interval));
    const together = (pools * refresh) / spreadSweeps / Math.max(1, jitter);
    rows.push({
      name: `EC2 describe budget at ${pools} pools, every pool's live facts read in the same sweep a day before`,
      ours: `${together.toFixed(1)}/s within a sweep's ${jitter} s jitter (${percent(together)}), the refreshes spread over ${spreadSweeps} sweeps`,
      target: 'under 20/s',
      anchor: `${refresh} reads per pool; without the spread ${((pools * refresh) / Math.max(1, jitter)).toFixed(0)}/s in one sweep`,
    });
  }
  return rows;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
