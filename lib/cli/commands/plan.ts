import { UsageError } from '../../errors';
import { defineCommand, parseVariableOverrides, styleFor } from '../command-runtime';
import { MissingStoreError } from '../pool-spec-loader';
import { previewText } from '../preview-text';
import { readSpecFile, reportInvalidSpecFile, specFileArgument } from '../spec-file';
import { previewSpec, unreadableDeployment } from '../spec-preview';

/**
 * `enclave-pools plan -f FILE [-o text|json]`: what a reconcile of this spec would do now, without
 * writing anything: the launch template data diff against the pinned version (user data decoded
 * and diffed as text), whether a new version and a roll follow, and the roll's impact.
 */

const USAGE = '-f FILE [--var NAME=VALUE]... [-o text|json]';
const HELP = `Runs the reconciler's own pipeline (validate, read AWS, render, plan) on the file without
writing anything, and shows:
  - the field-level diff between the launch template data it would render and the version the node
    group is pinned to; user data is decoded and diffed as text, shell part and NodeConfig apart;
  - whether a new launch template version is created and whether the node group rolls;
  - the roll's impact: nodes to replace, AZs, update strategy, max unavailable, extra instances;
  - node group config changes (labels, taints, scaling) and the steps in order.
Exit 0 when the plan could be made (changes or not), 1 when the spec is invalid, AWS refuses it, or
the deployment could not be read (the status table, a spec store, AWS: it says which).

Options:
  -f, --filename FILE   the pool spec (MachinePool + AWSManagedMachinePool + NodeadmConfig)
  --var NAME=VALUE      value for a \${NAME} placeholder (else the environment)
  -o, --output FORMAT   text (default) or json

Example:
  enclave-pools plan -f examples/enclave-pool.yaml`;

const CHECK_NAMES =
  'Check the resource names (STAGE, STATUS_TABLE, SPEC_BUCKET, SPEC_TABLE), the endpoint (AWS_ENDPOINT_URL) and the credentials';

const OPTIONS = {
  filename: { type: 'string', short: 'f' },
  var: { type: 'string', multiple: true },
  output: { type: 'string', short: 'o' },
} as const;

export const planCommand = defineCommand(
  { name: 'plan', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const file = specFileArgument('plan', values.filename, positionals);
    const output = values.output ?? 'text';
    if (output !== 'text' && output !== 'json')
      throw new UsageError(`--output must be "text" or "json", not "${output}"`);
    const overrides = parseVariableOverrides(values.var);
    const specFile = await readSpecFile(context, file, overrides);
    if (!specFile.spec) {
      reportInvalidSpecFile(context, specFile, 'planned');
      return 1;
    }
    // Both stores must exist: a plan against a deployment that is not there would describe nothing.
    const { spec, text } = specFile;
    const previewed = await previewSpec(context, {
      spec,
      text,
      source: file,
      overrides,
      requireStores: true,
    }).catch((error: unknown) => {
      if (error instanceof MissingStoreError) return error;
      throw error;
    });
    if (previewed instanceof MissingStoreError) {
      const error = previewed;
      context.io.stderr.write(
        `error: plan could not read the deployment: ${error.message}; nothing was planned. The deployment is not on this endpoint under these names: deploy it (npx osls deploy --stage STAGE) or, on the sandbox, run \`npm start\`. ${CHECK_NAMES}\n`,
      );
      return 1;
    }
    const { preview, pass } = previewed;
    if (context.debug) for (const line of pass.logs) context.io.stderr.write(`${line}\n`);
    const unreadable = unreadableDeployment(pass);
    if (unreadable) {
      context.io.stderr.write(
        `error: plan could not read the deployment: ${unreadable}; nothing was planned. ${CHECK_NAMES}\n`,
      );
      return 1;
    }
    if (output === 'json') context.io.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
    else context.io.stdout.write(previewText(preview, file, styleFor(context.io.stdout, context)));
    return preview.problems.length > 0 ? 1 : 0;
  },
);
