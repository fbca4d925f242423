import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsClients } from '../../lib/aws/client-factory';
import { S3SpecStore } from '../../lib/aws/spec-stores';
import { mapBounded } from '../../lib/bounded';
import { resolveResourceNames } from '../../lib/config';
import { createReconcileDeps, reconcile } from '../../lib/reconcile';

/**
 * A fleet of N pools on the sandbox, each a copy of examples/enclave-pool.yaml under its own name,
 * written to the S3 store and reconciled once (so every pool has a node group and a status row, as
 * in a deployment that has run). Used by the benchmark's scale measurements.
 */
export const FLEET_POOL_PREFIX = 'fleet-';

export function fleetPoolId(index: number): string {
  return `${FLEET_POOL_PREFIX}${String(index).padStart(5, '0')}`;
}

export function exampleSpecFor(projectRoot: string, poolId: string): string {
  const spec = readFileSync(join(projectRoot, 'examples', 'enclave-pool.yaml'), 'utf8');
  return spec.replace(/\bmy-node-pool\b/g, poolId);
}

export async function seedFleet(options: {
  projectRoot: string;
  clients: AwsClients;
  env: NodeJS.ProcessEnv;
  count: number;
  concurrency?: number;
}): Promise<string[]> {
  const names = resolveResourceNames(options.env);
  const store = new S3SpecStore(options.clients.s3, { bucket: names.specBucket, prefix: names.specPrefix });
  const deps = createReconcileDeps(options.env, options.clients);
  const ids = Array.from({ length: options.count }, (_, i) => fleetPoolId(i));
  await mapBounded(ids, options.concurrency ?? 8, async (poolId) => {
    await store.put(poolId, exampleSpecFor(options.projectRoot, poolId));
    const outcome = await reconcile(poolId, deps);
    if (outcome.kind === 'terminal' || outcome.kind === 'transient')
      throw new Error(`seeding ${poolId}: ${outcome.kind} ${JSON.stringify(outcome)}`);
  });
  return ids;
}
