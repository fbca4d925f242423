import { UsageError } from '../../errors';
import { devicePluginManifest } from '../../workloads/device-plugin-manifest';
import { podSnippet } from '../../workloads/pod-snippet';
import { defineCommand, parseVariableOverrides } from '../command-runtime';
import { writeHumanReport } from '../violation-report';
import { resolveWorkloadPool } from '../workload-pool';

/**
 * `enclave-pools manifests device-plugin [--pool NAME | --pool-file SPEC.yaml]`
 * `enclave-pools manifests pod (--pool NAME | --pool-file SPEC.yaml)`
 * Prints Kubernetes manifests for the workloads side of a pool: the Nitro Enclaves device plugin
 * DaemonSet, or a workload that fits the pool, ready for `kubectl apply -f -`.
 */

const USAGE =
  '(device-plugin | pod) [--pool NAME | --pool-file SPEC.yaml] [--max-enclaves N] [--namespace NS] [--cpu-advertisement] [--name NAME] [--image IMAGE] [--var NAME=VALUE]...';

const HELP = `manifests device-plugin: prints the Nitro Enclaves device plugin DaemonSet (plugin 0.4.1) on stdout.
With a pool it selects the pool's nodes (its device-plugin label and node group), tolerates the pool's
taints, and sets MAX_ENCLAVES_PER_NODE to the enclaves the pool's allocator can run at once (each
needs a full core of cpu_count and at least 64 MiB, a 1 GiB page at most one enclave). One DaemonSet
per pool, so pools with different sizes never share a slot count. Without a pool it prints the
plugin's defaults (label aws-nitro-enclaves-k8s-dp=enabled, 4 slots).

If the pool names its own DaemonSet's label (annotation enclave-pools.aws/device-plugin-selector), the
DaemonSet selects on that label instead.

manifests pod --pool NAME: prints a Deployment that fits the pool, which lint-pods accepts. On a
device-plugin pool: aws.ec2.nitro/nitro_enclaves: 1, the hugepages the allocator reserves (one page
size, requests == limits), a HugePages emptyDir mounted at /dev/hugepages, cpu/memory for nitro-cli,
an enclave sized to the reservation (nitro-cli run-enclave --cpu-count --memory), the pool's node
selector and tolerations. On a nitro-sandbox pool: runtimeClassName isolated-sandbox, the node
selector and tolerations. A pool is required.

Options:
  --pool NAME            a pool whose spec is in the deployment's S3 or DynamoDB store
  --pool-file FILE       a pool spec file (offline)
  --max-enclaves N       override the slot count (1-4)
  --namespace NS         namespace of the DaemonSet (default kube-system)
  --cpu-advertisement    also advertise aws.ec2.nitro/nitro_enclaves_cpus (ENCLAVE_CPU_ADVERTISEMENT=true)
  --name NAME            (pod) the Deployment and container name (default <pool>-app)
  --image IMAGE          (pod) the container image (default a placeholder to replace)
  --var NAME=VALUE       value for a \${NAME} placeholder in the pool spec

Examples:
  enclave-pools manifests device-plugin --pool my-node-pool | kubectl apply -f -
  enclave-pools manifests pod --pool my-node-pool --image my-registry/signer:1.2 > signer.yaml`;

const KINDS = ['device-plugin', 'pod'];

const OPTIONS = {
  pool: { type: 'string' },
  'pool-file': { type: 'string' },
  'max-enclaves': { type: 'string' },
  namespace: { type: 'string' },
  'cpu-advertisement': { type: 'boolean' },
  name: { type: 'string' },
  image: { type: 'string' },
  var: { type: 'string', multiple: true },
} as const;

export const manifestsCommand = defineCommand(
  { name: 'manifests', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const [kind, ...extra] = positionals;
    if (kind === undefined) throw new UsageError(`manifests needs a kind: ${KINDS.join(', ')}`);
    if (!KINDS.includes(kind))
      throw new UsageError(`"${kind}" is not a manifest kind; use one of ${KINDS.join(', ')}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    let maxEnclaves: number | undefined;
    if (values['max-enclaves'] !== undefined) {
      maxEnclaves = Number(values['max-enclaves']);
      if (!Number.isInteger(maxEnclaves) || maxEnclaves < 1 || maxEnclaves > 4) {
        throw new UsageError(
          `--max-enclaves must be a whole number from 1 to 4 (the device plugin's range), not ${values['max-enclaves']}`,
        );
      }
    }
    const resolved = await resolveWorkloadPool(context, {
      ...(values.pool !== undefined ? { pool: values.pool } : {}),
      ...(values['pool-file'] !== undefined ? { poolFile: values['pool-file'] } : {}),
      overrides: parseVariableOverrides(values.var),
    });
    if (resolved && !resolved.ok) {
      context.io.stderr.write(
        `error: the pool spec ${resolved.source} is invalid; fix it first (enclave-pools validate):\n`,
      );
      writeHumanReport(context.io.stderr, [{ file: resolved.source, violations: resolved.violations }]);
      return 1;
    }
    if (kind === 'pod') {
      if (!resolved)
        throw new UsageError('manifests pod needs the pool it is for: --pool NAME or --pool-file SPEC.yaml');
      const snippet = podSnippet(resolved.profile, {
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values.image !== undefined ? { image: values.image } : {}),
        ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      });
      if ('error' in snippet) {
        context.io.stderr.write(`error: ${snippet.error}\n`);
        return 1;
      }
      context.io.stdout.write(snippet.yaml);
      return 0;
    }
    const manifest = devicePluginManifest(resolved?.profile, {
      ...(maxEnclaves !== undefined ? { maxEnclavesPerNode: maxEnclaves } : {}),
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      ...(values['cpu-advertisement'] ? { cpuAdvertisement: true } : {}),
    });
    context.io.stdout.write(manifest.yaml);
    return 0;
  },
);
