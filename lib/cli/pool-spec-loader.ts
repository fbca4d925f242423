import type { SpecStore } from '../aws/spec-stores';
import { EnclavePoolError } from '../errors';
import { variablesFromEnvironment } from '../manifests/deployment-variables';
import { validatePoolSpec } from '../manifests/validate-pool-spec';
import type { PoolSpec, StoredSpec, Violation } from '../pool-spec';
import type { CliContext } from './cli-command';
import { resourceNames, StoreKind, specStores } from './command-runtime';

/**
 * Reads pool specs back from the deployment's stores, the way the reconciler does (both stores;
 * a pool in both is a conflict), and validates them offline with the same variables.
 */

/** A store whose bucket or table does not exist holds no pools (nothing deployed there yet). */
const MISSING_STORE = new Set(['NoSuchBucket', 'ResourceNotFoundException']);

export function isMissingStore(error: unknown): boolean {
  return error instanceof EnclavePoolError && MISSING_STORE.has(error.context.awsCode ?? '');
}

async function orEmpty<T>(work: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (isMissingStore(error)) return empty;
    throw error;
  }
}

export interface LoadedPool {
  stored: StoredSpec;
  spec?: PoolSpec;
  violations: Violation[];
}

export function validateStored(
  stored: StoredSpec,
  context: CliContext,
  overrides: Record<string, string> = {},
): LoadedPool {
  const result = validatePoolSpec(stored.text, {
    variables: variablesFromEnvironment(context.io.env, overrides),
    poolId: stored.poolId,
  });
  return { stored, ...(result.spec ? { spec: result.spec } : {}), violations: result.violations };
}

/**
 * A store the caller needs is not there (`plan`: a plan made without it would describe a
 * deployment that does not exist). Terminal: it exists once the deployment does.
 */
export class MissingStoreError extends EnclavePoolError {}

function missingStoreError(kind: StoreKind, context: CliContext, error: EnclavePoolError): MissingStoreError {
  const names = resourceNames(context);
  const what = kind === StoreKind.S3 ? `spec bucket ${names.specBucket}` : `spec table ${names.specTable}`;
  return new MissingStoreError(`${what} does not exist (${error.context.awsCode})`, error.context, {
    cause: error,
  });
}

/**
 * The pool's stored spec from whichever store holds it; undefined when none does. A store that
 * does not exist holds nothing, unless `requireStores`: then it is a MissingStoreError.
 */
export async function loadStoredSpec(
  context: CliContext,
  poolId: string,
  requireStores = false,
): Promise<{ stored: StoredSpec; kind: StoreKind } | undefined> {
  const stores = await specStores(context);
  const found: Array<{ stored: StoredSpec; kind: StoreKind }> = [];
  for (const kind of Object.keys(stores) as StoreKind[]) {
    const store: SpecStore = stores[kind];
    const stored = requireStores
      ? await store.load(poolId).catch((error: unknown) => {
          throw isMissingStore(error) ? missingStoreError(kind, context, error as EnclavePoolError) : error;
        })
      : await orEmpty(() => store.load(poolId), undefined);
    if (stored) found.push({ stored, kind });
  }
  if (found.length > 1) {
    throw new EnclavePoolError(
      `pool ${poolId} is defined in more than one store (${found.map((f) => f.stored.location).join(' and ')}); delete it from all but one`,
      { poolId },
    );
  }
  return found[0];
}
