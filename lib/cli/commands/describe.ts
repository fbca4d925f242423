import { UsageError } from '../../errors';
import { defineCommand, now, styleFor } from '../command-runtime';
import { parseOutputFormat, renderStructured } from '../output-format';
import { poolSources } from '../pool-catalog';
import { describePool, describePoolText } from '../pool-views';

/**
 * `enclave-pools describe pool NAME [-o json|yaml]`: everything known about one pool: conditions
 * with reasons and messages, the launch template versions, the node group, the update in flight,
 * a failed roll and its hint, and the recent history.
 */

const USAGE = 'pool NAME [-o json|yaml]';
const HELP = `Shows one pool: its spec location and generation, Ready, the conditions (type, status, reason,
how long, message), the launch template (pinned, target, last known good, latest version), the node
group (status, sizes, health issues), the update in flight, a failed roll with its remediation hint,
and the last events.

Options:
  -o, --output FORMAT   text (default), json or yaml

Example:
  enclave-pools describe pool my-node-pool`;

const OPTIONS = { output: { type: 'string', short: 'o' } } as const;

export const describeCommand = defineCommand(
  { name: 'describe', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const [resource, name, ...extra] = positionals;
    if (resource === undefined) throw new UsageError('describe needs a resource and a name: pool NAME');
    if (resource !== 'pool' && resource !== 'pools')
      throw new UsageError(`"${resource}" is not a resource; use pool`);
    if (name === undefined) throw new UsageError('describe pool needs the pool name');
    if (extra.length > 0) throw new UsageError(`describe shows one pool at a time; unexpected "${extra[0]}"`);
    const format =
      values.output === undefined || values.output === 'text'
        ? 'text'
        : parseOutputFormat(values.output, ['json', 'yaml']);
    const sources = await poolSources(context, name);
    if (sources.rowUnreadable) {
      context.io.stderr.write(`error: pool ${name} could not be described: ${sources.rowUnreadable}\n`);
      return 1;
    }
    if (!sources.row && !sources.stored) {
      context.io.stderr.write(
        `error: pool ${name} not found (no spec and no status); check the name with "enclave-pools get pools"\n`,
      );
      return 1;
    }
    const description = describePool(sources);
    if (format === 'json' || format === 'yaml')
      context.io.stdout.write(renderStructured(description, format));
    else
      context.io.stdout.write(
        describePoolText(description, now(context), styleFor(context.io.stdout, context)),
      );
    return 0;
  },
);
