import { DEFAULT_NODE_ROLE_NAME, type PoolSpec } from '../../lib/pool-spec';
import type { ClusterFacts, InstanceTypeFacts, LiveFacts, ZoneFacts } from '../../lib/rules/live-facts';

/**
 * A validated pool spec equal to what examples/seed-pool.yaml means, for tests of the renderer,
 * the planner and the reconcile that do not go through the spec parser.
 */
export const SEED_COMMANDS = [
  'dnf install -y aws-nitro-enclaves-cli',
  'sed -i "s/cpu_count:.*/cpu_count: 2/" /etc/nitro_enclaves/allocator.yaml',
  'sed -i "s/memory_mib:.*/memory_mib: 768/" /etc/nitro_enclaves/allocator.yaml',
  'systemctl enable --now nitro-enclaves-allocator.service',
];

export function seedPoolSpec(overrides: Partial<PoolSpec> = {}): PoolSpec {
  return {
    name: 'my-node-pool',
    clusterName: 'my-cluster',
    kubernetesVersion: '1.35',
    replicas: 1,
    scaling: { minSize: 1, maxSize: 1 },
    nodegroupName: 'my-node-pool',
    amiType: 'CUSTOM',
    capacityType: 'ON_DEMAND',
    labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled' },
    taints: [],
    subnetIds: [],
    availabilityZones: [],
    nodeRoleName: DEFAULT_NODE_ROLE_NAME,
    updateConfig: { maxUnavailable: 1 },
    forceUpdate: false,
    policies: { rollback: 'off', roll: 'auto', drift: 'revert', autoscalerTags: true },
    enclaveMode: 'device-plugin',
    additionalTags: {},
    launchTemplate: {
      instanceType: 'm5.xlarge',
      ami: { kind: 'eksLookup', lookupType: 'AmazonLinux2023' },
      enclavesEnabled: true,
      securityGroupIds: [],
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 2,
        instanceMetadataTags: 'disabled',
      },
    },
    bootstrap: { preNodeadmCommands: [...SEED_COMMANDS], allocator: { cpuCount: 2, memoryMib: 768 } },
    ...overrides,
  };
}

/** A spec with its allocator memory changed, the commands rewritten to match. */
export function withMemoryMib(spec: PoolSpec, memoryMib: number): PoolSpec {
  return {
    ...spec,
    bootstrap: {
      ...spec.bootstrap,
      preNodeadmCommands: spec.bootstrap.preNodeadmCommands.map((c) =>
        c.replace(/memory_mib: \d+/, `memory_mib: ${memoryMib}`),
      ),
      allocator: { cpuCount: spec.bootstrap.allocator?.cpuCount ?? 2, memoryMib },
    },
  };
}

export const CLUSTER_FACTS: ClusterFacts = {
  name: 'my-cluster',
  status: 'ACTIVE',
  endpoint: 'https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com',
  certificateAuthority:
    'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJek1ERXdNVEF3TURBd01Gb1hEVE16TURFd01UQXdNREF3TUZvd0ZURVRNQkVHQTFVRQpBeE1LYTNWaVpYSnVaWFJsY3pDQ0FTSXdEUVlKS29aSWh2Y05BUUVCQlFBRGdnRVBBRENDQVFvQ2dnRUJBTUUKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
  serviceIpv4Cidr: '10.100.0.0/16',
  kubernetesVersion: '1.35',
  subnetIds: ['subnet-a', 'subnet-b', 'subnet-c', 'subnet-lz'],
};

/** The seed pool's instance type as EC2 describes it: enclave-capable, 4 vCPUs on 2 threads per core. */
export const M5_XLARGE: InstanceTypeFacts = {
  instanceType: 'm5.xlarge',
  nitroEnclavesSupported: true,
  vcpus: 4,
  threadsPerCore: 2,
  memoryMib: 16384,
  architecture: 'x86_64',
  hibernationSupported: true,
};

/** eu-west-1's three regular availability zones. */
export const REGULAR_ZONES: Record<string, ZoneFacts> = {
  'eu-west-1a': { zoneName: 'eu-west-1a', zoneId: 'euw1-az3', zoneType: 'availability-zone' },
  'eu-west-1b': { zoneName: 'eu-west-1b', zoneId: 'euw1-az1', zoneType: 'availability-zone' },
  'eu-west-1c': { zoneName: 'eu-west-1c', zoneId: 'euw1-az2', zoneType: 'availability-zone' },
};

export function liveFacts(overrides: Partial<LiveFacts> = {}): LiveFacts {
  return {
    instanceTypes: { 'm5.xlarge': M5_XLARGE },
    subnets: {
      'subnet-a': { subnetId: 'subnet-a', vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' },
      'subnet-b': { subnetId: 'subnet-b', vpcId: 'vpc-1', availabilityZone: 'eu-west-1b' },
      'subnet-c': { subnetId: 'subnet-c', vpcId: 'vpc-1', availabilityZone: 'eu-west-1c' },
      'subnet-lz': { subnetId: 'subnet-lz', vpcId: 'vpc-1', availabilityZone: 'eu-west-1-lz-test-1a' },
    },
    zones: {
      ...REGULAR_ZONES,
      'eu-west-1-lz-test-1a': {
        zoneName: 'eu-west-1-lz-test-1a',
        zoneId: 'euw1-lztest1-az1',
        zoneType: 'local-zone',
        parentZoneName: 'eu-west-1a',
      },
    },
    cluster: CLUSTER_FACTS,
    ...overrides,
  };
}
