import type { AwsClients } from '../../lib/aws/client-factory';
import { StatusTable } from '../../lib/aws/status-table';
import type { StatusRow } from '../../lib/status/status-row';

/**
 * Prints a pool's conditions each time they change, until `until` holds or the timeout passes.
 * Used by `npm start` to show the example pool converge; the CLI's `watch` is the full version.
 */
export interface FollowResult {
  row: StatusRow | undefined;
  reached: boolean;
  elapsedMs: number;
}

export async function followPoolStatus(
  clients: AwsClients,
  statusTableName: string,
  poolId: string,
  options: {
    until: (row: StatusRow | undefined) => boolean;
    print: (line: string) => void;
    timeoutMs: number;
    pollMs?: number;
    shouldStop?: () => boolean;
  },
): Promise<FollowResult> {
  const table = new StatusTable(clients, statusTableName);
  const started = Date.now();
  let lastShown = '';
  let row: StatusRow | undefined;
  while (Date.now() - started < options.timeoutMs && !options.shouldStop?.()) {
    row = await table.get(poolId);
    const shown = describeConditions(row);
    if (shown !== lastShown) {
      lastShown = shown;
      const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
      options.print(`[${seconds}s] ${poolId}: ${shown}`);
    }
    if (options.until(row)) return { row, reached: true, elapsedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
  return { row, reached: false, elapsedMs: Date.now() - started };
}

export function describeConditions(row: StatusRow | undefined): string {
  if (!row) return 'no status yet';
  const parts = row.conditions.map((condition) =>
    condition.status === 'True'
      ? `${condition.type}=True`
      : `${condition.type}=${condition.status} (${condition.reason})`,
  );
  const update =
    row.update?.status === 'InProgress' ? `  update ${row.update.type} ${row.update.status}` : '';
  return `${parts.join('  ')}${update}`;
}
