import { clientSettingsFromEnv, createAwsClients } from '../aws/client-factory';
import { resolveRegion } from '../config';
import { EnclavePoolError, TerminalAwsError, TransientAwsError, UsageError } from '../errors';
import type { CliCommand, CliIo, CliServices } from './cli-command';
import { applyCommand } from './commands/apply';
import { deleteCommand } from './commands/delete';
import { describeCommand } from './commands/describe';
import { getCommand } from './commands/get';
import { lintPodsCommand } from './commands/lint-pods';
import { manifestsCommand } from './commands/manifests';
import { planCommand } from './commands/plan';
import { validateCommand } from './commands/validate';
import { watchCommand } from './commands/watch';

/**
 * `enclave-pools <command> [args]`. To add a command, write a `CliCommand` in lib/cli/commands/ and
 * append it to COMMANDS; runCli does help, unknown commands, usage errors (exit 2, one line and a
 * hint) and unexpected errors (exit 1, stack trace only with --debug).
 */
export const COMMANDS: CliCommand[] = [
  applyCommand,
  planCommand,
  getCommand,
  describeCommand,
  watchCommand,
  deleteCommand,
  validateCommand,
  lintPodsCommand,
  manifestsCommand,
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

/** What to do about an unexpected error: AWS errors point at the endpoint, region and credentials in use. */
function hintFor(error: unknown, io: CliIo): string | undefined {
  if (error instanceof TransientAwsError || error instanceof TerminalAwsError) {
    const endpoint = io.env.AWS_ENDPOINT_URL || 'the real AWS endpoints';
    return `the call went to ${endpoint} in ${resolveRegion(io.env)}; check AWS_ENDPOINT_URL, AWS_REGION and the credentials (or that the sandbox runs: npm run sandbox:start), or run again with --debug`;
  }
  // The project's own errors already say what to do (CONVENTIONS: message = problem + fix).
  if (error instanceof EnclavePoolError) return undefined;
  return 'run again with --debug for details';
}

function defaultServices(io: CliIo): CliServices {
  return { awsClients: () => createAwsClients(clientSettingsFromEnv(io.env)) };
}

export async function runCli(
  argv: readonly string[],
  io: CliIo,
  services: CliServices = defaultServices(io),
): Promise<number> {
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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(
      `error: unknown command "${name}"\nhint: run "${PROGRAM} --help" for the list of commands\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(
      `usage: ${PROGRAM} ${command.name} ${command.usage}\n${command.summary}\n${command.help ? `\n${command.help.replace(/\n*$/, '\n')}` : ''}`,
    );
    return 0;
  }
  try {
    return await command.run(rest, { io, services, debug });
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\nhint: usage: ${PROGRAM} ${command.name} ${command.usage}\n`);
      return 2;
    }
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
    io.stderr.write(`error: ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    else {
      const hint = hintFor(error, io);
      if (hint) io.stderr.write(`hint: ${hint}\n`);
    }
    return 1;
  }
}
