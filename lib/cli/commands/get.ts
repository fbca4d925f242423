import { UsageError } from '../../errors';
import { defineCommand, now, styleFor } from '../command-runtime';
import { OutputFormat, parseOutputFormat, renderStructured } from '../output-format';
import { allPoolSources, poolSources } from '../pool-catalog';
import { poolTable, summarizePool } from '../pool-views';

/**
 * `enclave-pools get pools [NAME...] [-o table|json|yaml] [--all]`: one line per pool, like
 * `kubectl get`. JSON/YAML carry each pool's conditions as objects (type, status, reason, message,
 * severity, lastTransitionTime, observedGeneration), the shape of the status table.
 */

const USAGE = 'pools [NAME...] [-o table|json|yaml] [--all]';
const HELP = `Lists pools from the deployment's spec stores and status table (names from STAGE, SPEC_BUCKET,
SPEC_TABLE, STATUS_TABLE; endpoint from AWS_ENDPOINT_URL).

Columns: NAME, CLUSTER, INSTANCE TYPE, ENCLAVES (enclave CPUs and MiB the allocator reserves),
PINNED (launch template version the node group runs), NODEGROUP (EKS status), READY (with the
reason when not True), AGE (since the first recorded event).

Options:
  -o, --output FORMAT   table (default), json or yaml
  --all                 include pools deleted in the last week

Examples:
  enclave-pools get pools
  enclave-pools get pools my-node-pool -o json | jq '.items[0].conditions'`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  all: { type: 'boolean' },
} as const;

export const getCommand = defineCommand(
  { name: 'get', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const [resource, ...names] = positionals;
    if (resource === undefined) throw new UsageError('get needs a resource: pools');
    if (resource !== 'pools' && resource !== 'pool')
      throw new UsageError(`"${resource}" is not a resource; use pools`);
    const format = parseOutputFormat(values.output);
    const sources =
      names.length > 0
        ? await Promise.all(names.map((name) => poolSources(context, name)))
        : await allPoolSources(context, values.all === true);
    const found = sources.filter(
      (s) => s.stored || s.rowUnreadable || (s.row && (values.all === true || !s.row.deleted)),
    );
    const missing = names.filter((name) => !found.some((s) => s.poolId === name));
    const pools = found.map(summarizePool);
    if (format === OutputFormat.Table) {
      if (pools.length > 0)
        context.io.stdout.write(`${poolTable(pools, now(context), styleFor(context.io.stdout, context))}\n`);
      else if (names.length === 0)
        context.io.stderr.write('no pools found; create one with "enclave-pools apply -f POOL.yaml"\n');
    } else {
      context.io.stdout.write(renderStructured({ kind: 'PoolList', items: pools }, format));
    }
    for (const name of missing) {
      const deleted = sources.find((s) => s.poolId === name)?.row?.deleted;
      context.io.stderr.write(
        deleted
          ? `error: pool ${name} not found: it was deleted; "enclave-pools get pools ${name} --all" shows its last status\n`
          : `error: pool ${name} not found (no spec and no status); check the name with "enclave-pools get pools"\n`,
      );
    }
    const unreadable = found.filter((s) => s.unreadable !== undefined || s.rowUnreadable !== undefined);
    for (const pool of unreadable) {
      for (const why of [pool.rowUnreadable, pool.unreadable].filter(Boolean))
        context.io.stderr.write(`error: pool ${pool.poolId} could not be read: ${why}\n`);
    }
    return missing.length > 0 || unreadable.length > 0 ? 1 : 0;
  },
);
