import { variablesFromEnvironment } from '../manifests/deployment-variables';
import { validatePoolSpecBytes } from '../manifests/validate-pool-spec';
import type { PoolSpec, Violation } from '../pool-spec';
import type { CliContext } from './cli-command';
import { readBounded } from './commands/validate';

/** A pool spec file as `plan` and `apply` take it: its text, validated offline like the reconciler does. */
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
  });
  // Stored as written (placeholders included): the reconciler substitutes with the deployment's variables.
  const text = new TextDecoder('utf-8').decode(bytes);
  return { file, text, ...(result.spec ? { spec: result.spec } : {}), violations: result.violations };
}
