import { StatusTable } from '../aws/status-table';
import { scanProjected } from '../aws/status-table-reader';
import { mapBounded } from '../bounded';
import { EnclavePoolError, StatusRowInvalidError, TransientAwsError } from '../errors';
import type { StoredSpecRef } from '../pool-spec';
import type { StatusRow } from '../status/status-row';
import { statusRowProblems, unreadableRowMessage } from '../status/status-row-check';
import type { CliContext } from './cli-command';
import { resourceNames, specStores } from './command-runtime';
import { isMissingStore, loadStoredSpec, validateStored } from './pool-spec-loader';
import type { PoolSources } from './pool-views';

/**
 * Gathers what the CLI knows about pools: the status rows the reconciler wrote and the specs in
 * the stores, joined by pool id.
 */

/** The pool's row, or why the item there is not one (the pool is then shown with that error). */
async function statusRow(
  context: CliContext,
  poolId: string,
): Promise<{ row?: StatusRow; rowUnreadable?: string }> {
  const table = new StatusTable(
    await context.services.awsClients('documents'),
    resourceNames(context).statusTable,
  );
  try {
    const row = await table.get(poolId);
    return row ? { row } : {};
  } catch (error: unknown) {
    if (isMissingStore(error)) return {};
    if (error instanceof StatusRowInvalidError) return { rowUnreadable: error.message };
    throw error;
  }
}

export async function poolSources(context: CliContext, poolId: string): Promise<PoolSources> {
  const [read, found] = await Promise.all([statusRow(context, poolId), loadStoredSpec(context, poolId)]);
  const sources = sourcesOf(context, poolId, read.row, found);
  return read.rowUnreadable ? { ...sources, rowUnreadable: read.rowUnreadable } : sources;
}

/** The pool's status row beside its stored spec, validated as the reconciler validates it. */
function sourcesOf(
  context: CliContext,
  poolId: string,
  row: StatusRow | undefined,
  found: Awaited<ReturnType<typeof loadStoredSpec>>,
): PoolSources {
  const loaded = found ? validateStored(found.stored, context) : undefined;
  return {
    poolId,
    ...(row ? { row } : {}),
    ...(loaded ? { stored: loaded.stored, violations: loaded.violations } : {}),
    ...(loaded?.spec ? { spec: loaded.spec } : {}),
  };
}

/**
 * The status-row attributes the pool list shows (summarizePool), so the scan reads a few hundred
 * bytes per pool instead of the whole row with its history.
 */
const LISTED_ROW_ATTRIBUTES = [
  'poolId',
  'deleted',
  'clusterName',
  'nodegroupName',
  // AGE: rows written before createdAt existed fall back to history[0] in summarizePool; the list
  // leaves that fallback out (moto rejects a list index in a projection; see docs/cli.md).
  'createdAt',
  'conditions',
  'observedGeneration',
  'specSource',
  'specLocation',
  'specSummary',
  'launchTemplate.pinnedVersion',
  'nodegroup.status',
  // ROLL: a few numbers per zone, and only while a roll runs.
  'rollProgress',
];

/** Specs read at once when the rows cannot tell (new or edited pools): a bound on sockets, not a rate. */
export const SPEC_LOAD_CONCURRENCY = 16;

/** Every stored spec, both stores, by pool id (two entries = one pool in two places). */
async function storedRefs(context: CliContext): Promise<Map<string, StoredSpecRef[]>> {
  const stores = await specStores(context);
  const lists = await Promise.all(
    Object.values(stores).map(async (store) => {
      try {
        return await store.listRefs();
      } catch (error: unknown) {
        if (isMissingStore(error)) return [];
        throw error;
      }
    }),
  );
  const byPool = new Map<string, StoredSpecRef[]>();
  for (const ref of lists.flat()) byPool.set(ref.poolId, [...(byPool.get(ref.poolId) ?? []), ref]);
  return byPool;
}

/**
 * Every pool with a spec or a status row; deleted pools only when asked for. One projected scan of
 * the status table and one listing per store; a spec is read (and validated) only when its row
 * does not summarize that very spec: no row yet, a row from another generation or location, or a
 * spec that did not validate (its violations are shown).
 */
export async function allPoolSources(context: CliContext, includeDeleted: boolean): Promise<PoolSources[]> {
  const [rows, refs] = await Promise.all([
    scanProjected<StatusRow>(
      await context.services.awsClients('documents'),
      resourceNames(context).statusTable,
      LISTED_ROW_ATTRIBUTES,
    ),
    storedRefs(context),
  ]);
  // A row that is not a status row (an item put by hand) is listed with its error instead, and
  // never read further: one such item must not break the list for every pool.
  const tableName = resourceNames(context).statusTable;
  const byId = new Map<string, StatusRow>();
  const badRows = new Map<string, string>();
  for (const row of rows ?? []) {
    const problems = statusRowProblems(row, LISTED_ROW_ATTRIBUTES);
    if (problems.length === 0) byId.set(row.poolId, row);
    else badRows.set(String(row.poolId), unreadableRowMessage(tableName, String(row.poolId), problems));
  }
  const all = [...new Set([...byId.keys(), ...badRows.keys(), ...refs.keys()])].sort();
  const listed = await mapBounded(all, SPEC_LOAD_CONCURRENCY, async (poolId) => {
    const sources = await listedSources(poolId);
    const rowUnreadable = badRows.get(poolId);
    return sources && rowUnreadable ? { ...sources, rowUnreadable } : sources;
  });
  return listed.filter((sources): sources is PoolSources => sources !== undefined);

  async function listedSources(poolId: string): Promise<PoolSources | undefined> {
    const row = byId.get(poolId);
    const stored = refs.get(poolId) ?? [];
    if (stored.length === 0) {
      if (badRows.has(poolId)) return { poolId };
      if (row?.deleted && !includeDeleted) return undefined;
      return { poolId, ...(row ? { row } : {}) };
    }
    const [only] = stored;
    if (
      only &&
      stored.length === 1 &&
      row?.specSummary &&
      row.specLocation === only.location &&
      row.observedGeneration === only.generation
    ) {
      return { poolId, row, stored: only, summary: row.specSummary };
    }
    try {
      return sourcesOf(context, poolId, row, await loadStoredSpec(context, poolId));
    } catch (error: unknown) {
      // One pool that cannot be read (an item whose spec is not text, an object that is gone)
      // is a row with its error; the list goes on with the others.
      if (!(error instanceof EnclavePoolError) || error instanceof TransientAwsError) throw error;
      return {
        poolId,
        ...(row ? { row } : {}),
        ...(only ? { stored: only } : {}),
        unreadable: error.message,
      };
    }
  }
}
