import type { PoolSpec } from '../../../lib/spec/pool-spec';

/**
 * PoolSpecs for the workload lint, as validatePoolSpec would return them. `seed` mirrors
 * /work/shared/examples/seed-pool.yaml (m5.xlarge, cpu_count 2, memory_mib 768).
 */
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
    nodeRoleName: 'eks-nodegroup.cluster-api-provider-aws.sigs.k8s.io',
    updateConfig: {},
    forceUpdate: false,
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
    bootstrap: {
      preNodeadmCommands: ['dnf install -y aws-nitro-enclaves-cli'],
      allocator: { cpuCount: 2, memoryMib: 768 },
    },
    ...overrides,
  };
}

function withHardware(instanceType: string, cpuCount: number, memoryMib: number): PoolSpec {
  const seed = seedPoolSpec();
  return {
    ...seed,
    launchTemplate: { ...seed.launchTemplate, instanceType },
    bootstrap: { ...seed.bootstrap, allocator: { cpuCount, memoryMib } },
  };
}

export const POOL_SPECS: Record<string, PoolSpec> = {
  seed: seedPoolSpec(),
  'seed-tainted': seedPoolSpec({ taints: [{ key: 'enclaves', value: 'true', effect: 'NO_SCHEDULE' }] }),
  'gib-4096': withHardware('m5.2xlarge', 4, 4096),
  'mixed-2560': withHardware('m5.2xlarge', 4, 2560),
  'graviton-768': withHardware('m6g.xlarge', 2, 768),
};
