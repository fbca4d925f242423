/**
 * Every validation rule, by its stable reason name. The name is what a user sees as the condition
 * reason and what `validate --output json` prints as `rule`; docs/spec-format.md lists them with
 * their fixes. Renaming one is a breaking change for anyone who alerts on it.
 */

export const Rule = {
  // The document as a whole.
  DocumentTooLarge: 'DocumentTooLarge',
  DocumentNotText: 'DocumentNotText',
  DocumentMalformed: 'DocumentMalformed',
  DocumentTooComplex: 'DocumentTooComplex',
  ManifestNotAnObject: 'ManifestNotAnObject',
  UnknownKind: 'UnknownKind',
  UnknownApiVersion: 'UnknownApiVersion',
  MissingManifest: 'MissingManifest',
  DuplicateManifest: 'DuplicateManifest',
  MissingReference: 'MissingReference',
  DanglingReference: 'DanglingReference',
  ClusterNameMismatch: 'ClusterNameMismatch',
  NamespaceMismatch: 'NamespaceMismatch',
  PoolNameMismatch: 'PoolNameMismatch',
  InvalidPoolName: 'InvalidPoolName',
  // The deployment's allow-lists (docs/security.md).
  ClusterNotAllowed: 'ClusterNotAllowed',
  NodeRoleNotAllowed: 'NodeRoleNotAllowed',
  // ${VAR} substitution.
  VariableUnset: 'VariableUnset',
  VariableSyntaxInvalid: 'VariableSyntaxInvalid',
  // Field shape.
  RequiredFieldMissing: 'RequiredFieldMissing',
  InvalidFieldType: 'InvalidFieldType',
  InvalidFieldValue: 'InvalidFieldValue',
  UnknownField: 'UnknownField',
  UnsupportedField: 'UnsupportedField',
  MaintenanceWindowInvalid: 'MaintenanceWindowInvalid',
  // Offline rules.
  EnclaveOptionsInvalid: 'EnclaveOptionsInvalid',
  HibernationWithEnclaves: 'HibernationWithEnclaves',
  LaunchTemplateFieldForbidden: 'LaunchTemplateFieldForbidden',
  NodegroupFieldForbidden: 'NodegroupFieldForbidden',
  AmiTypeMustBeCustom: 'AmiTypeMustBeCustom',
  AmiLookupTypeUnsupported: 'AmiLookupTypeUnsupported',
  KubernetesVersionRequired: 'KubernetesVersionRequired',
  InstanceTypeRequired: 'InstanceTypeRequired',
  InvalidScaling: 'InvalidScaling',
  InvalidUpdateConfig: 'InvalidUpdateConfig',
  MetadataHopLimitTooLow: 'MetadataHopLimitTooLow',
  AllocatorValueInvalid: 'AllocatorValueInvalid',
  AllocatorCpuSettingConflict: 'AllocatorCpuSettingConflict',
  AllocatorIncomplete: 'AllocatorIncomplete',
  AllocatorNotConfigured: 'AllocatorNotConfigured',
  AllocatorDefinedTwice: 'AllocatorDefinedTwice',
  AllocatorServiceNotEnabled: 'AllocatorServiceNotEnabled',
  AllocatorNotPersistent: 'AllocatorNotPersistent',
  AllocatorConfiguredAfterStart: 'AllocatorConfiguredAfterStart',
  AllocatorCommandUnrecognised: 'AllocatorCommandUnrecognised',
  AllocatorWithoutEnclaves: 'AllocatorWithoutEnclaves',
  NitroCliNotInstalled: 'NitroCliNotInstalled',
  Al2OnlyCommand: 'Al2OnlyCommand',
  DevicePluginLabelMissing: 'DevicePluginLabelMissing',
  DevicePluginLabelWithoutEnclaves: 'DevicePluginLabelWithoutEnclaves',
  DevicePluginTolerationRequired: 'DevicePluginTolerationRequired',
  DevicePluginSelectorWithoutDevicePlugin: 'DevicePluginSelectorWithoutDevicePlugin',
  NitroSandboxKubernetesTooOld: 'NitroSandboxKubernetesTooOld',
  NitroSandboxCustomAmiRequired: 'NitroSandboxCustomAmiRequired',
  NitroSandboxEnclavesRequired: 'NitroSandboxEnclavesRequired',
  UserDataTooLarge: 'UserDataTooLarge',
  TooManyTags: 'TooManyTags',
  InstanceMetadataTagKeyInvalid: 'InstanceMetadataTagKeyInvalid',
  InstanceMetadataTagsWithEksTags: 'InstanceMetadataTagsWithEksTags',
  SecurityGroupsReplaceClusterSecurityGroup: 'SecurityGroupsReplaceClusterSecurityGroup',
  RootVolumePerformanceInvalid: 'RootVolumePerformanceInvalid',
  AllocatorEditHasNoEffect: 'AllocatorEditHasNoEffect',
  AllocatorFileInvalid: 'AllocatorFileInvalid',
  // Live rules (need AWS reads).
  InstanceTypeUnknown: 'InstanceTypeUnknown',
  InstanceTypeNotEnclaveCapable: 'InstanceTypeNotEnclaveCapable',
  AllocatorCpuNotFullCores: 'AllocatorCpuNotFullCores',
  AllocatorCpuExceedsInstance: 'AllocatorCpuExceedsInstance',
  AllocatorCpuMayCrossNuma: 'AllocatorCpuMayCrossNuma',
  AllocatorCpuPoolHoldsCpu0Sibling: 'AllocatorCpuPoolHoldsCpu0Sibling',
  AllocatorMemoryExceedsInstance: 'AllocatorMemoryExceedsInstance',
  NitroEnclaveEdgeZoneUnsupported: 'NitroEnclaveEdgeZoneUnsupported',
  SubnetNotFound: 'SubnetNotFound',
  AvailabilityZoneNotFound: 'AvailabilityZoneNotFound',
  SubnetVpcMismatch: 'SubnetVpcMismatch',
  NoSubnetInAvailabilityZone: 'NoSubnetInAvailabilityZone',
  NoEligibleSubnets: 'NoEligibleSubnets',
  InstanceTypeNotOfferedInZone: 'InstanceTypeNotOfferedInZone',
  ClusterNotFound: 'ClusterNotFound',
  KubernetesVersionSkew: 'KubernetesVersionSkew',
  AmiArchitectureMismatch: 'AmiArchitectureMismatch',
  // Found while the reconciler renders the template or resolves its AMI.
  ClusterNotReady: 'ClusterNotReady',
  UserDataBoundaryCollision: 'UserDataBoundaryCollision',
  AmiNotFound: 'AmiNotFound',
  UnsupportedArchitecture: 'UnsupportedArchitecture',
} as const;
export type Rule = (typeof Rule)[keyof typeof Rule];

export const RuleStage = {
  Document: 'document',
  Offline: 'offline',
  Live: 'live',
  /** Only the reconciler meets these (rendering, AMI lookup); `validate` cannot. */
  Reconcile: 'reconcile',
} as const;
export type RuleStage = (typeof RuleStage)[keyof typeof RuleStage];

export interface RuleInfo {
  severity: 'Error' | 'Warning';
  stage: RuleStage;
  /** One line: what the rule protects against. The per-violation message carries the specifics. */
  summary: string;
  /**
   * The resource condition an Error also sets to False (besides SpecValid), the way CAPA reports
   * the same problem, so tools that watch CAPA's conditions see it there.
   */
  condition?: ResourceCondition;
}

export const ResourceCondition = {
  LaunchTemplateReady: 'LaunchTemplateReady',
  EKSNodegroupReady: 'EKSNodegroupReady',
} as const;
export type ResourceCondition = (typeof ResourceCondition)[keyof typeof ResourceCondition];
const LT_READY = ResourceCondition.LaunchTemplateReady;
const NG_READY = ResourceCondition.EKSNodegroupReady;

const E = 'Error' as const;
const W = 'Warning' as const;
const D = RuleStage.Document;
const O = RuleStage.Offline;
const L = RuleStage.Live;
const R = RuleStage.Reconcile;

export const RULES: Record<Rule, RuleInfo> = {
  DocumentTooLarge: { severity: E, stage: D, summary: 'the document is larger than 1 MiB' },
  DocumentNotText: {
    severity: E,
    stage: D,
    summary: 'the document is not UTF-8 text (binary, NUL or control characters)',
  },
  DocumentMalformed: {
    severity: E,
    stage: D,
    summary: 'YAML/JSON syntax error, duplicate key or custom tag',
  },
  DocumentTooComplex: { severity: E, stage: D, summary: 'too many aliases, documents or nesting levels' },
  ManifestNotAnObject: { severity: E, stage: D, summary: 'a document is not a mapping with apiVersion/kind' },
  UnknownKind: {
    severity: E,
    stage: D,
    summary: 'a kind other than MachinePool, AWSManagedMachinePool, NodeadmConfig',
  },
  UnknownApiVersion: {
    severity: E,
    stage: D,
    summary: 'an apiVersion this tool does not read for that kind',
  },
  MissingManifest: { severity: E, stage: D, summary: 'one of the three manifests is absent' },
  DuplicateManifest: { severity: E, stage: D, summary: 'a kind appears more than once' },
  MissingReference: {
    severity: E,
    stage: D,
    summary: 'the MachinePool lacks bootstrap.configRef or infrastructureRef',
  },
  DanglingReference: {
    severity: E,
    stage: D,
    summary: 'a reference names a manifest that is not in the document',
  },
  ClusterNameMismatch: {
    severity: E,
    stage: D,
    summary: 'MachinePool and its template name different clusters',
  },
  NamespaceMismatch: {
    severity: E,
    stage: D,
    summary: 'the manifests or references are in different namespaces',
  },
  PoolNameMismatch: {
    severity: E,
    stage: D,
    summary: 'the store key (pool id) differs from MachinePool metadata.name',
  },
  InvalidPoolName: {
    severity: E,
    stage: D,
    summary: 'the pool name is not a valid node group / DNS label name',
  },
  ClusterNotAllowed: {
    severity: E,
    stage: O,
    summary: "the spec names a cluster outside the deployment's allowedClusters",
  },
  NodeRoleNotAllowed: {
    severity: E,
    stage: O,
    summary: "the node role is outside the deployment's allowedNodeRoles",
  },
  VariableUnset: { severity: E, stage: D, summary: `a \${VAR} placeholder has no value and no default` },
  VariableSyntaxInvalid: {
    severity: E,
    stage: D,
    summary: `a \${...} placeholder is malformed or uses an unsupported operator`,
  },
  RequiredFieldMissing: { severity: E, stage: O, summary: 'a required field is absent' },
  InvalidFieldType: { severity: E, stage: O, summary: 'a field has the wrong type' },
  InvalidFieldValue: {
    severity: E,
    stage: O,
    summary: 'a field has the right type but a value outside its rules',
  },
  UnknownField: {
    severity: E,
    stage: O,
    summary: 'a field that neither CAPA nor this tool knows (usually a typo)',
  },
  UnsupportedField: { severity: W, stage: O, summary: 'a CAPA field this tool ignores' },
  MaintenanceWindowInvalid: {
    severity: E,
    stage: O,
    summary: 'the maintenance-window annotation does not follow "<days> HH:MM-HH:MM UTC"',
  },
  EnclaveOptionsInvalid: { severity: E, stage: O, summary: 'enclaveOptions.enabled is not a boolean' },
  HibernationWithEnclaves: {
    severity: E,
    stage: O,
    summary: 'hibernation and Nitro Enclaves cannot both be enabled',
  },
  LaunchTemplateFieldForbidden: {
    severity: E,
    stage: O,
    summary: 'a launch template field EKS forbids for node groups',
  },
  NodegroupFieldForbidden: {
    severity: E,
    stage: O,
    summary: 'a node group field EKS forbids with a launch template',
  },
  AmiTypeMustBeCustom: {
    severity: E,
    stage: O,
    summary: 'amiType must be CUSTOM when the template resolves an AMI',
  },
  AmiLookupTypeUnsupported: {
    severity: E,
    stage: O,
    summary: 'eksLookupType other than AmazonLinux2023(GPU)',
  },
  KubernetesVersionRequired: {
    severity: E,
    stage: O,
    summary: 'an EKS AMI lookup needs the MachinePool version',
  },
  InstanceTypeRequired: {
    severity: E,
    stage: O,
    summary: 'no instance type (EKS would default to t3.medium)',
  },
  InvalidScaling: { severity: E, stage: O, summary: 'replicas, minSize and maxSize are inconsistent' },
  InvalidUpdateConfig: {
    severity: E,
    stage: O,
    summary: 'updateConfig needs exactly one of maxUnavailable(Percentage)',
  },
  MetadataHopLimitTooLow: {
    severity: W,
    stage: O,
    summary: 'IMDSv2 with hop limit 1: pods cannot reach instance metadata',
  },
  AllocatorValueInvalid: {
    severity: E,
    stage: O,
    summary: 'cpu_count/cpu_pool/memory_mib is not a valid value',
  },
  AllocatorCpuSettingConflict: { severity: E, stage: O, summary: 'both cpu_count and cpu_pool are set' },
  AllocatorIncomplete: { severity: E, stage: O, summary: 'memory_mib or the CPU reservation is not set' },
  AllocatorNotConfigured: {
    severity: E,
    stage: O,
    summary: 'enclaves are enabled but the allocator is not sized',
  },
  AllocatorDefinedTwice: { severity: E, stage: O, summary: 'an allocator setting is written more than once' },
  AllocatorServiceNotEnabled: {
    severity: E,
    stage: O,
    summary: 'nothing starts nitro-enclaves-allocator before kubelet',
  },
  AllocatorNotPersistent: {
    severity: W,
    stage: O,
    summary: 'the allocator is started but not enabled for reboots',
  },
  AllocatorConfiguredAfterStart: {
    severity: E,
    stage: O,
    summary: 'allocator.yaml is edited after the service started',
  },
  AllocatorCommandUnrecognised: {
    severity: W,
    stage: O,
    summary: 'a command writes allocator.yaml in a form not checked',
  },
  AllocatorWithoutEnclaves: {
    severity: W,
    stage: O,
    summary: 'allocator commands on a pool with enclaves disabled',
  },
  NitroCliNotInstalled: {
    severity: W,
    stage: O,
    summary: 'no command installs aws-nitro-enclaves-cli before use',
  },
  Al2OnlyCommand: { severity: E, stage: O, summary: 'an Amazon Linux 2 command in an AL2023 bootstrap' },
  DevicePluginLabelMissing: {
    severity: E,
    stage: O,
    summary: 'device-plugin pool without the label its device-plugin DaemonSet selects on',
  },
  DevicePluginLabelWithoutEnclaves: {
    severity: E,
    stage: O,
    summary: 'device plugin label on nodes without enclaves',
  },
  DevicePluginTolerationRequired: {
    severity: W,
    stage: O,
    summary: 'tainted enclave pool: the device plugin needs tolerations',
  },
  DevicePluginSelectorWithoutDevicePlugin: {
    severity: W,
    stage: O,
    summary: 'a device-plugin selector annotation on a nitro-sandbox pool',
  },
  NitroSandboxKubernetesTooOld: {
    severity: E,
    stage: O,
    summary: 'nitro-sandbox pool without Kubernetes 1.36 or later',
  },
  NitroSandboxCustomAmiRequired: {
    severity: E,
    stage: O,
    summary: 'nitro-sandbox pool on the EKS-optimized AMI (no sandbox runtime)',
    condition: LT_READY,
  },
  NitroSandboxEnclavesRequired: {
    severity: E,
    stage: O,
    summary: 'nitro-sandbox pool with enclaveOptions off',
    condition: LT_READY,
  },
  UserDataTooLarge: {
    severity: E,
    stage: O,
    summary: 'user data exceeds 16 KB even gzipped',
    condition: LT_READY,
  },
  TooManyTags: {
    severity: E,
    stage: O,
    summary: "additionalTags plus enclave-pools' and EKS's tags exceed 50 per resource",
  },
  InstanceMetadataTagKeyInvalid: {
    severity: E,
    stage: O,
    summary: 'a tag key with "/" or a space while tags are in instance metadata',
  },
  InstanceMetadataTagsWithEksTags: {
    severity: W,
    stage: O,
    summary: 'tags in instance metadata while EKS adds tag keys with "/"',
  },
  SecurityGroupsReplaceClusterSecurityGroup: {
    severity: W,
    stage: L,
    summary: 'launch-template security groups replace the cluster security group',
  },
  RootVolumePerformanceInvalid: {
    severity: E,
    stage: O,
    summary: 'root volume iops/throughput do not fit the volume type',
  },
  AllocatorEditHasNoEffect: {
    severity: E,
    stage: O,
    summary: 'an allocator.yaml edit changes nothing in the stock file',
  },
  AllocatorFileInvalid: {
    severity: E,
    stage: O,
    summary: "the edited allocator.yaml fails the allocator's parser",
  },
  InstanceTypeUnknown: { severity: E, stage: L, summary: 'EC2 does not know the instance type' },
  InstanceTypeNotEnclaveCapable: {
    severity: E,
    stage: L,
    summary: 'the instance type does not support Nitro Enclaves',
  },
  AllocatorCpuNotFullCores: {
    severity: E,
    stage: L,
    summary: 'the CPU reservation is not a multiple of threads per core',
  },
  AllocatorCpuExceedsInstance: {
    severity: E,
    stage: L,
    summary: 'the CPU reservation leaves the parent no core',
  },
  AllocatorCpuMayCrossNuma: {
    severity: W,
    stage: L,
    summary: 'the CPU reservation may not fit one NUMA node',
  },
  AllocatorCpuPoolHoldsCpu0Sibling: {
    severity: E,
    stage: L,
    summary: "cpu_pool holds CPU 0's sibling thread",
  },
  AllocatorMemoryExceedsInstance: {
    severity: E,
    stage: L,
    summary: 'memory_mib leaves the parent too little memory',
  },
  NitroEnclaveEdgeZoneUnsupported: {
    severity: E,
    stage: L,
    summary: 'a subnet/zone is a Local/Wavelength Zone or Outpost',
    condition: LT_READY,
  },
  SubnetNotFound: { severity: E, stage: L, summary: 'an explicit subnet id does not exist' },
  AvailabilityZoneNotFound: {
    severity: E,
    stage: L,
    summary: 'an explicit availability zone does not exist',
  },
  SubnetVpcMismatch: { severity: E, stage: L, summary: "a subnet is outside the cluster's VPC" },
  NoSubnetInAvailabilityZone: {
    severity: E,
    stage: L,
    summary: 'the cluster has no subnet in a listed availability zone',
  },
  NoEligibleSubnets: {
    severity: E,
    stage: L,
    summary: 'no cluster subnet is in a regular availability zone',
  },
  InstanceTypeNotOfferedInZone: {
    severity: E,
    stage: L,
    summary: "the instance type is not offered in a subnet's availability zone",
  },
  ClusterNotFound: { severity: E, stage: L, summary: 'the EKS cluster does not exist', condition: NG_READY },
  KubernetesVersionSkew: {
    severity: E,
    stage: L,
    summary: 'the pool version is newer than, or too far behind, the cluster',
  },
  AmiArchitectureMismatch: {
    severity: E,
    stage: L,
    summary: 'the AMI lookup resolves an architecture the type lacks',
  },
  ClusterNotReady: {
    severity: E,
    stage: R,
    summary: 'the cluster has no endpoint, CA or service CIDR yet',
    condition: NG_READY,
  },
  UserDataBoundaryCollision: {
    severity: E,
    stage: R,
    summary: 'a command line starts with the MIME boundary',
    condition: LT_READY,
  },
  AmiNotFound: {
    severity: E,
    stage: R,
    summary: 'the EKS-optimized AMI parameter does not exist',
    condition: LT_READY,
  },
  UnsupportedArchitecture: {
    severity: E,
    stage: R,
    summary: 'no EKS-optimized AL2023 image for the architecture',
  },
};

export function ruleSeverity(rule: Rule): 'Error' | 'Warning' {
  return RULES[rule].severity;
}

/** The resource condition a rule also sets, if any; undefined for names outside the catalogue. */
export function ruleCondition(rule: string): ResourceCondition | undefined {
  return (RULES as Record<string, RuleInfo | undefined>)[rule]?.condition;
}
