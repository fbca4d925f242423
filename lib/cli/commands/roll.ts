import { PoolQueue } from '../../aws/pool-queue';
import { StatusTable } from '../../aws/status-table';
import { TriggerKind } from '../../dispatch/pool-trigger';
import { ConcurrentUpdateError } from '../../errors';
import { appendHistory, type StatusRow } from '../../status/status-row';
import type { CliContext } from '../cli-command';
import { defineCommand, now, onePoolName, resourceNames } from '../command-runtime';

/**
 * `enclave-pools roll NAME`: approves the roll a pool with `enclave-pools.aws/roll: manual` is
 * holding (RollPending). It records the approval for the data the pool's new version carries in
 * the status row (a write conditional on the revision read, so it never overwrites a pass), then
 * queues a pass, which starts the roll (inside the maintenance window, if the pool has one).
 */

const USAGE = '[pool] NAME';
const HELP = `Approves the roll a pool with the annotation enclave-pools.aws/roll: manual is waiting for
(describe shows Ready=False, reason RollPending, with what the roll changes). The approval holds for
the launch template data the pool's new version carries: a spec written afterwards with other data
waits for its own approval. The next reconcile pass (queued by this command) starts the roll; a
maintenance window still applies.

Example:
  enclave-pools roll my-node-pool`;

/** Tries again when a reconcile pass wrote the row between our read and our write. */
const WRITE_ATTEMPTS = 3;

function pendingRoll(
  row: StatusRow | undefined,
  name: string,
): { version: number; dataHash: string } | string {
  if (!row || row.deleted)
    return `pool ${name} has no status row (or was deleted); check the name with "enclave-pools get pools"`;
  const lt = row.launchTemplate;
  if (!lt?.dataHash || lt.targetVersion === undefined) {
    return `pool ${name} has no launch template version for its spec yet; wait for a reconcile pass ("enclave-pools describe pool ${name}")`;
  }
  if (lt.pinnedVersion === lt.targetVersion) {
    return `pool ${name} already runs launch template version ${lt.targetVersion}, the one its spec renders: nothing to roll`;
  }
  return { version: lt.targetVersion, dataHash: lt.dataHash };
}

async function approve(
  context: CliContext,
  table: StatusTable,
  name: string,
): Promise<{ version: number; alreadyApproved: boolean } | string> {
  for (let attempt = 1; ; attempt++) {
    const row = await table.get(name);
    const pending = pendingRoll(row, name);
    if (typeof pending === 'string' || !row) return typeof pending === 'string' ? pending : 'no row';
    if (row.rollApproval?.dataHash === pending.dataHash)
      return { version: pending.version, alreadyApproved: true };
    const at = now(context).toISOString();
    const next: StatusRow = {
      ...row,
      updatedAt: at,
      rollApproval: { dataHash: pending.dataHash, launchTemplateVersion: pending.version, approvedAt: at },
      history: appendHistory(row.history, [
        {
          at,
          event: 'RollApproved',
          message: `enclave-pools roll approved the roll to launch template version ${pending.version}`,
          launchTemplateVersion: pending.version,
        },
      ]),
    };
    try {
      await table.put(next, row.revision);
      return { version: pending.version, alreadyApproved: false };
    } catch (error: unknown) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= WRITE_ATTEMPTS) throw error;
    }
  }
}

const OPTIONS = {} as const;

export const rollCommand = defineCommand(
  { name: 'roll', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ positionals }, context) => {
    const name = onePoolName('roll', positionals, 'approves one pool at a time');
    const clients = await context.services.awsClients('documents', 'sqs');
    const resources = resourceNames(context);
    const result = await approve(context, new StatusTable(clients, resources.statusTable), name);
    if (typeof result === 'string') {
      context.io.stderr.write(`error: ${result}\n`);
      return 1;
    }
    await new PoolQueue(clients, resources.reconcileQueue).send({
      body: { poolId: name, trigger: TriggerKind.RollApproved },
      delaySeconds: 0,
    });
    context.io.stdout.write(
      `pool ${name}: roll to launch template version ${result.version} ${result.alreadyApproved ? 'was already approved' : 'approved'}; a reconcile pass is queued to start it\n` +
        `Follow it: enclave-pools watch ${name}\n`,
    );
    return 0;
  },
);
