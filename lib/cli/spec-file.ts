import { UsageError } from '../errors';
import { allowListFromEnvironment } from '../manifests/deployment-allow-list';
import { variablesFromEnvironment } from '../manifests/deployment-variables';
import { validatePoolSpecBytes } from '../manifests/validate-pool-spec';
import type { PoolSpec, Violation } from '../pool-spec';
import type { CliContext } from './cli-command';
import { readBounded } from './commands/validate';
import { writeHumanReport } from './violation-report';

/** A pool spec file as `plan` and `apply` take it: its text, validated offline like the reconciler does (allow-lists included). */
export interface SpecFile {
  file: string;
  text: string;
  spec?: PoolSpec;
  violations: Violation[];
}

export async function readSpecFile(
  context: CliContext,
  file: string,
  overrides: Record<string, string>,
): Promise<SpecFile> {
  const bytes = await readBounded(file);
  const result = validatePoolSpecBytes(bytes, {
    variables: variablesFromEnvironment(context.io.env, overrides),
    // The deployment's allow-lists, set in the shell as the functions get them (ALLOWED_CLUSTERS,
    // ALLOWED_NODE_ROLES): a spec the pass would refuse is refused here, in the pass's words,
    // before anything is written.
    allowList: allowListFromEnvironment(context.io.env),
  });
  // Stored as written (placeholders included): the reconciler substitutes with the deployment's variables.
  const text = new TextDecoder('utf-8').decode(bytes);
  return { file, text, ...(result.spec ? { spec: result.spec } : {}), violations: result.violations };
}

/** The one spec file `plan` and `apply` take, as `-f FILE` or as the only argument. */
export function specFileArgument(
  command: string,
  filename: string | undefined,
  positionals: readonly string[],
): string {
  const file = filename ?? positionals[0];
  if (file === undefined) throw new UsageError(`${command} needs the pool spec: -f FILE`);
  if (positionals.length > (filename === undefined ? 1 : 0))
    throw new UsageError(`${command} takes one spec file`);
  return file;
}

/** An invalid spec file's violations on stderr, and that nothing was done (`written`, `planned`). */
export function reportInvalidSpecFile(context: CliContext, specFile: SpecFile, nothingWas: string): void {
  writeHumanReport(context.io.stderr, [{ file: specFile.file, violations: specFile.violations }]);
  context.io.stderr.write(
    `error: ${specFile.file} is invalid; fix the errors above, nothing was ${nothingWas}\n`,
  );
}
