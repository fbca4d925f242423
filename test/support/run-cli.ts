import { operatorCredentials } from '../../infra/iam/sandbox-principals';
import type { AwsClients } from '../../lib/aws/client-factory';
import { clientSettingsFromEnv, createAwsClients } from '../../lib/aws/client-factory';
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
    { awsClients: () => clients, ...(options.services ?? {}) },
  );
  return { code, stdout, stderr };
}

export function cli(...argv: string[]): Promise<CliRun> {
  return runCliCaptured(argv);
}
