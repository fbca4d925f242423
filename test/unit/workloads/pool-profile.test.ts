import { hugepagePlan } from '../../../lib/workloads/hugepage-plan';
import {
  architectureFromInstanceType,
  countCpuList,
  devicePluginLabel,
  maxConcurrentEnclaves,
  poolWorkloadProfile,
  threadsPerCoreFromInstanceType,
} from '../../../lib/workloads/pool-profile';
import { seedPoolSpec } from './pool-specs';

describe('instance type guesses', () => {
  it.each([
    ['m5.xlarge', 'x86_64', 2],
    ['m6g.xlarge', 'arm64', 1],
    ['c7gn.2xlarge', 'arm64', 1],
    ['r8gd.4xlarge', 'arm64', 1],
    ['im4gn.large', 'arm64', 1],
    ['is4gen.xlarge', 'arm64', 1],
    ['a1.xlarge', 'arm64', 1],
    ['g4dn.xlarge', 'x86_64', 2],
    ['m7a.2xlarge', 'x86_64', 1],
    ['m6a.2xlarge', 'x86_64', 2],
    ['m7i-flex.xlarge', 'x86_64', 2],
    ['hpc6a.48xlarge', 'x86_64', 1],
    ['u-6tb1.metal', 'x86_64', 2],
  ])('%s is %s with %p threads per core', (type, arch, threads) => {
    expect(architectureFromInstanceType(type)).toBe(arch);
    expect(threadsPerCoreFromInstanceType(type)).toBe(threads);
  });
});

describe('countCpuList', () => {
  it.each([
    ['2,3', 2],
    ['2-5', 4],
    ['2,3,6-9', 6],
  ])('%s has %p CPUs', (list, n) => {
    expect(countCpuList(list)).toBe(n);
  });
  it.each([['2-'], ['5-2'], ['a']])('%s is not a cpulist', (list) => {
    expect(countCpuList(list)).toBeUndefined();
  });
});

describe('maxConcurrentEnclaves', () => {
  it.each([
    // cpu_count 2 on SMT x86 is one core: one enclave (nitro-facts §8 #21).
    [2, 2, 768, 'x86_64', 1],
    [4, 2, 4096, 'x86_64', 2],
    [8, 2, 4096, 'x86_64', 4],
    // Each 1 GiB page hosts one enclave at most.
    [8, 2, 1024, 'x86_64', 1],
    [16, 2, 2560, 'x86_64', 4],
    [2, 1, 768, 'arm64', 2],
    [0, 2, 768, 'x86_64', 0],
  ] as const)('cpu %p / %p tpc / %p MiB on %s → %p', (cpus, tpc, mib, arch, expected) => {
    expect(maxConcurrentEnclaves(cpus, tpc, hugepagePlan(mib, arch))).toBe(expected);
  });
});

describe('poolWorkloadProfile', () => {
  it('derives node labels, sizes and slots from the seed pool', () => {
    const profile = poolWorkloadProfile(seedPoolSpec());
    expect(profile).toMatchObject({
      poolName: 'my-node-pool',
      architecture: 'x86_64',
      hardwareSource: 'instance-type-name',
      threadsPerCore: 2,
      enclaveCpus: 2,
      memoryMib: 768,
      maxEnclavesPerNode: 1,
      maxNodes: 1,
    });
    expect(profile.labels).toMatchObject({
      'aws-nitro-enclaves-k8s-dp': 'enabled',
      'eks.amazonaws.com/nodegroup': 'my-node-pool',
      'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/instance-type': 'm5.xlarge',
    });
    expect(profile.labelsWithUnknownValues).toContain('topology.kubernetes.io/zone');
  });

  it('prefers live instance facts over the name guess', () => {
    const profile = poolWorkloadProfile(seedPoolSpec(), {
      instanceType: 'm5.xlarge',
      nitroEnclavesSupported: true,
      vcpus: 4,
      threadsPerCore: 1,
      memoryMib: 16384,
      architecture: 'arm64',
      hibernationSupported: false,
    });
    expect(profile).toMatchObject({ architecture: 'arm64', hardwareSource: 'live', threadsPerCore: 1 });
    expect(profile.labels['kubernetes.io/arch']).toBe('arm64');
  });

  it('counts a cpu_pool and leaves sizes out when the spec sets no allocator', () => {
    const seed = seedPoolSpec();
    const pooled = poolWorkloadProfile({
      ...seed,
      bootstrap: { ...seed.bootstrap, allocator: { cpuPool: '2,3,6,7', memoryMib: 4096 } },
    });
    expect(pooled.enclaveCpus).toBe(4);
    expect(pooled.maxEnclavesPerNode).toBe(2);
    const bare = poolWorkloadProfile({ ...seed, bootstrap: { preNodeadmCommands: [] } });
    expect(bare.enclaveCpus).toBeUndefined();
    expect(bare.hugepages).toBeUndefined();
    expect(bare.maxEnclavesPerNode).toBeUndefined();
  });

  it('gives the device-plugin label of the pool, or the plugin default', () => {
    expect(devicePluginLabel()).toEqual({ key: 'aws-nitro-enclaves-k8s-dp', value: 'enabled' });
    const custom = poolWorkloadProfile(
      seedPoolSpec({
        labels: { 'example.com/enclaves': 'on' },
        devicePluginSelector: { key: 'example.com/enclaves', value: 'on' },
      }),
    );
    expect(devicePluginLabel(custom)).toEqual({ key: 'example.com/enclaves', value: 'on' });
  });
});
