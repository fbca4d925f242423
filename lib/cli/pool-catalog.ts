import { StatusTable } from '../aws/status-table';
import { listStatusRows } from '../aws/status-table-reader';
import type { StatusRow } from '../status/status-row';
import type { CliContext } from './cli-command';
import { resourceNames } from './command-runtime';
import { isMissingStore, listStoredPoolIds, loadStoredSpec, validateStored } from './pool-spec-loader';
import type { PoolSources } from './pool-views';

/**
 * Gathers what the CLI knows about pools: the status rows the reconciler wrote and the specs in
 * the stores, joined by pool id.
 */

async function statusRow(context: CliContext, poolId: string): Promise<StatusRow | undefined> {
  const table = new StatusTable(context.services.awsClients(), resourceNames(context).statusTable);
  try {
    return await table.get(poolId);
  } catch (error: unknown) {
    if (isMissingStore(error)) return undefined;
    throw error;
  }
}

export async function poolSources(context: CliContext, poolId: string): Promise<PoolSources> {
  const [row, found] = await Promise.all([statusRow(context, poolId), loadStoredSpec(context, poolId)]);
  const loaded = found ? validateStored(found.stored, context) : undefined;
  return {
    poolId,
    ...(row ? { row } : {}),
    ...(loaded ? { stored: loaded.stored, violations: loaded.violations } : {}),
    ...(loaded?.spec ? { spec: loaded.spec } : {}),
  };
}

/** Every pool with a spec or a status row; deleted pools only when asked for. */
export async function allPoolSources(context: CliContext, includeDeleted: boolean): Promise<PoolSources[]> {
  const [rows, ids] = await Promise.all([
    listStatusRows(context.services.awsClients(), resourceNames(context).statusTable),
    listStoredPoolIds(context),
  ]);
  const byId = new Map((rows ?? []).map((row) => [row.poolId, row] as const));
  const all = [...new Set([...byId.keys(), ...ids])].sort();
  const sources: PoolSources[] = [];
  for (const poolId of all) {
    const row = byId.get(poolId);
    const found = ids.includes(poolId) ? await loadStoredSpec(context, poolId) : undefined;
    if (!found && row?.deleted && !includeDeleted) continue;
    const loaded = found ? validateStored(found.stored, context) : undefined;
    sources.push({
      poolId,
      ...(row ? { row } : {}),
      ...(loaded ? { stored: loaded.stored, violations: loaded.violations } : {}),
      ...(loaded?.spec ? { spec: loaded.spec } : {}),
    });
  }
  return sources;
}
