import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validatePoolSpec } from '../../../lib/manifests/validate-pool-spec';
import type { PoolSpec } from '../../../lib/pool-spec';
import type { LiveFacts } from '../../../lib/rules/live-facts';
import {
  checkLiveRules,
  eligibleSubnetIds,
  type LiveRuleInput,
  liveFactsRequest,
  liveRuleInputFromSpec,
  parentMemoryReserveMib,
} from '../../../lib/rules/live-rules';
import { RULES, RuleStage } from '../../../lib/rules/rules';
import { M5_XLARGE, REGULAR_ZONES } from '../../support/pool-spec-fixture';

const SEED = readFileSync(
  path.join(__dirname, '..', '..', 'fixtures', 'specs', 'valid', 'seed-pool.yaml'),
  'utf8',
);

function seedSpec(): PoolSpec {
  const { spec } = validatePoolSpec(SEED, { variables: { KUBERNETES_VERSION: '1.35' } });
  if (!spec) throw new Error('seed must be valid');
  return spec;
}

function facts(overrides: Partial<LiveFacts> = {}): LiveFacts {
  return {
    instanceTypes: {
      'm5.xlarge': M5_XLARGE,
      't3.large': {
        instanceType: 't3.large',
        nitroEnclavesSupported: false,
        vcpus: 2,
        threadsPerCore: 2,
        memoryMib: 8192,
        architecture: 'x86_64',
        hibernationSupported: true,
      },
      'm7g.large': {
        instanceType: 'm7g.large',
        nitroEnclavesSupported: true,
        vcpus: 2,
        threadsPerCore: 1,
        memoryMib: 8192,
        architecture: 'arm64',
        hibernationSupported: false,
      },
      'm5.24xlarge': {
        instanceType: 'm5.24xlarge',
        nitroEnclavesSupported: true,
        vcpus: 96,
        threadsPerCore: 2,
        memoryMib: 393216,
        architecture: 'x86_64',
        hibernationSupported: false,
      },
    },
    subnets: {
      'subnet-aaaaaaaa': { subnetId: 'subnet-aaaaaaaa', vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' },
      'subnet-bbbbbbbb': { subnetId: 'subnet-bbbbbbbb', vpcId: 'vpc-1', availabilityZone: 'eu-west-1b' },
      'subnet-11111111': {
        subnetId: 'subnet-11111111',
        vpcId: 'vpc-1',
        availabilityZone: 'eu-west-1-lz-test-1a',
      },
      'subnet-22222222': {
        subnetId: 'subnet-22222222',
        vpcId: 'vpc-1',
        availabilityZone: 'eu-west-1-wl1-test-wlz-1',
      },
      'subnet-33333333': {
        subnetId: 'subnet-33333333',
        vpcId: 'vpc-1',
        availabilityZone: 'eu-west-1a',
        outpostArn: 'arn:aws:outposts:eu-west-1:123456789012:outpost/op-0123',
      },
      'subnet-99999999': { subnetId: 'subnet-99999999', vpcId: 'vpc-2', availabilityZone: 'eu-west-1a' },
    },
    zones: {
      ...REGULAR_ZONES,
      'eu-west-1-lz-test-1a': {
        zoneName: 'eu-west-1-lz-test-1a',
        zoneId: 'euw1-lz1',
        zoneType: 'local-zone',
        parentZoneName: 'eu-west-1a',
      },
      'eu-west-1-wl1-test-wlz-1': {
        zoneName: 'eu-west-1-wl1-test-wlz-1',
        zoneId: 'euw1-wl1',
        zoneType: 'wavelength-zone',
        parentZoneName: 'eu-west-1a',
        optInStatus: 'not-opted-in',
      },
    },
    cluster: {
      name: 'my-cluster',
      status: 'ACTIVE',
      kubernetesVersion: '1.35',
      subnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'],
    },
    ...overrides,
  };
}

function input(changes: Partial<LiveRuleInput> = {}): LiveRuleInput {
  return { ...liveRuleInputFromSpec(seedSpec()), ...changes };
}

function rules(violations: ReturnType<typeof checkLiveRules>): string[] {
  return violations.map((v) => v.rule);
}

const covered = new Set<string>();
function expectRules(actual: ReturnType<typeof checkLiveRules>, expected: string[]): void {
  expect(rules(actual)).toEqual(expected);
  for (const rule of expected) covered.add(rule);
}

describe('checkLiveRules', () => {
  it('passes the seed spec (PoolSpec input) against a regular world', () => {
    expect(checkLiveRules(seedSpec(), facts())).toEqual([]);
  });

  it.each([
    ['unknown instance type', { instanceType: 'm5.bogus' }, ['InstanceTypeUnknown']],
    ['type without enclave support', { instanceType: 't3.large' }, ['InstanceTypeNotEnclaveCapable']],
    ['type without enclave support, enclaves off', { instanceType: 't3.large', enclavesEnabled: false }, []],
    [
      'odd cpu_count on SMT',
      { allocator: { cpuCount: 3, memoryMib: 768 } },
      ['AllocatorCpuNotFullCores', 'AllocatorCpuExceedsInstance'],
    ],
    [
      "cpu_count taking CPU 0's core",
      { allocator: { cpuCount: 4, memoryMib: 768 } },
      ['AllocatorCpuExceedsInstance'],
    ],
    [
      'cpu_pool beyond the last CPU',
      { allocator: { cpuPool: '2,3,4,5', memoryMib: 768 } },
      ['AllocatorCpuExceedsInstance', 'AllocatorCpuExceedsInstance'],
    ],
    [
      "cpu_pool of one thread on SMT, CPU 0's sibling",
      { allocator: { cpuPool: '2', memoryMib: 768 } },
      ['AllocatorCpuPoolHoldsCpu0Sibling'],
    ],
    [
      "cpu_pool holding CPU 0's sibling and half of core 1 (m5.xlarge pairs 0+2, 1+3)",
      { allocator: { cpuPool: '2,3', memoryMib: 768 } },
      ['AllocatorCpuPoolHoldsCpu0Sibling', 'AllocatorCpuNotFullCores'],
    ],
    [
      'cpu_pool of two halves of different cores on a large type',
      { instanceType: 'm5.24xlarge', allocator: { cpuPool: '2,3', memoryMib: 768 } },
      ['AllocatorCpuNotFullCores'],
    ],
    [
      'cpu_pool of whole cores on a large type',
      { instanceType: 'm5.24xlarge', allocator: { cpuPool: '2,3,50,51', memoryMib: 768 } },
      [],
    ],
    [
      'memory_mib starving the parent',
      { allocator: { cpuCount: 2, memoryMib: 14000 } },
      ['AllocatorMemoryExceedsInstance'],
    ],
    [
      'Graviton, one thread per core',
      { instanceType: 'm7g.large', allocator: { cpuCount: 1, memoryMib: 512 } },
      [],
    ],
    [
      'Graviton, both vCPUs',
      { instanceType: 'm7g.large', allocator: { cpuCount: 2, memoryMib: 512 } },
      ['AllocatorCpuExceedsInstance'],
    ],
    [
      'large type, reservation over half',
      { instanceType: 'm5.24xlarge', allocator: { cpuCount: 60, memoryMib: 4096 } },
      ['AllocatorCpuMayCrossNuma'],
    ],
    [
      'GPU AMI lookup on Graviton',
      {
        instanceType: 'm7g.large',
        ami: { kind: 'eksLookup', lookupType: 'AmazonLinux2023GPU' },
        allocator: { cpuCount: 1, memoryMib: 512 },
      },
      ['AmiArchitectureMismatch'],
    ],
    [
      'Local Zone subnet',
      { subnetIds: ['subnet-aaaaaaaa', 'subnet-11111111'] },
      ['NitroEnclaveEdgeZoneUnsupported'],
    ],
    ['Wavelength subnet', { subnetIds: ['subnet-22222222'] }, ['NitroEnclaveEdgeZoneUnsupported']],
    ['Outpost subnet', { subnetIds: ['subnet-33333333'] }, ['NitroEnclaveEdgeZoneUnsupported']],
    ['edge subnet with enclaves off', { enclavesEnabled: false, subnetIds: ['subnet-11111111'] }, []],
    ['unknown subnet', { subnetIds: ['subnet-0000dead'] }, ['SubnetNotFound']],
    ['subnet of another VPC', { subnetIds: ['subnet-99999999'] }, ['SubnetVpcMismatch']],
    [
      'Local Zone by name',
      { availabilityZones: ['eu-west-1-lz-test-1a'] },
      ['NitroEnclaveEdgeZoneUnsupported'],
    ],
    [
      'not-opted-in Wavelength zone by name',
      { availabilityZones: ['eu-west-1-wl1-test-wlz-1'] },
      ['NitroEnclaveEdgeZoneUnsupported'],
    ],
    ['unknown zone', { availabilityZones: ['eu-west-9z'] }, ['AvailabilityZoneNotFound']],
    ['zone without a cluster subnet', { availabilityZones: ['eu-west-1c'] }, ['NoSubnetInAvailabilityZone']],
    ['zones with cluster subnets', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] }, []],
    ['unknown cluster', { clusterName: 'nope' }, []],
    ['pool newer than the cluster', { kubernetesVersion: '1.36' }, ['KubernetesVersionSkew']],
    ['pool four minors behind', { kubernetesVersion: 'v1.31.4' }, ['KubernetesVersionSkew']],
    ['pool three minors behind', { kubernetesVersion: '1.32' }, []],
  ] as Array<[string, Partial<LiveRuleInput>, string[]]>)('%s', (_name, changes, expected) => {
    expectRules(checkLiveRules(input(changes), facts()), expected);
  });

  it('reports a cluster that does not exist', () => {
    const { cluster: _gone, ...withoutCluster } = facts();
    expectRules(checkLiveRules(input(), withoutCluster), ['ClusterNotFound']);
  });

  it('reports a cluster whose subnets are all in edge zones when the pool names none', () => {
    const world = facts();
    world.cluster = {
      name: 'my-cluster',
      status: 'ACTIVE',
      subnetIds: ['subnet-11111111', 'subnet-22222222'],
    };
    expectRules(checkLiveRules(input(), world), ['NoEligibleSubnets']);
    expect(rules(checkLiveRules(input({ enclavesEnabled: false }), world))).toEqual(['NoEligibleSubnets']);
  });

  it('reports a subnet or zone where EC2 does not offer the instance type, and a cluster where no zone does', () => {
    // m5.xlarge is offered in eu-west-1a only.
    const offerings = { 'eu-west-1a': ['m5.xlarge'], 'eu-west-1b': [] };
    const world = facts({ instanceTypeOfferings: offerings });
    const [subnet] = checkLiveRules(input({ subnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'] }), world);
    expect(subnet).toMatchObject({
      rule: 'InstanceTypeNotOfferedInZone',
      path: 'AWSManagedMachinePool/my-node-pool: spec.subnetIDs[1]',
      value: 'subnet-bbbbbbbb',
    });
    expect(subnet?.message).toContain('eu-west-1b, where EC2 does not offer m5.xlarge');
    expectRules(checkLiveRules(input({ availabilityZones: ['eu-west-1b'] }), world), [
      'InstanceTypeNotOfferedInZone',
    ]);

    // Without explicit subnets a zone that lacks the type is simply not used...
    expect(checkLiveRules(input(), world)).toEqual([]);
    expect(eligibleSubnetIds(input(), world)).toEqual(['subnet-aaaaaaaa']);
    // ...unless no zone of the cluster's subnets offers it.
    const nowhere = facts({ instanceTypeOfferings: { 'eu-west-1a': [], 'eu-west-1b': [] } });
    const [cluster] = checkLiveRules(input(), nowhere);
    expect(cluster).toMatchObject({ rule: 'InstanceTypeNotOfferedInZone', value: 'm5.xlarge' });
    expect(cluster?.message).toContain('in none of the zones');
  });

  it('names the subnet, its zone and both ways out for an edge zone (CAPA reason and wording)', () => {
    const [violation] = checkLiveRules(input({ subnetIds: ['subnet-aaaaaaaa', 'subnet-11111111'] }), facts());
    expect(violation).toMatchObject({
      rule: 'NitroEnclaveEdgeZoneUnsupported',
      severity: 'Error',
      path: 'AWSManagedMachinePool/my-node-pool: spec.subnetIDs[1]',
      value: 'subnet-11111111',
    });
    expect(violation?.message).toContain(
      'Nitro Enclaves are not supported in Local Zones or Wavelength Zones',
    );
    expect(violation?.message).toContain('eu-west-1-lz-test-1a');
    expect(violation?.message).toContain('remove subnet subnet-11111111 from spec.subnetIDs');
    expect(violation?.message).toContain('spec.awsLaunchTemplate.enclaveOptions.enabled: false');
  });

  it('names the sibling, the rule and a whole-core pool for a half-core cpu_pool', () => {
    const [violation] = checkLiveRules(
      input({ instanceType: 'm5.24xlarge', allocator: { cpuPool: '2,3', memoryMib: 768 } }),
      facts(),
    );
    expect(violation?.message).toContain('2 without 50, 3 without 51');
    expect(violation?.message).toContain('use 2,3,50,51');
  });

  it('warns when launch-template security groups leave out the cluster security group', () => {
    const cluster = {
      ...facts().cluster,
      clusterSecurityGroupId: 'sg-0cccccccccccccccc',
    } as LiveFacts['cluster'];
    const withGroups = input({ securityGroupIds: ['sg-0123456789abcdef0'] });
    const found = checkLiveRules(withGroups, facts({ cluster }));
    expectRules(found, ['SecurityGroupsReplaceClusterSecurityGroup']);
    expect(found[0]?.message).toContain('add sg-0cccccccccccccccc to the list');
    const including = input({ securityGroupIds: ['sg-0123456789abcdef0', 'sg-0cccccccccccccccc'] });
    expectRules(checkLiveRules(including, facts({ cluster })), []);
  });

  it('says how much memory the parent keeps and the most memory_mib may be', () => {
    const [violation] = checkLiveRules(input({ allocator: { cpuCount: 2, memoryMib: 14000 } }), facts());
    expect(violation?.message).toContain('2589 MiB');
    expect(violation?.message).toContain('at most 13795');
  });

  it('covers every live rule', () => {
    const live = Object.entries(RULES)
      .filter(([, info]) => info.stage === RuleStage.Live)
      .map(([rule]) => rule);
    expect(live.filter((rule) => !covered.has(rule))).toEqual([]);
  });
});

describe('helpers', () => {
  it('parentMemoryReserveMib follows the documented formula', () => {
    expect(parentMemoryReserveMib({ vcpus: 4 })).toBe(11 * 110 + 255 + 100 + 1024);
    expect(parentMemoryReserveMib({ vcpus: 96 })).toBe(11 * 250 + 255 + 100 + 1024);
  });

  it('liveFactsRequest asks for the type, the explicit subnets and the cluster', () => {
    expect(liveFactsRequest(input({ subnetIds: ['subnet-11111111'] }))).toEqual({
      instanceTypes: ['m5.xlarge'],
      subnetIds: ['subnet-11111111'],
      clusterName: 'my-cluster',
    });
    expect(liveFactsRequest(seedSpec())).toEqual({
      instanceTypes: ['m5.xlarge'],
      subnetIds: [],
      clusterName: 'my-cluster',
    });
  });

  it('eligibleSubnetIds keeps the cluster subnets in regular zones, filtered by the pool zones', () => {
    const world = facts();
    world.cluster = {
      name: 'my-cluster',
      status: 'ACTIVE',
      subnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb', 'subnet-11111111'],
    };
    expect(eligibleSubnetIds(input(), world)).toEqual(['subnet-aaaaaaaa', 'subnet-bbbbbbbb']);
    expect(eligibleSubnetIds(input({ availabilityZones: ['eu-west-1b'] }), world)).toEqual([
      'subnet-bbbbbbbb',
    ]);
    expect(eligibleSubnetIds(seedSpec(), world)).toEqual(['subnet-aaaaaaaa', 'subnet-bbbbbbbb']);
  });
});
