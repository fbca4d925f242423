import { open } from 'node:fs/promises';
import { createLiveFactsReader, type LiveFactsReader } from '../../aws/live-facts-reader';
import { UsageError } from '../../errors';
import { allowListFromEnvironment } from '../../manifests/deployment-allow-list';
import { variablesFromEnvironment } from '../../manifests/deployment-variables';
import { MAX_DOCUMENT_BYTES } from '../../manifests/store-format';
import { validatePoolSpecBytes } from '../../manifests/validate-pool-spec';
import type { Violation } from '../../pool-spec';
import { INSTANCE_FACTS_SNAPSHOT, snapshotInstanceFacts } from '../../rules/instance-facts';
import {
  checkInstanceTypeRules,
  checkLiveRules,
  type LiveRuleInput,
  liveFactsRequest,
} from '../../rules/live-rules';
import { Rule } from '../../rules/rules';
import type { CliCommand, CliContext } from '../cli-command';
import {
  parseCommandArgs,
  parseReportOutput,
  parseVariableOverrides,
  unreadableFile,
} from '../command-runtime';
import { type FileReport, isValid, writeHumanReport, writeJsonReport } from '../violation-report';

/**
 * `enclave-pools validate FILE... [--live] [--output json] [--var NAME=VALUE]... [--pool-id ID]`
 *
 * Offline by default (no AWS call at all): the instance-type rules use the bundled instance facts
 * snapshot. With --live it reads the instance types, subnets, zones and cluster from the configured
 * AWS endpoint instead; it never writes. It never says "valid" when a rule could not run: the
 * report names what was not checked and why.
 * Exit 0 when every file is valid (warnings allowed), 1 when any has an Error, 2 on usage errors.
 */

export const USAGE = 'FILE... [--live] [--output human|json] [--var NAME=VALUE]... [--pool-id ID]';

interface ValidateArgs {
  files: string[];
  live: boolean;
  output: 'human' | 'json';
  overrides: Record<string, string>;
  poolId?: string;
}

function parseValidateArgs(args: readonly string[]): ValidateArgs {
  const { values, positionals } = parseCommandArgs(args, {
    live: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    var: { type: 'string', multiple: true },
    'pool-id': { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('validate needs at least one FILE');
  const output = parseReportOutput(values.output);
  const overrides = parseVariableOverrides(values.var);
  if (values['pool-id'] !== undefined && positionals.length > 1) {
    throw new UsageError('--pool-id applies to one FILE; validate the files one at a time');
  }
  return {
    files: positionals,
    live: values.live === true,
    output,
    overrides,
    ...(values['pool-id'] !== undefined ? { poolId: values['pool-id'] } : {}),
  };
}

/** Reads at most one byte more than the limit, so an oversized file is reported without loading it. */
export async function readBounded(file: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error: unknown) {
    throw unreadableFile(file, error);
  }
  try {
    const buffer = Buffer.alloc(MAX_DOCUMENT_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      `cannot read ${file}: ${code === 'EISDIR' ? 'it is a directory' : (code ?? String(error))}`,
    );
  } finally {
    await handle.close();
  }
}

/**
 * Offline, the instance-type rules run on the bundled snapshot of DescribeInstanceTypes data; a
 * type the snapshot does not know is listed as not checked rather than called unknown.
 */
function checkOfflineInstanceRules(input: LiveRuleInput, notChecked: string[]): Violation[] {
  const type = input.instanceType;
  if (!type) return [];
  const facts = snapshotInstanceFacts(type);
  if (!facts) {
    notChecked.push(
      `instance type ${type}: not in the instance facts snapshot of ${INSTANCE_FACTS_SNAPSHOT.date}; --live reads it from AWS`,
    );
    return [];
  }
  return checkInstanceTypeRules(input, { [type]: facts });
}

export const validateCommand: CliCommand = {
  name: 'validate',
  usage: USAGE,
  async run(args: readonly string[], context: CliContext): Promise<number> {
    const options = parseValidateArgs(args);
    const variables = variablesFromEnvironment(context.io.env, options.overrides);
    let reader: LiveFactsReader | undefined;
    const reports: FileReport[] = [];
    for (const file of options.files) {
      const bytes = await readBounded(file);
      const result = validatePoolSpecBytes(bytes, {
        variables,
        ...(options.poolId !== undefined ? { poolId: options.poolId } : {}),
        // The deployment's allow-lists, when the shell sets them as the functions get them.
        allowList: allowListFromEnvironment(context.io.env),
      });
      const violations = [...result.violations];
      const notChecked: string[] = [];
      const input = result.liveInput;
      if (input && options.live) {
        reader ??= createLiveFactsReader(await context.services.awsClients('ec2', 'eks'));
        const facts = await reader.gather(liveFactsRequest(input));
        violations.push(...checkLiveRules(input, facts));
        if (!facts.instanceTypeOfferings) notChecked.push('instance type offerings per zone (not read)');
      } else if (input) {
        violations.push(...checkOfflineInstanceRules(input, notChecked));
        notChecked.push(
          'subnets, zones, instance type offerings and the cluster (existence, version skew, its security ' +
            'group): they need AWS, run with --live',
        );
      }
      if (
        input?.enclavesEnabled &&
        !input.allocator &&
        violations.some((v) => v.rule === Rule.AllocatorCommandUnrecognised)
      ) {
        notChecked.push(
          'the allocator reservation against the instance type: a command writing allocator.yaml could not be modelled',
        );
      }
      reports.push({ file, violations, notChecked });
    }
    if (options.output === 'json') writeJsonReport(context.io.stdout, reports);
    else writeHumanReport(context.io.stdout, reports);
    return reports.every((r) => isValid(r.violations)) ? 0 : 1;
  },
};
