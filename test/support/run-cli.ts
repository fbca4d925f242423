import { operatorCredentials } from '../../infra/iam/sandbox-principals';
import { createAwsClients } from '../../lib/aws/all-clients';
import { type AwsClients, clientSettingsFromEnv } from '../../lib/aws/client-factory';
import type { CliServices } from '../../lib/cli/cli-command';
import { runCli } from '../../lib/cli/main';

/**
 * Runs the CLI in-process with captured output, as a test would type it:
 * `await cli('get', 'pools', '-o', 'json')`. The clients point at this worker's sandbox, with the
 * operator's credentials (docs/operator-policy.json).
 */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  tty?: boolean;
  services?: Partial<CliServices>;
  clients?: AwsClients;
}

/**
 * `clients` as the CLI's services hand them out: only the clients a call site names, so a command
 * that uses a client it did not name fails here as it would in the compiled CLI.
 */
export function namedClients(clients: AwsClients): CliServices['awsClients'] {
  return async (...names) =>
    Object.fromEntries(names.map((name) => [name, clients[name]])) as Pick<
      AwsClients,
      (typeof names)[number]
    >;
}

export async function runCliCaptured(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const tty = options.tty === true;
  const env = { ...process.env, ...(options.env ?? {}) };
  // The operator's credentials: the sandbox's IAM gate holds the CLI to docs/operator-policy.json.
  const clients =
    options.clients ??
    createAwsClients({ ...clientSettingsFromEnv(env), credentials: operatorCredentials() });
  const code = await runCli(
    argv,
    {
      stdout: { write: (chunk: string) => (stdout += chunk), isTTY: tty, columns: 200 },
      stderr: { write: (chunk: string) => (stderr += chunk), isTTY: tty },
      env,
    },
    { awsClients: namedClients(clients), ...(options.services ?? {}) },
  );
  return { code, stdout, stderr };
}

export function cli(...argv: string[]): Promise<CliRun> {
  return runCliCaptured(argv);
}
