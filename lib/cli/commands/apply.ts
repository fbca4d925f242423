import { EnclavePoolError, errorMessage } from '../../errors';
import {
  defineCommand,
  parseStoreKind,
  parseVariableOverrides,
  resourceNames,
  type StoreKind,
  specStores,
  storeLocation,
  styleFor,
} from '../command-runtime';
import { loadStoredSpec } from '../pool-spec-loader';
import { stepLines } from '../preview-text';
import { readSpecFile, reportInvalidSpecFile, specFileArgument } from '../spec-file';
import { previewSpec, type SpecPreview } from '../spec-preview';
import type { Styler } from '../terminal';

/**
 * `enclave-pools apply -f FILE [--store s3|dynamodb]`: validates the spec offline, then writes it
 * to the chosen store exactly as the event path reads it (S3 object `<prefix><pool>.yaml`, or the
 * DynamoDB item with its generation bumped). The reconciler takes it from there; apply prints what
 * that reconcile is going to do.
 */

const USAGE = '-f FILE [--store s3|dynamodb] [--var NAME=VALUE]... [--no-preview]';
const HELP = `Validates the file offline (the same rules as "validate"); an invalid spec is not written.
With ALLOWED_CLUSTERS / ALLOWED_NODE_ROLES set as the deployment sets them for its functions, a
cluster or node role outside them is refused here with the reconciler's own message.
Then writes it to the spec store the reconciler watches and prints what the reconcile will do.

The store is the pool's current one when it already has a spec (a pool in two stores is a conflict
the reconciler refuses), else --store, else ENCLAVE_POOLS_STORE, else s3. Resource names come from the
environment: SPEC_BUCKET / SPEC_PREFIX or SPEC_TABLE (default: the "dev" stage of serverless.yml);
AWS_ENDPOINT_URL points at the sandbox, unset means real AWS.

Options:
  -f, --filename FILE   the pool spec (MachinePool + AWSManagedMachinePool + NodeadmConfig)
  --store KIND          s3 or dynamodb, for a new pool
  --var NAME=VALUE      value for a \${NAME} placeholder when validating (the reconciler substitutes
                        its own deployment variables; the stored text keeps the placeholders)
  --no-preview          skip the dry reconcile that says what happens next (no AWS reads but the write)

Example:
  enclave-pools apply -f examples/enclave-pool.yaml`;

function nextSteps({ preview }: SpecPreview, style: Styler): string[] {
  if (preview.problems.length > 0) {
    return [
      style.red('The reconciler will refuse it:'),
      ...preview.problems.map((c) => `  ${c.type} ${c.reason}: ${c.message}`),
      'Fix the spec and apply again; "enclave-pools plan -f FILE" shows the result without writing.',
    ];
  }
  if (preview.writes.length === 0)
    return ['The pool already matches this spec: the reconciler will change nothing.'];
  return [
    'The reconciler picks it up within seconds (or at the next resync) and will:',
    ...stepLines(preview),
    `roll: ${preview.roll ? style.yellow('yes') : 'no'} (${preview.rollReason})`,
    ...(preview.impact ? [`  ${preview.impact.summary}`] : []),
  ];
}

const OPTIONS = {
  filename: { type: 'string', short: 'f' },
  store: { type: 'string' },
  var: { type: 'string', multiple: true },
  'no-preview': { type: 'boolean' },
} as const;

export const applyCommand = defineCommand(
  { name: 'apply', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const file = specFileArgument('apply', values.filename, positionals);
    const requested = values.store === undefined ? undefined : parseStoreKind(values.store, context.io.env);
    const overrides = parseVariableOverrides(values.var);
    const out = context.io.stdout;
    const style = styleFor(out, context);

    const specFile = await readSpecFile(context, file, overrides);
    if (!specFile.spec) {
      reportInvalidSpecFile(context, specFile, 'written');
      return 1;
    }
    for (const warning of specFile.violations) {
      context.io.stderr.write(`WARNING ${warning.rule} ${warning.path}: ${warning.message}\n`);
    }
    const poolId = specFile.spec.name;
    const existing = await loadStoredSpec(context, poolId);
    if (existing && requested && existing.kind !== requested) {
      throw new EnclavePoolError(
        `pool ${poolId} is already stored at ${existing.stored.location}; apply without --store (or --store ${existing.kind}), or delete it there first: a pool in two stores is a conflict the reconciler refuses`,
        { poolId },
      );
    }
    const kind: StoreKind = existing?.kind ?? requested ?? parseStoreKind(undefined, context.io.env);
    if (existing && existing.stored.text === specFile.text) {
      out.write(
        `pool ${poolId} unchanged (${existing.stored.location}, generation ${existing.stored.generation})\n`,
      );
      return 0;
    }

    let preview: SpecPreview | undefined;
    let previewError: string | undefined;
    if (!values['no-preview']) {
      try {
        preview = await previewSpec(context, {
          spec: specFile.spec,
          text: specFile.text,
          source: file,
          overrides,
          store: kind,
        });
      } catch (error: unknown) {
        previewError = errorMessage(error);
      }
    }

    const stored = await (await specStores(context))[kind].put(poolId, specFile.text);
    out.write(
      `pool ${poolId} ${existing ? 'configured' : 'created'}: ${stored.location} (generation ${stored.generation})\n`,
    );
    if (preview) out.write(`${nextSteps(preview, style).join('\n')}\n`);
    else if (previewError) out.write(`What happens next could not be previewed (${previewError}).\n`);
    else
      out.write(
        `The reconciler picks it up from ${storeLocation(kind, resourceNames(context))} within seconds.\n`,
      );
    out.write(
      `Follow it: enclave-pools get pools ${poolId} | enclave-pools describe pool ${poolId} | enclave-pools watch ${poolId}\n`,
    );
    return 0;
  },
);
