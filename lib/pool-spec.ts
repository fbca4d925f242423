import type { MaintenanceWindow } from './maintenance-window';

/**
 * The validated, typed form of a pool spec: what the three Cluster API manifests mean once parsed,
 * substituted, resolved and defaulted. Everything downstream (render, plan, CLI) reads this, never
 * the raw manifests.
 */

/** Node label the Nitro Enclaves device plugin DaemonSet selects on. */
export const DEVICE_PLUGIN_LABEL_KEY = 'aws-nitro-enclaves-k8s-dp';
export const DEVICE_PLUGIN_LABEL_VALUE = 'enabled';

/** `1.35`, `v1.35` or `v1.35.2`, as Cluster API and EKS write Kubernetes versions. */
export const KUBERNETES_VERSION = /^v?(\d+)\.(\d+)(\.\d+)?$/;

/**
 * Node label every pool's nodes carry (node group labels and kubelet --node-labels), unique to the
 * pool: the pool's device-plugin DaemonSet selects on it (docs/decisions/0063).
 */
export const POOL_NODE_LABEL_KEY = 'enclave-pools.aws/pool';

/** The labels a pool's nodes get: the spec's, plus the pool label (which the spec cannot override). */
export function poolNodeLabels(spec: Pick<PoolSpec, 'labels' | 'name'>): Record<string, string> {
  return { ...spec.labels, [POOL_NODE_LABEL_KEY]: spec.name };
}

/**
 * How pods use the enclaves (annotation enclave-pools.aws/enclave-mode, docs/spec-format.md §6):
 * `device-plugin` (the Nitro Enclaves device plugin, allocator and hugepages; nitro-cli in the pod)
 * or `nitro-sandbox` (EKS Nitro Sandboxes: the pod itself runs in an enclave-backed sandbox through
 * runtimeClassName isolated-sandbox / confidential-sandbox, on a custom AMI with that runtime).
 */
export const EnclaveMode = { DevicePlugin: 'device-plugin', NitroSandbox: 'nitro-sandbox' } as const;
export type EnclaveMode = (typeof EnclaveMode)[keyof typeof EnclaveMode];

/** A node label `key=value`. */
export interface NodeLabel {
  key: string;
  value: string;
}

/**
 * The label a Nitro Sandbox node registers with (kubelet --node-labels; the EKS node group API
 * refuses the eks.amazonaws.com prefix). Source: AWS's Nitro Sandbox sample for managed node groups
 * (aws-samples sample-eks-nitro-sandbox, setup/cilium-ubuntu/eksctl/nodegroups.yaml); see
 * docs/decisions/0110.
 */
export const NITRO_SANDBOX_NODE_LABEL: NodeLabel = { key: 'eks.amazonaws.com/nitro-sandbox', value: 'true' };

/** The runtime classes EKS's Nitro Sandboxes offer (EKS user guide, "Run a pod in isolated mode"). */
export const NITRO_SANDBOX_RUNTIME_CLASSES = ['isolated-sandbox', 'confidential-sandbox'] as const;

/** Kubernetes minor version Nitro Sandboxes need (EKS user guide: "1.36 or later"). */
export const NITRO_SANDBOX_MIN_KUBERNETES_MINOR = 36;

/** The device-plugin label a pool's DaemonSet selects on: the pool's annotation, or the plugin's own. */
export function devicePluginSelector(spec: Pick<PoolSpec, 'devicePluginSelector'>): NodeLabel {
  return spec.devicePluginSelector ?? { key: DEVICE_PLUGIN_LABEL_KEY, value: DEVICE_PLUGIN_LABEL_VALUE };
}

/**
 * The labels a node gets at registration (kubelet --node-labels): the node group's, plus the ones
 * the EKS API would refuse on the node group (the Nitro Sandbox label).
 */
export function registrationNodeLabels(
  spec: Pick<PoolSpec, 'labels' | 'name' | 'enclaveMode'>,
): Record<string, string> {
  return {
    ...poolNodeLabels(spec),
    ...(spec.enclaveMode === EnclaveMode.NitroSandbox
      ? { [NITRO_SANDBOX_NODE_LABEL.key]: NITRO_SANDBOX_NODE_LABEL.value }
      : {}),
  };
}

/** Role used when the pool names none: CAPA's default node role name with IAM management off. */
export const DEFAULT_NODE_ROLE_NAME = 'eks-nodegroup.cluster-api-provider-aws.sigs.k8s.io';

export const Severity = { Error: 'Error', Warning: 'Warning', Info: 'Info' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/**
 * One broken rule. `path` names the manifest and field (e.g.
 * `AWSManagedMachinePool/my-node-pool: spec.awsLaunchTemplate.instanceType`), `rule` is the stable
 * reason name (PascalCase, used as the condition reason), `message` says what is wrong and how to fix it.
 */
export interface Violation {
  path: string;
  value: unknown;
  rule: string;
  severity: 'Error' | 'Warning';
  message: string;
}

export type TaintEffect = 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE';
export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

/** The enclave allocator's reservation (`/etc/nitro_enclaves/allocator.yaml`). Exactly one of cpuCount / cpuPool. */
export interface AllocatorSettings {
  cpuCount?: number;
  /** Linux cpulist, e.g. "2,3" or "2-5". */
  cpuPool?: string;
  memoryMib: number;
}

export type AmiSource =
  | { kind: 'id'; id: string }
  /** EKS-optimized AL2023 AMI from the public SSM parameter, per the pool's Kubernetes version and arch. */
  | { kind: 'eksLookup'; lookupType: 'AmazonLinux2023' | 'AmazonLinux2023GPU' };

export interface MetadataOptions {
  httpEndpoint: 'enabled' | 'disabled';
  httpTokens: 'required' | 'optional';
  httpPutResponseHopLimit: number;
  instanceMetadataTags: 'enabled' | 'disabled';
}

export interface RootVolume {
  sizeGiB: number;
  type?: string;
  iops?: number;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
}

export interface LaunchTemplateSpec {
  instanceType: string;
  ami: AmiSource;
  /** Normalised: absent, `{}` and `enabled: false` are all `false`. */
  enclavesEnabled: boolean;
  securityGroupIds: string[];
  sshKeyName?: string;
  metadataOptions: MetadataOptions;
  rootVolume?: RootVolume;
}

export interface UpdateConfig {
  maxUnavailable?: number;
  maxUnavailablePercentage?: number;
  updateStrategy?: 'DEFAULT' | 'MINIMAL';
}

/**
 * How the pool changes once it exists (annotations on the AWSManagedMachinePool, defaults in
 * lib/manifests/pool-annotations.ts).
 */
export interface PoolPolicies {
  /** `on-failure`: a failed roll is rolled back to the last-known-good version (decision 0120). */
  rollback: 'off' | 'on-failure';
  /** `manual`: a roll waits for `enclave-pools roll NAME` (decision 0121). */
  roll: 'auto' | 'manual';
  /** Rolls start only inside this window (decision 0121). */
  maintenanceWindow?: MaintenanceWindow;
  /** `report`: drift is reported in the Drifted condition, not reverted (decision 0122). */
  drift: 'revert' | 'report';
  /** Cluster Autoscaler node-template tags on the node group's Auto Scaling group (decision 0101); default on. */
  autoscalerTags: boolean;
}

export interface BootstrapSpec {
  /** The commands that run before nodeadm, in order, including any generated allocator commands. */
  preNodeadmCommands: string[];
  /** The allocator sizes the commands set, when they set any. */
  allocator?: AllocatorSettings;
  kubelet?: { flags?: string[]; config?: Record<string, unknown> };
}

export interface PoolSpec {
  /** The pool id: MachinePool metadata.name, equal to the store key. */
  name: string;
  clusterName: string;
  /** MachinePool spec.template.spec.version after substitution, e.g. "1.35" or "v1.35.2". */
  kubernetesVersion?: string;
  replicas: number;
  scaling: { minSize: number; maxSize: number };
  nodegroupName: string;
  /** amiType as written (CUSTOM is required when the template resolves an AMI). */
  amiType?: string;
  capacityType: 'ON_DEMAND' | 'SPOT';
  labels: Record<string, string>;
  taints: Taint[];
  /** Explicit subnets; empty means "the cluster's subnets in regular AZs". */
  subnetIds: string[];
  availabilityZones: string[];
  nodeRoleName: string;
  updateConfig: UpdateConfig;
  /** Roll even when pods cannot be drained (EKS `force`). Off unless the spec asks. */
  forceUpdate: boolean;
  policies: PoolPolicies;
  /** device-plugin unless the pool's annotation says nitro-sandbox. */
  enclaveMode: EnclaveMode;
  /**
   * The label the pool's own device-plugin DaemonSet selects on, when it is not the plugin's
   * `aws-nitro-enclaves-k8s-dp: enabled` (annotation enclave-pools.aws/device-plugin-selector).
   */
  devicePluginSelector?: NodeLabel;
  additionalTags: Record<string, string>;
  launchTemplate: LaunchTemplateSpec;
  bootstrap: BootstrapSpec;
  /**
   * metadata.name of each source manifest, so later messages can point at the right one
   * (`AWSManagedMachinePool/<infrastructure>: spec...`). Filled by resolvePoolSpec.
   */
  manifestNames?: { machinePool: string; infrastructure: string; bootstrap: string };
}

/** A spec document as a store holds it (see lib/manifests/store-format.ts for the item / object layout). */
/** Where a stored spec is and which generation, without its text (what a store listing tells). */
export type StoredSpecRef = Omit<StoredSpec, 'text'>;

export interface StoredSpec {
  poolId: string;
  source: 's3' | 'dynamodb';
  /** Where it came from, for messages: s3://bucket/key or dynamodb://table/poolId. */
  location: string;
  /** The document text: multi-document YAML or a JSON array / object of manifests. */
  text: string;
  /** Increases with every write: the DynamoDB generation attribute, or S3 LastModified in ms. */
  generation: number;
  /**
   * The stored object's real size in bytes, when the store knows it (S3's listing). `text` stops at
   * the read limit for an oversized object, so DocumentTooLarge states this size, not the bytes read.
   */
  sizeBytes?: number;
  /**
   * When the spec was last written (ISO 8601), by the store's clock: S3 LastModified, or the item's
   * `updatedAt` (written by `enclave-pools apply`; an item written without it has none).
   */
  writtenAt?: string;
}
