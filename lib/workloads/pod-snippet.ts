import { stringify } from 'yaml';
import { EnclaveMode, NITRO_SANDBOX_RUNTIME_CLASSES, POOL_NODE_LABEL_KEY } from '../pool-spec';
import { ENCLAVE_DEVICE_RESOURCE, HUGEPAGES_MOUNT_PATH } from './enclave-resources';
import { KUBERNETES_TAINT_EFFECT } from './node-matching';
import { devicePluginLabel, type PoolWorkloadProfile } from './pool-profile';
import { formatMib } from './quantity';

/**
 * A Deployment that fits a pool, for `enclave-pools manifests pod`: what lint-pods checks, written
 * out. device-plugin pools: one enclave device, the hugepages the allocator reserves (one page size,
 * requests == limits), a HugePages emptyDir at /dev/hugepages, cpu/memory for the nitro-cli process,
 * and an enclave sized to the whole reservation (`nitro-cli run-enclave --cpu-count --memory`, so the
 * lint can check it). nitro-sandbox pools: the runtime class, nothing of the device plugin. Both
 * select the pool's own node label and tolerate its taints.
 */

export interface PodSnippetOptions {
  name?: string;
  image?: string;
  namespace?: string;
}

export interface PodSnippet {
  yaml: string;
  /** What the snippet reserves, for the header and the CLI's stderr note. */
  summary: string;
}

const PLACEHOLDER_IMAGE = 'registry.example.com/my-enclave-app:1.0';
const EIF_PATH = '/app/enclave.eif';

function tolerations(pool: PoolWorkloadProfile) {
  return pool.taints.map((taint) => ({
    key: taint.key,
    operator: taint.value ? 'Equal' : 'Exists',
    ...(taint.value ? { value: taint.value } : {}),
    effect: KUBERNETES_TAINT_EFFECT[taint.effect],
  }));
}

type PodParts = { podSpec: Record<string, unknown>; summary: string } | { error: string };

function devicePluginPod(pool: PoolWorkloadProfile, name: string, image: string): PodParts {
  const plan = pool.hugepages;
  if (!plan || pool.enclaveCpus === undefined || pool.memoryMib === undefined) {
    return {
      error: `pool ${pool.poolName} sets no allocator sizes (cpu_count / memory_mib), so no enclave can be sized for it; size the allocator in the pool's NodeadmConfig`,
    };
  }
  if (pool.maxEnclavesPerNode === 0) {
    return {
      error: `pool ${pool.poolName}'s allocator cannot run an enclave (cpu_count ${pool.enclaveCpus}, memory_mib ${pool.memoryMib}); raise its sizes`,
    };
  }
  // One page size per pod keeps one HugePages-<size> volume; the largest share of the reservation.
  const pages = [...plan.allocations].sort((a, b) => b.totalMib - a.totalMib)[0];
  if (!pages) return { error: `pool ${pool.poolName} reserves no hugepages; raise memory_mib` };
  const enclaveCpus = pool.enclaveCpus - (pool.enclaveCpus % Math.max(1, pool.threadsPerCore));
  const hugepages = formatMib(pages.totalMib);
  const resources = {
    [ENCLAVE_DEVICE_RESOURCE]: '1',
    [pages.resourceName]: hugepages,
    cpu: '250m',
    memory: '256Mi',
  };
  const medium = `HugePages-${formatMib(pages.pageSizeMib)}`;
  const selector = devicePluginLabel(pool);
  return {
    summary: `1 enclave of ${enclaveCpus} CPUs and ${pages.totalMib} MiB (${pages.resourceName}: ${hugepages})`,
    podSpec: {
      nodeSelector: { [selector.key]: selector.value, [POOL_NODE_LABEL_KEY]: pool.poolName },
      ...(pool.taints.length > 0 ? { tolerations: tolerations(pool) } : {}),
      containers: [
        {
          name,
          image,
          // nitro-cli returns once the enclave runs; the container stays up with it.
          command: [
            '/bin/sh',
            '-c',
            `nitro-cli run-enclave --cpu-count ${enclaveCpus} --memory ${pages.totalMib} --eif-path ${EIF_PATH} && sleep infinity`,
          ],
          resources: { requests: resources, limits: resources },
          volumeMounts: [{ name: 'hugepages', mountPath: HUGEPAGES_MOUNT_PATH }],
        },
      ],
      volumes: [{ name: 'hugepages', emptyDir: { medium } }],
    },
  };
}

function sandboxPod(pool: PoolWorkloadProfile, name: string, image: string): PodParts {
  const resources = { cpu: '500m', memory: '512Mi' };
  return {
    summary: `runtimeClassName ${NITRO_SANDBOX_RUNTIME_CLASSES[0]}`,
    podSpec: {
      runtimeClassName: NITRO_SANDBOX_RUNTIME_CLASSES[0],
      nodeSelector: { [POOL_NODE_LABEL_KEY]: pool.poolName },
      ...(pool.taints.length > 0 ? { tolerations: tolerations(pool) } : {}),
      containers: [{ name, image, resources: { requests: resources, limits: resources } }],
    },
  };
}

/** The snippet, or why the pool cannot have one. */
export function podSnippet(
  pool: PoolWorkloadProfile,
  options: PodSnippetOptions = {},
): PodSnippet | { error: string } {
  if (!pool.enclavesEnabled) {
    return {
      error: `pool ${pool.poolName} has enclaveOptions.enabled off, so no pod can use enclaves there; enable enclaves in its launch template first`,
    };
  }
  const name = options.name ?? `${pool.poolName}-app`;
  const image = options.image ?? PLACEHOLDER_IMAGE;
  const sandbox = pool.enclaveMode === EnclaveMode.NitroSandbox;
  const parts = sandbox ? sandboxPod(pool, name, image) : devicePluginPod(pool, name, image);
  if ('error' in parts) return parts;
  const labels = { app: name };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: parts.podSpec },
    },
  };
  const header = [
    `# A workload for pool ${pool.poolName} (enclave-mode ${pool.enclaveMode}): ${parts.summary}.`,
    options.image ? undefined : `# Replace the image (${PLACEHOLDER_IMAGE}) with yours.`,
    sandbox
      ? '# The pod itself runs in a Nitro Sandbox; no hostNetwork, no hostUsers: false, no EBS claim shared by two pods.'
      : `# Its image runs nitro-cli with the EIF at ${EIF_PATH}; keep --cpu-count / --memory within the numbers above.`,
    `# Check changes with: enclave-pools lint-pods -f FILE --pool ${pool.poolName}`,
  ].filter((line): line is string => line !== undefined);
  return {
    yaml: `${header.join('\n')}\n${stringify(deployment, { lineWidth: 0, aliasDuplicateObjects: false })}`,
    summary: parts.summary,
  };
}
