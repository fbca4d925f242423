import type { Violation } from '../pool-spec';

/**
 * The rules `enclave-pools lint-pods` judges a workload by, and what a lint pass returns. The
 * checks themselves are split by topic: lint-devices, lint-hugepages, lint-enclave-sizes,
 * lint-placement and lint-capacity; lint-pods.ts runs them in order.
 */

export const WorkloadRule = {
  EnclaveDeviceMissing: 'EnclaveDeviceMissing',
  UnknownNitroResource: 'UnknownNitroResource',
  EnclaveDeviceRequestNotEqualLimit: 'EnclaveDeviceRequestNotEqualLimit',
  EnclaveDeviceCountInvalid: 'EnclaveDeviceCountInvalid',
  EnclaveSlotsOverLimit: 'EnclaveSlotsOverLimit',
  EnclaveCountExceedsPool: 'EnclaveCountExceedsPool',
  EnclaveCpusExceedPool: 'EnclaveCpusExceedPool',
  EnclaveCpusNotFullCores: 'EnclaveCpusNotFullCores',
  EnclaveCpuDeclarationMismatch: 'EnclaveCpuDeclarationMismatch',
  EnclaveMemoryBelowMinimum: 'EnclaveMemoryBelowMinimum',
  EnclaveMemoryExceedsHugepages: 'EnclaveMemoryExceedsHugepages',
  EnclaveAnnotationInvalid: 'EnclaveAnnotationInvalid',
  HugepagesMissing: 'HugepagesMissing',
  HugepageResourceNameInvalid: 'HugepageResourceNameInvalid',
  HugepageSizeMismatch: 'HugepageSizeMismatch',
  HugepagesExceedReservation: 'HugepagesExceedReservation',
  HugepagesNotPageMultiple: 'HugepagesNotPageMultiple',
  HugepagesRequestNotEqualLimit: 'HugepagesRequestNotEqualLimit',
  HugepagesWithoutCpuOrMemory: 'HugepagesWithoutCpuOrMemory',
  HugepagesVolumeMissing: 'HugepagesVolumeMissing',
  HugepagesVolumeMediumMismatch: 'HugepagesVolumeMediumMismatch',
  HugepagesMountPath: 'HugepagesMountPath',
  NodeSelectorMismatch: 'NodeSelectorMismatch',
  NodeAffinityMismatch: 'NodeAffinityMismatch',
  PreferredNodeAffinityMismatch: 'PreferredNodeAffinityMismatch',
  TaintNotTolerated: 'TaintNotTolerated',
  ToleratesAllTaints: 'ToleratesAllTaints',
  PoolAllocatorUnknown: 'PoolAllocatorUnknown',
  PoolCapacityExceeded: 'PoolCapacityExceeded',
  // nitro-sandbox pools (lint-sandbox.ts).
  SandboxRuntimeClassMissing: 'SandboxRuntimeClassMissing',
  SandboxHostNetwork: 'SandboxHostNetwork',
  SandboxUserNamespaces: 'SandboxUserNamespaces',
  SandboxVolumeShared: 'SandboxVolumeShared',
  SandboxDevicePluginResource: 'SandboxDevicePluginResource',
} as const;
export type WorkloadRule = (typeof WorkloadRule)[keyof typeof WorkloadRule];

export interface WorkloadFinding extends Violation {
  workload: string;
  document: number;
}

/** What one copy of a pod takes from a node of the pool. */
export interface PodEnclaveUsage {
  workload: string;
  replicas: number | 'perNode';
  enclaveSlots: number;
  /** Declared enclave CPUs for the whole pod, when the pod declares them. */
  enclaveCpus?: number;
  /** MiB per hugepage resource name. */
  hugepagesMib: Record<string, number>;
}

export interface WorkloadLintResult {
  findings: WorkloadFinding[];
  usage: PodEnclaveUsage[];
  /** Pod templates with nothing enclave-related in them, left unchecked. */
  notEnclaveWorkloads: string[];
}
