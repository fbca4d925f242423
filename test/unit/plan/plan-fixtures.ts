import type {
  DesiredAbsent,
  DesiredPresent,
  Observed,
  ObservedLaunchTemplate,
  ObservedNodegroup,
  PlanPolicy,
} from '../../../lib/plan/plan-types';
import type { LaunchTemplateData } from '../../../lib/render/launch-template-data';
import { OwnershipTagKey, ownershipTags } from '../../../lib/render/resource-names';
import type { FailedRollRecord, UpdateRecord } from '../../../lib/status/status-row';

/** Plain builders for plan() inputs: the seed pool, in sync unless a case says otherwise. */

export const POLICY: PlanPolicy = {
  requeueSeconds: { creating: 31, updating: 32, deleting: 33, busy: 34 },
  maxLaunchTemplateVersions: 3,
};

export const HASH_V1 = '1'.repeat(64);
export const HASH_V2 = '2'.repeat(64);
export const HASH_V3 = '3'.repeat(64);
export const SPEC_HASH = 'f'.repeat(64);
export const LT_ID = 'lt-0123456789abcdef0';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/eks-nodegroup.cluster-api-provider-aws.sigs.k8s.io';
const OWNED = ownershipTags('my-cluster', 'my-node-pool');

const DATA: LaunchTemplateData = {
  ImageId: 'ami-1',
  InstanceType: 'm5.xlarge',
  UserData: 'dXNlcmRhdGE=',
  EnclaveOptions: { Enabled: true },
  MetadataOptions: {
    HttpEndpoint: 'enabled',
    HttpTokens: 'required',
    HttpPutResponseHopLimit: 2,
    InstanceMetadataTags: 'disabled',
  },
  TagSpecifications: [],
};

/** What the desired and the observed node group share: the seed pool's node group as EKS runs it. */
const nodegroupShape = () => ({
  name: 'my-node-pool',
  labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled' },
  taints: [],
  scaling: { minSize: 1, maxSize: 1, desiredSize: 1 },
  updateConfig: { maxUnavailable: 1 },
  subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
  capacityType: 'ON_DEMAND' as const,
});

export function desired(
  overrides: Partial<Omit<DesiredPresent, 'nodegroup' | 'launchTemplate'>> & {
    dataHash?: string;
    nodegroup?: Partial<DesiredPresent['nodegroup']>;
  } = {},
): DesiredPresent {
  const { dataHash, nodegroup, ...rest } = overrides;
  return {
    kind: 'present',
    poolId: 'my-node-pool',
    clusterName: 'my-cluster',
    generation: 1,
    specHash: SPEC_HASH,
    statusRevision: 3,
    policies: { rollback: 'off', roll: 'auto', drift: 'revert', autoscalerTags: true },
    launchTemplate: {
      name: 'enclave-pools-my-cluster-my-node-pool',
      data: DATA,
      dataHash: dataHash ?? HASH_V1,
      resourceTags: { ...OWNED, [OwnershipTagKey.Nodegroup]: 'my-node-pool' },
    },
    nodegroup: {
      ...nodegroupShape(),
      subnetsExplicit: false,
      nodeRoleName: 'eks-nodegroup.cluster-api-provider-aws.sigs.k8s.io',
      amiType: 'CUSTOM',
      tags: { ...OWNED, 'kubernetes.io/cluster/my-cluster': 'owned' },
      force: false,
      ...nodegroup,
    },
    policy: POLICY,
    ...rest,
  };
}

export function absent(overrides: Partial<DesiredAbsent> = {}): DesiredAbsent {
  return {
    kind: 'absent',
    poolId: 'my-node-pool',
    clusterName: 'my-cluster',
    nodegroupName: 'my-node-pool',
    policy: POLICY,
    ...overrides,
  };
}

/** A launch template with versions 1..n; `hashes[i]` is version i+1's data hash. */
export function launchTemplate(
  hashes: string[],
  overrides: Partial<ObservedLaunchTemplate> = {},
): ObservedLaunchTemplate {
  return {
    id: LT_ID,
    name: 'enclave-pools-my-cluster-my-node-pool',
    tags: { ...OWNED, [OwnershipTagKey.Nodegroup]: 'my-node-pool' },
    defaultVersion: 1,
    latestVersion: hashes.length,
    versions: hashes.map((dataHash, i) => ({ number: i + 1, dataHash })),
    ...overrides,
  };
}

export function nodegroup(
  overrides: Partial<ObservedNodegroup> & { version?: number } = {},
): ObservedNodegroup {
  const { version, ...rest } = overrides;
  return {
    arn: 'arn:aws:eks:eu-west-1:123456789012:nodegroup/my-cluster/my-node-pool/abc',
    status: 'ACTIVE',
    tags: { ...OWNED, 'kubernetes.io/cluster/my-cluster': 'owned' },
    launchTemplate: { id: LT_ID, name: 'enclave-pools-my-cluster-my-node-pool', version: version ?? 1 },
    ...nodegroupShape(),
    nodeRoleArn: ROLE_ARN,
    amiType: 'CUSTOM',
    healthIssues: [],
    ...rest,
  };
}

export function observed(parts: Partial<Observed> = {}): Observed {
  return { previous: {}, ...parts };
}

/** EKS's record of the roll to version 2 (HASH_V2) for generation 2 of the spec, in `status`. */
export const versionUpdate = (status: string, extra: Partial<UpdateRecord> = {}): UpdateRecord => ({
  id: 'upd-1',
  type: 'VersionUpdate',
  status,
  launchTemplateVersion: 2,
  dataHash: HASH_V2,
  specHash: SPEC_HASH,
  generation: 2,
  errors: [],
  ...extra,
});

/** The status row's record of that roll having failed. */
export const failedRollRecord = (overrides: Partial<FailedRollRecord> = {}): FailedRollRecord => ({
  updateId: 'upd-1',
  type: 'VersionUpdate',
  status: 'Failed',
  specHash: SPEC_HASH,
  generation: 2,
  errorCode: 'PodEvictionFailure',
  errorMessage: 'Reached max retries while trying to evict pods from nodes',
  hint: 'fix the budget',
  launchTemplateVersion: 2,
  dataHash: HASH_V2,
  ...overrides,
});
