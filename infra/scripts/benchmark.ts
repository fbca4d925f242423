/**
 * `npm run benchmark [-- --runs N]`: the figures published in docs/benchmarks.md, measured on the
 * sandbox (moto + our extension) on this machine. Starts its own sandbox on a free port.
 *
 * Measures: sandbox start, reset and seed; one reconcile pass (create / no-op / changed spec) in
 * milliseconds and AWS calls; and through the event path (in-process handler, settle window 1 s,
 * simulated roll 2 s), the time from writing a spec to Ready, and from an edit to Ready on the
 * rolled version.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../../lib/aws/client-factory';
import { S3SpecStore } from '../../lib/aws/spec-stores';
import { resolveResourceNames } from '../../lib/config';
import { setLogSink } from '../../lib/logger';
import { AwsCallCounter } from '../local/aws-call-counter';
import { startLocalEventPath } from '../local/event-path';
import { provisionResources } from '../local/provision';
import { loadServiceDefinition } from '../local/service-definition';
import { findFreePort, startSandbox } from '../sandbox/sandbox-process';
import { seedWorld } from '../sandbox/seed-world';

const PROJECT_ROOT = join(__dirname, '..', '..');
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
  setLogSink(() => {});

  const port = await findFreePort();
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
  });
  const names = resolveResourceNames();
  const definition = await loadServiceDefinition(PROJECT_ROOT);
  // Imported after the environment points at the sandbox: modules build their clients on import.
  const { createReconcileDeps, reconcile } = await import('../../lib/reconcile');
  const { createEventPath } = await import('../../lib/dispatch/event-path-deps');
  const { dispatchBatch, queueRecordsFromSqs } = await import('../../lib/dispatch/reconcile-batch');

  try {
    for (let run = 0; run < runs; run++) {
      const reset = await timed(() => control(sandbox.endpoint, '/moto-api/reset'));
      record('sandbox reset', { ms: reset.ms });
      const clients = createAwsClients({ region, endpoint: sandbox.endpoint });
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
  } finally {
    await sandbox.stop();
  }

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  console.log(`runs: ${runs}, node ${process.version}, ${new Date().toISOString()}\n`);
  console.log('| measurement | median ms | min ms | max ms | AWS calls | writes |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
