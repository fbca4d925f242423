import type { AwsClients } from '../aws/client-factory';

/**
 * The contract between `runCli` and one subcommand. A command returns its exit code: 0 success,
 * 1 "the answer is no" (invalid spec, failed operation), and throws UsageError for bad arguments
 * (exit 2, printed by runCli as one line plus a hint).
 */

export interface OutputStream {
  write(chunk: string): unknown;
  /** Set on a terminal: colour, progress bars and prompts are only used there. */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** For confirmation prompts (delete); absent or not a TTY means "no one to ask". */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** What commands get from outside; tests replace it (e.g. clients with a call counter). */
export interface CliServices {
  /**
   * The AWS clients named, for the configured endpoint (AWS_ENDPOINT_URL, region from AWS_REGION).
   * Each call site names what it uses, so a command loads only those SDK packages (`get pools`
   * never loads EC2's) and the type checker refuses a client that was not named.
   */
  awsClients<K extends keyof AwsClients>(...names: K[]): Promise<Pick<AwsClients, K>>;
  /** The time; tests fix it (ages, elapsed times). Defaults to the system clock. */
  clock?(): Date;
  /** Waits between polls (watch); tests make it instant. Defaults to setTimeout. */
  sleep?(milliseconds: number): Promise<void>;
  /** Asks the user a question on a terminal; undefined when no one can answer. */
  prompt?(question: string): Promise<string | undefined>;
}

export interface CliContext {
  io: CliIo;
  services: CliServices;
  debug: boolean;
}

export interface CliCommand {
  name: string;
  /** Arguments after the command name, e.g. `FILE... [--live] [--output json]`. */
  usage: string;
  /** Options and examples, printed by `--help` after the usage line. */
  help?: string;
  run(args: readonly string[], context: CliContext): Promise<number>;
}
