import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { AwsClients } from '../../lib/aws/client-factory';
import { S3SpecStore } from '../../lib/aws/spec-stores';
import { StatusTable } from '../../lib/aws/status-table';
import { mapBounded } from '../../lib/bounded';
import { resolveResourceNames } from '../../lib/config';
import { enqueueAllPools } from '../../lib/dispatch/resync';
import { createResyncDeps } from '../../lib/dispatch/resync-deps';
import { createReconcileDeps, reconcile } from '../../lib/reconcile';
import type { AwsCallCounter } from '../local/aws-call-counter';
import { exampleSpecFor, fleetPoolId } from './fleet';

/**
 * The read paths at fleet size: `get pools` (the compiled CLI, spawned as a user runs it) and the
 * resync sweep's enqueue. The fleet is one reconciled pool and N-1 copies of its status row (own
 * pool id, spec location and generation), each next to its own spec object: the same items, sizes
 * and listings a reconciled fleet has, without N reconciles (~1 s each on a loaded sandbox).
 */

const execFileAsync = promisify(execFile);

export interface Timed {
  ms: number;
  calls?: Record<string, number>;
}

export async function spawnCliTimed(
  projectRoot: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<Timed> {
  const started = performance.now();
  await execFileAsync(process.execPath, [join(projectRoot, 'bin', 'enclave-pools.mjs'), ...args], {
    cwd: projectRoot,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ms: performance.now() - started };
}

/**
 * `npx ARGS` in `cwd` as a user's shell runs it: `npm run bench` puts node_modules/.bin (and with
 * it the project's Node 24) first on PATH, so those entries are taken off and npx runs on the
 * system's Node, as typed at a prompt.
 */
export async function spawnNpxTimed(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const path = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.split(/[\\/]/).includes('node_modules'))
    .join(delimiter);
  const started = performance.now();
  await execFileAsync('npx', args, { cwd, env: { ...env, PATH: path }, maxBuffer: 64 * 1024 * 1024 });
  return { ms: performance.now() - started };
}

/** A project with nothing but a local bin `noop` (a shell script that exits): what npx costs by itself. */
export async function noopNpxProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'enclave-pools-npx-'));
  await mkdir(join(dir, 'node_modules', '.bin'), { recursive: true });
  await writeFile(join(dir, 'package.json'), '{"name":"npx-floor","version":"1.0.0","private":true}\n');
  const bin = join(dir, 'node_modules', '.bin', 'noop');
  await writeFile(bin, '#!/bin/sh\nexit 0\n');
  await chmod(bin, 0o755);
  return dir;
}

export async function seedCopiedFleet(options: {
  projectRoot: string;
  clients: AwsClients;
  env: NodeJS.ProcessEnv;
  count: number;
}): Promise<string[]> {
  const names = resolveResourceNames(options.env);
  const store = new S3SpecStore(options.clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
  const status = new StatusTable(options.clients, names.statusTable);
  const first = fleetPoolId(0);
  await store.put(first, exampleSpecFor(options.projectRoot, first));
  // The bench's own SETTLE_SECONDS would make this first pass requeue a spec written a moment ago
  // and leave no row to copy: the seed acts at once.
  const outcome = await reconcile(
    first,
    createReconcileDeps({ ...options.env, SETTLE_SECONDS: '0' }, options.clients),
  );
  const template = await status.get(first);
  if (!template)
    throw new Error(
      `the first fleet pool has no status row after its reconcile (${JSON.stringify(outcome)})`,
    );
  const ids = Array.from({ length: options.count }, (_, i) => fleetPoolId(i));
  await mapBounded(ids.slice(1), 16, async (poolId) => {
    const stored = await store.put(poolId, exampleSpecFor(options.projectRoot, poolId));
    await status.put(
      {
        ...template,
        poolId,
        nodegroupName: poolId,
        specLocation: stored.location,
        observedGeneration: stored.generation,
        conditions: template.conditions.map((c) => ({ ...c, observedGeneration: stored.generation })),
      },
      0,
    );
  });
  return ids;
}

/** One sweep's enqueue, timed and counted. `counter` is made once per set of clients (its
 * middleware can be added to a client only once) and is reset here. */
export async function measureResyncEnqueue(
  clients: AwsClients,
  env: NodeJS.ProcessEnv,
  counter: AwsCallCounter,
): Promise<Timed> {
  counter.reset();
  const started = performance.now();
  await enqueueAllPools({ ...createResyncDeps(env, clients), jitterSeconds: 0 });
  const ms = performance.now() - started;
  return { ms, calls: counter.summary() };
}
