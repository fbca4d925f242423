import { UsageError } from '../../errors';
import type { CliContext } from '../cli-command';
import { ask, defineCommand, now, onePoolName, parseSeconds, pause, specStores } from '../command-runtime';
import { formatDuration } from '../duration-format';
import { poolSources } from '../pool-catalog';
import type { PoolSources } from '../pool-views';

/**
 * `enclave-pools delete NAME [--yes] [--wait]`: removes the pool's spec from its store. The event
 * path then deletes the node group (draining its nodes), then the launch template, and marks the
 * status row deleted. Asks first on a terminal; scripts must say --yes.
 */

const USAGE = '[pool] NAME [--yes] [--wait [--timeout 30m]]';
const HELP = `Deletes the pool's spec (S3 object or DynamoDB item). The reconciler then deletes the node group
(EKS drains and terminates its nodes), then the launch template, and marks the status row deleted;
"describe pool NAME" shows Ready=False (Deleting) meanwhile.

Options:
  -y, --yes           do not ask (required when stdin is not a terminal)
  --wait              wait until the status row says the pool is deleted
  --timeout DURATION  how long --wait waits (default 30m)
  --interval DURATION how often --wait looks (default 5s)

Example:
  enclave-pools delete my-node-pool --yes --wait`;

const OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
} as const;

export const deleteCommand = defineCommand(
  { name: 'delete', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const name = onePoolName('delete', positionals, 'removes one pool at a time');
    const timeout = parseSeconds('--timeout', values.timeout, 30 * 60);
    const interval = parseSeconds('--interval', values.interval, 5);

    const sources = await poolSources(context, name);
    const row = sources.row;
    if (!sources.stored) {
      if (row && !row.deleted) {
        context.io.stdout.write(
          `pool ${name} has no spec any more; the reconciler is deleting its resources (see "enclave-pools describe pool ${name}")\n`,
        );
        return 0;
      }
      const why = row?.deleted
        ? `was already deleted${row.deletedAt ? ` at ${row.deletedAt}` : ''}`
        : 'not found (no spec in either store)';
      context.io.stderr.write(`error: pool ${name} ${why}; check the name with "enclave-pools get pools"\n`);
      return 1;
    }
    const consequence = deletionConsequence(sources);

    if (!values.yes) {
      const answer = await ask(
        context,
        `Delete pool ${name} (${sources.stored.location})?${consequence ? ` The reconciler will then delete ${consequence}.` : ''} [y/N] `,
      );
      if (answer === undefined) {
        throw new UsageError(
          `delete asks for confirmation and there is no terminal to ask on; pass --yes to delete pool ${name}`,
        );
      }
      if (!/^y(es)?$/i.test(answer.trim())) {
        context.io.stdout.write('not deleted\n');
        return 1;
      }
    }

    await (await specStores(context))[sources.stored.source].delete(name);
    context.io.stdout.write(
      `pool ${name}: spec deleted from ${sources.stored.location}; the reconciler ${consequence ? `now deletes ${consequence}` : 'cleans up'}\n`,
    );
    if (!values.wait) {
      context.io.stdout.write(`Follow it: enclave-pools describe pool ${name}\n`);
      return 0;
    }
    return waitForDeletion(context, name, timeout, interval);
  },
);

/** What the reconciler deletes after the spec: the node group (with its size) and the launch template. */
function deletionConsequence(sources: PoolSources): string {
  const row = sources.row;
  const nodegroup =
    row?.nodegroup ??
    (sources.spec ? { name: sources.spec.nodegroupName, desiredSize: sources.spec.replicas } : undefined);
  const template = row?.launchTemplate?.name;
  return [
    nodegroup
      ? `node group ${nodegroup.name}${nodegroup.desiredSize !== undefined ? ` (${nodegroup.desiredSize} node${nodegroup.desiredSize === 1 ? '' : 's'})` : ''}`
      : undefined,
    template ? `launch template ${template}` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
}

/** --wait: polls the status row until it says deleted, or the timeout passes. */
async function waitForDeletion(
  context: CliContext,
  name: string,
  timeout: number,
  interval: number,
): Promise<number> {
  const started = now(context).getTime();
  for (;;) {
    const current = (await poolSources(context, name)).row;
    if (!current || current.deleted) {
      context.io.stdout.write(`pool ${name} deleted (${formatDuration(now(context).getTime() - started)})\n`);
      return 0;
    }
    if (now(context).getTime() - started > timeout * 1000) {
      context.io.stderr.write(
        `error: pool ${name} is still being deleted after ${formatDuration(timeout * 1000)} (node group ${current.nodegroup?.status ?? 'gone'}); check "enclave-pools describe pool ${name}" and wait longer with --timeout\n`,
      );
      return 1;
    }
    await pause(context, interval * 1000);
  }
}
