import type { CliIo, CliServices } from '../../../lib/cli/cli-command';

/** An in-memory CliIo for tests: collects stdout/stderr, with an explicit environment. */
export function captureIo(env: Record<string, string> = {}): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env,
    out: () => out,
    err: () => err,
  };
}

/** Services for offline runs: any attempt to build AWS clients fails the test. */
export function noAwsServices(): CliServices {
  return {
    awsClients: () => {
      throw new Error('an offline command tried to create AWS clients');
    },
  };
}
