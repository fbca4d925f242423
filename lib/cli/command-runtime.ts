import { createInterface } from 'node:readline/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DynamoDbSpecStore, S3SpecStore, type SpecStore } from '../aws/spec-stores';
import { type ResourceNames, resolveResourceNames } from '../config';
import { UsageError } from '../errors';
import { closestName } from '../manifests/closest-name';
import { isVariableName } from '../manifests/deployment-variables';
import type { CliCommand, CliContext, OutputStream } from './cli-command';
import { colourEnabled, type Styler, styler } from './terminal';

/**
 * What the pool commands share: argument parsing that fails as a usage error, styling that
 * follows the terminal, the clock and pauses (replaceable in tests), prompts, and the spec stores
 * and resource names of the deployment the environment points at.
 */

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into one-line usage errors in the CLI's own words. */
export function parseCommandArgs<const O extends OptionsConfig>(
  args: readonly string[],
  options: O,
  positionals = true,
) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, debug: { type: 'boolean' } },
      allowPositionals: positionals,
      strict: true,
    });
  } catch (error: unknown) {
    throw new UsageError(argumentProblem(error, options));
  }
}

/** What a command's `run` receives: its arguments parsed against its options. */
export type ParsedCommandArgs<O extends OptionsConfig> = ReturnType<typeof parseCommandArgs<O>>;

/**
 * A subcommand declared by its options: runCli's arguments are parsed against them (usage errors
 * in the CLI's words, `--debug` everywhere) before `run` sees them, so no command parses its own.
 */
export function defineCommand<const O extends OptionsConfig>(
  command: { name: string; usage: string; help?: string; options: O },
  run: (parsed: ParsedCommandArgs<O>, context: CliContext) => Promise<number>,
): CliCommand {
  const { options, ...text } = command;
  return { ...text, run: (args, context) => run(parseCommandArgs(args, options), context) };
}

/** `-f/--filename` for an option with a short form, `--all` otherwise. */
function optionLabel(name: string, option: OptionsConfig[string]): string {
  return option.short ? `-${option.short}/--${name}` : `--${name}`;
}

function argumentProblem(error: unknown, options: OptionsConfig): string {
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
  const code = (error as { code?: string } | undefined)?.code;
  const names = Object.keys(options);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /Unknown option '([^']+)'/.exec(message)?.[1] ?? message;
    const bare = given.replace(/^-+/, '').split('=')[0] ?? '';
    // A shortened or lengthened name (--file for --filename) first, then a near miss (--fitler).
    const guess =
      names.find((name) => bare.length >= 2 && (name.startsWith(bare) || bare.startsWith(name))) ??
      closestName(bare, names)?.candidate;
    const known = names.map((name) => optionLabel(name, options[name] ?? { type: 'boolean' }));
    return guess
      ? `unknown option ${given}; did you mean ${optionLabel(guess, options[guess] ?? { type: 'boolean' })}?`
      : `unknown option ${given}; ${known.length > 0 ? `the options are ${known.join(', ')}` : 'this command takes no options'}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = names.find((n) => message.includes(`--${n}`));
    if (name) return `${optionLabel(name, options[name] ?? { type: 'string' })} needs a value`;
  }
  return message;
}

/** The one pool a command acts on: `NAME` or `pool NAME` (`pools NAME` too, as `get` takes it). */
export function onePoolName(command: string, positionals: readonly string[], onePool: string): string {
  const names = positionals[0] === 'pool' || positionals[0] === 'pools' ? positionals.slice(1) : positionals;
  const [name, ...extra] = names;
  if (name === undefined) throw new UsageError(`${command} needs the pool name`);
  if (extra.length > 0) throw new UsageError(`${command} ${onePool}; unexpected "${extra[0]}"`);
  return name;
}

/** `-o human|json` of the commands that print a report (validate, lint-pods). */
export function parseReportOutput(value: string | undefined): 'human' | 'json' {
  const output = value ?? 'human';
  if (output !== 'human' && output !== 'json')
    throw new UsageError(`--output must be "human" or "json", not "${output}"`);
  return output;
}

/** A file the user named that cannot be read, as a usage error that says why. */
export function unreadableFile(file: string, error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  return new UsageError(
    `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`,
  );
}

/** `--var NAME=VALUE` assignments as overrides for `${VAR}` substitution. */
export function parseVariableOverrides(assignments: readonly string[] | undefined): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const assignment of assignments ?? []) {
    const eq = assignment.indexOf('=');
    const name = eq === -1 ? assignment : assignment.slice(0, eq);
    if (eq === -1 || !isVariableName(name)) {
      throw new UsageError(`--var expects NAME=VALUE with NAME like KUBERNETES_VERSION, got "${assignment}"`);
    }
    overrides[name] = assignment.slice(eq + 1);
  }
  return overrides;
}

/** A positive number of seconds (`--interval 5`, `--timeout 30m`, `--timeout 2h`). */
export function parseSeconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} ${value} is not a duration; write seconds (30) or 30s, 10m, 2h`);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 0.001 : unit === 'm' ? 60 : unit === 'h' ? 3600 : 1;
  const seconds = Number(match[1]) * factor;
  if (seconds <= 0) throw new UsageError(`${flag} must be more than 0`);
  return seconds;
}

export function styleFor(stream: OutputStream, context: CliContext): Styler {
  return styler(colourEnabled(stream, context.io.env));
}

export function now(context: CliContext): Date {
  return context.services.clock ? context.services.clock() : new Date();
}

export function pause(context: CliContext, milliseconds: number): Promise<void> {
  if (context.services.sleep) return context.services.sleep(milliseconds);
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Asks on the terminal; undefined when stdin is not a terminal (scripts must pass --yes). */
export async function ask(context: CliContext, question: string): Promise<string | undefined> {
  if (context.services.prompt) return context.services.prompt(question);
  const stdin = context.io.stdin;
  if (!stdin?.isTTY) return undefined;
  // The question goes to stderr (stdout may be piped); the terminal itself echoes the answer.
  context.io.stderr.write(question);
  const rl = createInterface({ input: stdin, terminal: false });
  // End of input (Ctrl-D) answers nothing, which is "no".
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
  try {
    return await Promise.race([rl.question(''), closed]);
  } finally {
    rl.close();
  }
}

export function resourceNames(context: CliContext): ResourceNames {
  return resolveResourceNames(context.io.env);
}

export const StoreKind = { S3: 's3', DynamoDb: 'dynamodb' } as const;
export type StoreKind = (typeof StoreKind)[keyof typeof StoreKind];

export function parseStoreKind(value: string | undefined, env: CliContext['io']['env']): StoreKind {
  const chosen = value ?? env.ENCLAVE_POOLS_STORE ?? StoreKind.S3;
  if (chosen === StoreKind.S3 || chosen === StoreKind.DynamoDb) return chosen;
  throw new UsageError(`--store ${chosen} is not a spec store; use s3 or dynamodb`);
}

/** Both spec stores of the deployment (bucket, prefix and table from the environment, lib/config.ts). */
export async function specStores(context: CliContext): Promise<Record<StoreKind, SpecStore>> {
  const names = resourceNames(context);
  const clients = await context.services.awsClients('s3', 'documents');
  return {
    s3: new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix }),
    dynamodb: new DynamoDbSpecStore(clients.documents, { table: names.specTable }),
  };
}

/** Where a store keeps its specs, for messages. */
export function storeLocation(kind: StoreKind, names: ResourceNames): string {
  return kind === StoreKind.S3
    ? `s3://${names.specBucket}/${names.specPrefix}`
    : `dynamodb://${names.specTable}`;
}
