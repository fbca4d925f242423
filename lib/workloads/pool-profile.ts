import {
  DEVICE_PLUGIN_LABEL_KEY,
  DEVICE_PLUGIN_LABEL_VALUE,
  devicePluginSelector,
  type EnclaveMode,
  type NodeLabel,
  type PoolSpec,
  registrationNodeLabels,
  type Taint,
} from '../pool-spec';
import type { InstanceTypeFacts } from '../rules/live-facts';
import { Architecture, type HugepagePlan, hugepagePlan } from './hugepage-plan';

/**
 * What a workload sees of a pool: the node labels and taints it must match, and what the
 * allocator reserved on each node. Built from a PoolSpec (and, when read, the instance type's
 * live facts), so the lint and the device-plugin manifest stay pure.
 */
export interface PoolWorkloadProfile {
  poolName: string;
  nodegroupName: string;
  instanceType: string;
  architecture: Architecture;
  /** Where architecture and threads per core came from: AWS, or a guess from the type name. */
  hardwareSource: 'live' | 'instance-type-name';
  threadsPerCore: number;
  /** Labels every node of the pool carries, with the values they will have. */
  labels: Record<string, string>;
  /** Labels every node carries but whose value is only known per node (zone, hostname, ...). */
  labelsWithUnknownValues: string[];
  taints: Taint[];
  /** enclaveOptions.enabled of the pool's launch template. */
  enclavesEnabled: boolean;
  enclaveMode: EnclaveMode;
  /** The label the pool's device-plugin DaemonSet selects on (device-plugin mode). */
  devicePluginSelector: NodeLabel;
  /** Enclave CPUs the allocator takes offline per node; undefined when the spec sets no allocator. */
  enclaveCpus?: number;
  memoryMib?: number;
  hugepages?: HugepagePlan;
  /** Enclaves one node can run at once (device-plugin slots it is worth advertising), 0–4. */
  maxEnclavesPerNode?: number;
  maxNodes: number;
}

/** Nitro Enclaves allows at most four enclaves per parent instance; the plugin caps slots there too. */
export const MAX_ENCLAVES_PER_INSTANCE = 4;
/** Smallest enclave the driver accepts. */
export const MIN_ENCLAVE_MEMORY_MIB = 64;

/** Node labels EKS and the kubelet set on every node, whose values differ per node. */
const PER_NODE_LABELS = [
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'topology.k8s.aws/zone-id',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'eks.amazonaws.com/nodegroup-image',
  'eks.amazonaws.com/sourceLaunchTemplateId',
  'eks.amazonaws.com/sourceLaunchTemplateVersion',
  'k8s.io/cloud-provider-aws',
];

const INSTANCE_TYPE_NAME = /^([a-z]+)(\d+)([a-z-]*)\.[a-z0-9-]+$/;

/**
 * Graviton types carry a `g` among the attributes after the generation (m6g, c7gn, r8gd, im4gn,
 * is4gen, g5g) or are the first-generation a1. A guess for offline use; live facts win.
 */
export function architectureFromInstanceType(instanceType: string): Architecture {
  const match = INSTANCE_TYPE_NAME.exec(instanceType);
  if (!match) return Architecture.X86_64;
  const [, family = '', generation = '', attributes = ''] = match;
  if (family === 'a' && generation === '1') return Architecture.Arm64;
  return attributes.split('-')[0]?.includes('g') ? Architecture.Arm64 : Architecture.X86_64;
}

/**
 * Graviton has one thread per core; so do AMD types from the 7th generation (m7a, c7a, r7a) and
 * the HPC families. Everything else on x86 runs two. A guess for offline use; live facts win.
 */
export function threadsPerCoreFromInstanceType(instanceType: string): number {
  if (architectureFromInstanceType(instanceType) === Architecture.Arm64) return 1;
  const match = INSTANCE_TYPE_NAME.exec(instanceType);
  if (!match) return 2;
  const [, family = '', generation = '', attributes = ''] = match;
  if (family === 'hpc') return 1;
  if (Number(generation) >= 7 && attributes.split('-')[0]?.startsWith('a')) return 1;
  return 2;
}

/** Number of CPUs in a Linux cpulist such as "2,3,6-9". */
export function countCpuList(cpuList: string): number | undefined {
  let count = 0;
  for (const part of cpuList.split(',')) {
    const range = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!range) return undefined;
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) return undefined;
    count += last - first + 1;
  }
  return count;
}

/**
 * How many enclaves one node can run at once: each needs at least one full core of the pool and
 * at least 64 MiB. Pages of 64 MiB or more are handed out whole, so each such page hosts at most one
 * enclave (an enclave asking for 256 MiB from 1 GiB pages takes the whole page).
 */
export function maxConcurrentEnclaves(
  enclaveCpus: number,
  threadsPerCore: number,
  plan: HugepagePlan,
): number {
  const byCpu = Math.floor(enclaveCpus / Math.max(1, threadsPerCore));
  let byMemory = 0;
  let smallPageMib = 0;
  for (const allocation of plan.allocations) {
    if (allocation.pageSizeMib >= MIN_ENCLAVE_MEMORY_MIB) byMemory += allocation.pages;
    else smallPageMib += allocation.totalMib;
  }
  byMemory += Math.floor(smallPageMib / MIN_ENCLAVE_MEMORY_MIB);
  return Math.max(0, Math.min(MAX_ENCLAVES_PER_INSTANCE, byCpu, byMemory));
}

const KUBERNETES_ARCH: Record<Architecture, string> = { x86_64: 'amd64', arm64: 'arm64' };

export function poolWorkloadProfile(spec: PoolSpec, instanceFacts?: InstanceTypeFacts): PoolWorkloadProfile {
  const instanceType = spec.launchTemplate.instanceType;
  const liveArchitecture =
    instanceFacts?.architecture === 'arm64' || instanceFacts?.architecture === 'x86_64'
      ? instanceFacts.architecture
      : undefined;
  const architecture = liveArchitecture ?? architectureFromInstanceType(instanceType);
  const threadsPerCore = instanceFacts?.threadsPerCore ?? threadsPerCoreFromInstanceType(instanceType);
  const allocator = spec.bootstrap.allocator;
  const enclaveCpus =
    allocator?.cpuCount ?? (allocator?.cpuPool === undefined ? undefined : countCpuList(allocator.cpuPool));
  const hugepages = allocator ? hugepagePlan(allocator.memoryMib, architecture) : undefined;
  const wellKnown: Record<string, string> = {
    'eks.amazonaws.com/nodegroup': spec.nodegroupName,
    'eks.amazonaws.com/capacityType': spec.capacityType,
    'node.kubernetes.io/instance-type': instanceType,
    'beta.kubernetes.io/instance-type': instanceType,
    'kubernetes.io/arch': KUBERNETES_ARCH[architecture],
    'beta.kubernetes.io/arch': KUBERNETES_ARCH[architecture],
    'kubernetes.io/os': 'linux',
    'beta.kubernetes.io/os': 'linux',
  };
  return {
    poolName: spec.name,
    nodegroupName: spec.nodegroupName,
    instanceType,
    architecture,
    hardwareSource: liveArchitecture ? 'live' : 'instance-type-name',
    threadsPerCore,
    labels: { ...wellKnown, ...registrationNodeLabels(spec) },
    labelsWithUnknownValues: PER_NODE_LABELS.filter((key) => !(key in spec.labels)),
    taints: spec.taints,
    enclavesEnabled: spec.launchTemplate.enclavesEnabled,
    enclaveMode: spec.enclaveMode,
    devicePluginSelector: devicePluginSelector(spec),
    ...(enclaveCpus === undefined ? {} : { enclaveCpus }),
    ...(allocator ? { memoryMib: allocator.memoryMib } : {}),
    ...(hugepages ? { hugepages } : {}),
    ...(enclaveCpus !== undefined && hugepages
      ? { maxEnclavesPerNode: maxConcurrentEnclaves(enclaveCpus, threadsPerCore, hugepages) }
      : {}),
    maxNodes: Math.max(spec.scaling.maxSize, spec.replicas),
  };
}

/** The label the pool's device-plugin DaemonSet selects on, or the plugin's default without a pool. */
export function devicePluginLabel(profile?: PoolWorkloadProfile): NodeLabel {
  return profile?.devicePluginSelector ?? { key: DEVICE_PLUGIN_LABEL_KEY, value: DEVICE_PLUGIN_LABEL_VALUE };
}
