import { Nodegroups } from '../../aws/nodegroups';
import { StatusTable } from '../../aws/status-table';
import type { CliContext } from '../cli-command';
import {
  defineCommand,
  now,
  onePoolName,
  parseSeconds,
  pause,
  resourceNames,
  styleFor,
} from '../command-runtime';
import { isMissingStore, loadStoredSpec } from '../pool-spec-loader';
import { RollWatcher, type WatchPorts, WatchResult } from '../roll-watcher';

/**
 * `enclave-pools watch NAME [--interval 10s] [--timeout 2h]`: follows the pool's roll (or config
 * update) live and ends with its outcome. Exit 0 when it succeeded or nothing was in flight, 1
 * when it failed, timed out, or the pool does not exist.
 */

const USAGE = 'NAME [--interval DURATION] [--timeout DURATION]';
const HELP = `Follows the node group update of a pool until it ends: the EKS update's status, nodes replaced
out of the total (per Availability Zone) and the pace, as the reconciler counted them from the node
group's EC2 instances at its last pass (the status row's rollProgress; EKS itself reports no node
counts), the elapsed time, and the remaining time from the reconciler's estimate (or, before the first
node is replaced, from the pool's last roll). On a terminal it redraws one progress line; otherwise it
prints a timestamped line whenever something changes (and once a minute).

If the reconciler has not picked up the newest spec yet, watch waits for it; if nothing is in flight
it says so and shows the last update. After a roll, watch waits for the status table to record it and
prints Ready; a roll that follows a config update is followed too.

Options:
  --interval DURATION   time between polls (default 10s; e.g. 5s, 1m)
  --timeout DURATION    give up after this long (default 2h); the update keeps running at EKS

Example:
  enclave-pools watch my-node-pool`;

async function ports(context: CliContext): Promise<WatchPorts> {
  const clients = await context.services.awsClients('documents', 'eks');
  const statusTable = new StatusTable(clients, resourceNames(context).statusTable);
  const nodegroups = new Nodegroups(clients);
  return {
    async statusRow(poolId) {
      try {
        return await statusTable.get(poolId);
      } catch (error: unknown) {
        if (isMissingStore(error)) return undefined;
        throw error;
      }
    },
    storedGeneration: async (poolId) => (await loadStoredSpec(context, poolId))?.stored.generation,
    describeUpdate: (cluster, nodegroup, id) => nodegroups.describeUpdate(cluster, nodegroup, id),
    findInProgressUpdate: (cluster, nodegroup) => nodegroups.findInProgressUpdate(cluster, nodegroup),
    describeNodegroup: (cluster, nodegroup) => nodegroups.describe(cluster, nodegroup),
    now: () => now(context),
    sleep: (ms) => pause(context, ms),
  };
}

const OPTIONS = {
  interval: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export const watchCommand = defineCommand(
  { name: 'watch', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const poolId = onePoolName('watch', positionals, 'follows one pool');
    const intervalMs = parseSeconds('--interval', values.interval, 10) * 1000;
    const timeoutMs = parseSeconds('--timeout', values.timeout, 2 * 3600) * 1000;
    const watcher = new RollWatcher(
      await ports(context),
      // The reconciler records an update's end at its next requeued pass (30 s by default on AWS).
      { poolId, intervalMs, timeoutMs, recordWaitMs: Math.max(3 * intervalMs, 150_000) },
      context.io.stdout,
      styleFor(context.io.stdout, context),
    );
    const result = await watcher.run();
    return result === WatchResult.Succeeded || result === WatchResult.NothingToWatch ? 0 : 1;
  },
);
