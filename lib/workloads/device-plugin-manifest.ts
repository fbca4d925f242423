import { stringify } from 'yaml';
import { POOL_NODE_LABEL_KEY } from '../pool-spec';
import { formatTaint, KUBERNETES_TAINT_EFFECT } from './node-matching';
import { devicePluginLabel, MAX_ENCLAVES_PER_INSTANCE, type PoolWorkloadProfile } from './pool-profile';

/**
 * The Nitro Enclaves device-plugin DaemonSet for a pool (plugin v0.4.1). The stock manifest has no
 * tolerations and one global MAX_ENCLAVES_PER_NODE, so a tainted pool never gets the plugin and a
 * pool with small allocator sizes is promised slots it cannot run (E22/E27). Per pool we add the
 * pool's tolerations, size the slots from its allocator, and pin the DaemonSet to the pool's own
 * node label so DaemonSets of pools with different sizes never select the same node.
 */

export const DEVICE_PLUGIN_IMAGE =
  'public.ecr.aws/aws-nitro-enclaves/aws-nitro-enclaves-k8s-device-plugin:0.4.1';
const BASE_NAME = 'aws-nitro-enclaves-k8s-daemonset';
const APP_LABEL = 'aws-nitro-enclaves-k8s-dp';

export interface DevicePluginOptions {
  namespace?: string;
  /** Overrides the slots derived from the pool (1–4). */
  maxEnclavesPerNode?: number;
  /** Also advertise aws.ec2.nitro/nitro_enclaves_cpus (ENCLAVE_CPU_ADVERTISEMENT). */
  cpuAdvertisement?: boolean;
}

export interface DevicePluginManifest {
  yaml: string;
  maxEnclavesPerNode: number;
  /** Why that many slots, for the header comment and the CLI's stderr note. */
  sizing: string;
}

/** The slots the pool's device plugin advertises (aws.ec2.nitro/nitro_enclaves per node), and why. */
export function slotSizing(
  pool: PoolWorkloadProfile | undefined,
  options: DevicePluginOptions,
): { slots: number; why: string } {
  if (options.maxEnclavesPerNode !== undefined) {
    return { slots: options.maxEnclavesPerNode, why: 'set with --max-enclaves' };
  }
  if (pool?.maxEnclavesPerNode === 0) {
    return {
      slots: 1,
      why: `pool ${pool.poolName}'s allocator cannot run any enclave (cpu_count ${pool.enclaveCpus} is less than one full core of ${pool.threadsPerCore} threads, or memory_mib ${pool.memoryMib} is below 64); fix the allocator sizes in the pool's NodeadmConfig`,
    };
  }
  if (pool?.maxEnclavesPerNode !== undefined) {
    return {
      slots: pool.maxEnclavesPerNode,
      why: `what pool ${pool.poolName}'s allocator can run at once on ${pool.instanceType} (cpu_count ${pool.enclaveCpus}, memory_mib ${pool.memoryMib}, ${pool.threadsPerCore} threads per core)`,
    };
  }
  return {
    slots: MAX_ENCLAVES_PER_INSTANCE,
    why: 'the plugin default; no pool allocator sizes were given, so size it with --pool or --max-enclaves',
  };
}

// Long on purpose: most of it is the DaemonSet itself, one object literal kept whole so it reads
// as the YAML it prints; the decisions (slots, label, selector, tolerations) come first.
export function devicePluginManifest(
  pool: PoolWorkloadProfile | undefined,
  options: DevicePluginOptions = {},
): DevicePluginManifest {
  const { slots, why } = slotSizing(pool, options);
  const label = devicePluginLabel(pool);
  const name = pool ? `${BASE_NAME}-${pool.poolName}` : BASE_NAME;
  const selectorLabels: Record<string, string> = {
    name: APP_LABEL,
    ...(pool ? { 'enclave-pools.aws/pool': pool.poolName } : {}),
  };
  const nodeSelector: Record<string, string> = {
    [label.key]: label.value,
    // The pool's own label, set at registration: custom-AMI nodes may lack eks.amazonaws.com/nodegroup.
    ...(pool ? { [POOL_NODE_LABEL_KEY]: pool.poolName } : {}),
  };
  const tolerations = (pool?.taints ?? []).map((taint) => ({
    key: taint.key,
    operator: taint.value ? 'Equal' : 'Exists',
    ...(taint.value ? { value: taint.value } : {}),
    effect: KUBERNETES_TAINT_EFFECT[taint.effect],
  }));
  const env = [
    { name: 'MAX_ENCLAVES_PER_NODE', value: String(slots) },
    ...(options.cpuAdvertisement ? [{ name: 'ENCLAVE_CPU_ADVERTISEMENT', value: 'true' }] : []),
  ];
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name,
      namespace: options.namespace ?? 'kube-system',
      labels: { ...selectorLabels, role: 'agent', 'app.kubernetes.io/managed-by': 'enclave-pools' },
    },
    spec: {
      selector: { matchLabels: selectorLabels },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: selectorLabels },
        spec: {
          nodeSelector,
          ...(tolerations.length > 0 ? { tolerations } : {}),
          priorityClassName: 'system-node-critical',
          containers: [
            {
              name: APP_LABEL,
              image: DEVICE_PLUGIN_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              env,
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              resources: {
                limits: { cpu: '100m', memory: '15Mi' },
                requests: { cpu: '10m', memory: '15Mi' },
              },
              volumeMounts: [
                { name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' },
                { name: 'dev-dir', mountPath: '/dev' },
                { name: 'sys-dir', mountPath: '/sys' },
              ],
            },
          ],
          volumes: [
            { name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } },
            { name: 'dev-dir', hostPath: { path: '/dev' } },
            { name: 'sys-dir', hostPath: { path: '/sys' } },
          ],
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };
  const header = [
    `# Nitro Enclaves device plugin${pool ? ` for pool ${pool.poolName} (node group ${pool.nodegroupName})` : ''}.`,
    `# MAX_ENCLAVES_PER_NODE=${slots}: ${why}.`,
    ...(pool && pool.taints.length > 0
      ? [`# Tolerates the pool's taints: ${pool.taints.map(formatTaint).join(', ')}.`]
      : []),
    ...(pool?.hardwareSource === 'instance-type-name'
      ? [
          `# Threads per core (${pool.threadsPerCore}) guessed from the instance type name; --pool reads it from AWS.`,
        ]
      : []),
  ];
  return {
    yaml: `${header.join('\n')}\n${stringify(daemonSet, { lineWidth: 0, aliasDuplicateObjects: false })}`,
    maxEnclavesPerNode: slots,
    sizing: why,
  };
}
