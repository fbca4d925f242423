import { createLiveFactsReader } from '../aws/live-facts-reader';
import { EnclavePoolError, UsageError } from '../errors';
import { variablesFromEnvironment } from '../manifests/deployment-variables';
import { validatePoolSpecBytes } from '../manifests/validate-pool-spec';
import type { Violation } from '../pool-spec';
import type { InstanceTypeFacts } from '../rules/live-facts';
import { type PoolWorkloadProfile, poolWorkloadProfile } from '../workloads/pool-profile';
import type { CliContext } from './cli-command';
import { resourceNames, StoreKind, storeLocation } from './command-runtime';
import { readBounded } from './commands/validate';
import { loadStoredSpec, validateStored } from './pool-spec-loader';

/**
 * The pool a workload command (lint-pods, manifests device-plugin) checks against: a deployed pool
 * by name (`--pool`, read from the spec stores, with the instance type's facts read from AWS), or a
 * spec file (`--pool-file`, offline: the architecture and threads per core are guessed from the
 * instance type's name).
 */
export interface WorkloadPoolOptions {
  pool?: string;
  poolFile?: string;
  overrides: Record<string, string>;
}

export type WorkloadPoolResult =
  | { ok: true; profile: PoolWorkloadProfile; source: string }
  | { ok: false; source: string; violations: Violation[] };

async function instanceFacts(
  context: CliContext,
  instanceType: string,
): Promise<InstanceTypeFacts | undefined> {
  try {
    const facts = await createLiveFactsReader(await context.services.awsClients('ec2', 'eks')).instanceTypes([
      instanceType,
    ]);
    return facts[instanceType];
  } catch {
    // Without EC2 read access the name-based guess still gives a useful answer; the output says so.
    return undefined;
  }
}

export async function resolveWorkloadPool(
  context: CliContext,
  options: WorkloadPoolOptions,
): Promise<WorkloadPoolResult | undefined> {
  if (options.pool !== undefined && options.poolFile !== undefined) {
    throw new UsageError('give either --pool NAME or --pool-file SPEC.yaml, not both');
  }
  if (options.poolFile !== undefined) {
    const bytes = await readBounded(options.poolFile);
    const result = validatePoolSpecBytes(bytes, {
      variables: variablesFromEnvironment(context.io.env, options.overrides),
    });
    if (!result.spec) return { ok: false, source: options.poolFile, violations: result.violations };
    return { ok: true, profile: poolWorkloadProfile(result.spec), source: options.poolFile };
  }
  if (options.pool === undefined) return undefined;
  const found = await loadStoredSpec(context, options.pool);
  if (!found) {
    const names = resourceNames(context);
    throw new EnclavePoolError(
      `pool ${options.pool} has no spec in ${storeLocation(StoreKind.S3, names)} or ${storeLocation(StoreKind.DynamoDb, names)}; apply it first, or check the name with "enclave-pools get pools", or lint against a file with --pool-file`,
      { poolId: options.pool },
    );
  }
  const loaded = validateStored(found.stored, context, options.overrides);
  if (!loaded.spec) return { ok: false, source: found.stored.location, violations: loaded.violations };
  const facts = await instanceFacts(context, loaded.spec.launchTemplate.instanceType);
  return { ok: true, profile: poolWorkloadProfile(loaded.spec, facts), source: found.stored.location };
}
