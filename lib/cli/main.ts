import { resolveRegion } from '../config';
import { AwsCallError, EnclavePoolError, UsageError } from '../errors';
import type { CliCommand, CliIo, CliServices } from './cli-command';

/**
 * `enclave-pools <command> [args]`. To add a command, write a `CliCommand` in lib/cli/commands/ and
 * append it to COMMANDS; runCli does help, unknown commands, usage errors (exit 2, one line and a
 * hint) and unexpected errors (exit 1, stack trace only with --debug).
 *
 * A command's module is imported only when that command runs: `--help` and a mistyped command load
 * nothing else (no AWS SDK), and the compiled CLI (infra/scripts/build-cli.mjs) splits its bundle
 * at these imports (docs/decisions/0081-compiled-cli.md).
 */
export interface CommandEntry {
  name: string;
  /** One line for the command list. */
  summary: string;
  load(): Promise<CliCommand>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'apply',
    summary:
      'validate a pool spec and write it to the S3 or DynamoDB store; print what the reconcile will do',
    load: async () => (await import('./commands/apply')).applyCommand,
  },
  {
    name: 'plan',
    summary:
      'show what a reconcile of a spec file would do: template diff, user data diff, roll and its impact',
    load: async () => (await import('./commands/plan')).planCommand,
  },
  {
    name: 'get',
    summary: 'list pools: cluster, instance type, enclaves, pinned version, node group status, Ready, age',
    load: async () => (await import('./commands/get')).getCommand,
  },
  {
    name: 'describe',
    summary: 'show one pool: conditions, launch template, node group, update in flight, history',
    load: async () => (await import('./commands/describe')).describeCommand,
  },
  {
    name: 'watch',
    summary: 'follow a pool roll live (progress, nodes replaced, elapsed, estimate) until its outcome',
    load: async () => (await import('./commands/watch')).watchCommand,
  },
  {
    name: 'roll',
    summary:
      'approve the roll a pool with roll: manual is waiting for (RollPending) and queue the pass that starts it',
    load: async () => (await import('./commands/roll')).rollCommand,
  },
  {
    name: 'delete',
    summary: 'delete a pool spec; the reconciler then deletes its node group and launch template',
    load: async () => (await import('./commands/delete')).deleteCommand,
  },
  {
    name: 'validate',
    summary: 'check pool spec files and print every violation (--live also checks against AWS)',
    load: async () => (await import('./commands/validate')).validateCommand,
  },
  {
    name: 'lint-pods',
    summary:
      "check enclave workloads (hugepages, enclave device, CPUs, selectors, taints) against a pool's allocator",
    load: async () => (await import('./commands/lint-pods')).lintPodsCommand,
  },
  {
    name: 'manifests',
    summary:
      'print Kubernetes manifests for a pool (device-plugin: the Nitro Enclaves device plugin DaemonSet)',
    load: async () => (await import('./commands/manifests')).manifestsCommand,
  },
];

const PROGRAM = 'enclave-pools';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `usage: ${PROGRAM} <command> [arguments] [--debug]`,
    '',
    'commands:',
    ...lines,
    '',
    `Run "${PROGRAM} <command> --help" for a command's arguments.`,
    '',
  ].join('\n');
}

/** A network error under the SDK's wrapping (ECONNREFUSED, ENOTFOUND, ...), if that is what it is. */
function networkCode(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The one-line message for an unexpected error. A connection that could not be made is said in
 * our words (which endpoint, what to start), not as the socket error's text.
 */
function describeFailure(error: unknown, io: CliIo): { message: string; hint?: string } {
  const raw = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  const endpoint = io.env.AWS_ENDPOINT_URL;
  const code = networkCode(error);
  if (code === 'ECONNREFUSED' && endpoint) {
    return {
      message: `nothing answers at ${endpoint} (connection refused)`,
      hint: 'start the local stack with "npm start" (it prints the exports to use), or point AWS_ENDPOINT_URL at a running one',
    };
  }
  if ((code === 'ENOTFOUND' || code === 'EAI_AGAIN') && endpoint) {
    return {
      message: `cannot resolve the host of ${endpoint}`,
      hint: 'check AWS_ENDPOINT_URL; leave it unset to use the real AWS endpoints',
    };
  }
  if (error instanceof AwsCallError) {
    return {
      message: raw,
      hint: `the call went to ${endpoint || 'the real AWS endpoints'} in ${resolveRegion(io.env)}; check AWS_ENDPOINT_URL, AWS_REGION and the credentials, or run again with --debug`,
    };
  }
  // The project's own errors already say what to do (CONVENTIONS: message = problem + fix).
  if (error instanceof EnclavePoolError) return { message: raw };
  return { message: raw, hint: 'run again with --debug for details' };
}

async function defaultServices(io: CliIo): Promise<CliServices> {
  const [{ clientSettingsFromEnv, clientsOnDemand }, { SDK_CLIENT_LOADERS }] = await Promise.all([
    import('../aws/client-factory'),
    import('../aws/client-loaders'),
  ]);
  // One set of clients per CLI call; an SDK package is loaded when a command first names its client.
  return { awsClients: clientsOnDemand(clientSettingsFromEnv(io.env), SDK_CLIENT_LOADERS) };
}

export async function runCli(argv: readonly string[], io: CliIo, services?: CliServices): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv.filter((a) => a !== '--debug');
  if (name === undefined) {
    io.stderr.write(`error: no command given\n${usage()}`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(
      `error: unknown command "${name}"\nhint: run "${PROGRAM} --help" for the list of commands\n`,
    );
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(
      `usage: ${PROGRAM} ${command.name} ${command.usage}\n${entry.summary}\n${command.help ? `\n${command.help.replace(/\n*$/, '\n')}` : ''}`,
    );
    return 0;
  }
  try {
    return await command.run(rest, { io, services: services ?? (await defaultServices(io)), debug });
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\nhint: usage: ${PROGRAM} ${command.name} ${command.usage}\n`);
      return 2;
    }
    const failure = describeFailure(error, io);
    io.stderr.write(`error: ${failure.message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    else if (failure.hint) io.stderr.write(`hint: ${failure.hint}\n`);
    return 1;
  }
}
