import {
  type AllocatorSettings,
  type AmiSource,
  KUBERNETES_VERSION,
  type PoolSpec,
  type Violation,
} from '../pool-spec';
import { parseCpuList, reservedCpuCount } from './allocator-commands';
import { fieldPath, indexPath, violationPath } from './field-path';
import type { InstanceTypeFacts, LiveFacts, SubnetFacts, ZoneFacts } from './live-facts';
import { Rule } from './rules';
import { ViolationList } from './violation-list';

/**
 * The rules that need facts from AWS. Pure: `checkLiveRules(spec, facts)` reads only its arguments;
 * lib/aws/live-facts-reader.ts does the reads (`liveFactsRequest` says which).
 *
 * The input can be a resolved PoolSpec or the best-effort `LiveRuleInput` that validatePoolSpec
 * returns even when offline rules failed, so one pass can report offline and live problems together.
 */

export interface LiveRulePaths {
  clusterName: string;
  kubernetesVersion: string;
  instanceType: string;
  enclaveOptions: string;
  ami: string;
  subnetIds: string;
  availabilityZones: string;
  allocatorCpu: string;
  allocatorMemory: string;
  securityGroups: string;
}

export interface LiveRuleInput {
  clusterName?: string;
  kubernetesVersion?: string;
  instanceType?: string;
  enclavesEnabled: boolean;
  ami?: AmiSource;
  allocator?: AllocatorSettings;
  subnetIds: string[];
  availabilityZones: string[];
  /** additionalSecurityGroups ids: they replace the cluster security group on the nodes. */
  securityGroupIds?: string[];
  paths: LiveRulePaths;
}

export interface LiveFactsRequest {
  instanceTypes: string[];
  /** Explicit subnets of the pool. The reader adds the cluster's own subnets once it knows them. */
  subnetIds: string[];
  clusterName?: string;
  /** Explicit availability zones of the pool (their instance type offerings are read too). */
  availabilityZones?: string[];
}

export function liveFactsRequest(input: PoolSpec | LiveRuleInput): LiveFactsRequest {
  const live = 'paths' in input ? input : liveRuleInputFromSpec(input);
  return {
    instanceTypes: live.instanceType ? [live.instanceType] : [],
    subnetIds: [...live.subnetIds],
    ...(live.clusterName ? { clusterName: live.clusterName } : {}),
    ...(live.availabilityZones.length > 0 ? { availabilityZones: [...live.availabilityZones] } : {}),
  };
}

export function defaultLiveRulePaths(names?: PoolSpec['manifestNames']): LiveRulePaths {
  const mp = names ? `MachinePool/${names.machinePool}` : 'MachinePool';
  const infra = names ? `AWSManagedMachinePool/${names.infrastructure}` : 'AWSManagedMachinePool';
  const boot = names ? `NodeadmConfig/${names.bootstrap}` : 'NodeadmConfig';
  return {
    clusterName: violationPath(mp, 'spec.clusterName'),
    kubernetesVersion: violationPath(mp, 'spec.template.spec.version'),
    instanceType: violationPath(infra, 'spec.awsLaunchTemplate.instanceType'),
    enclaveOptions: violationPath(infra, 'spec.awsLaunchTemplate.enclaveOptions.enabled'),
    ami: violationPath(infra, 'spec.awsLaunchTemplate.ami'),
    subnetIds: violationPath(infra, 'spec.subnetIDs'),
    availabilityZones: violationPath(infra, 'spec.availabilityZones'),
    allocatorCpu: violationPath(boot, 'spec.preNodeadmCommands'),
    allocatorMemory: violationPath(boot, 'spec.preNodeadmCommands'),
    securityGroups: violationPath(infra, 'spec.awsLaunchTemplate.additionalSecurityGroups'),
  };
}

export function liveRuleInputFromSpec(spec: PoolSpec): LiveRuleInput {
  return {
    clusterName: spec.clusterName,
    ...(spec.kubernetesVersion !== undefined ? { kubernetesVersion: spec.kubernetesVersion } : {}),
    instanceType: spec.launchTemplate.instanceType,
    enclavesEnabled: spec.launchTemplate.enclavesEnabled,
    ami: spec.launchTemplate.ami,
    ...(spec.bootstrap.allocator ? { allocator: spec.bootstrap.allocator } : {}),
    subnetIds: [...spec.subnetIds],
    availabilityZones: [...spec.availabilityZones],
    securityGroupIds: [...spec.launchTemplate.securityGroupIds],
    paths: defaultLiveRulePaths(spec.manifestNames),
  };
}

/**
 * Memory the parent instance keeps besides the enclave reservation, in MiB. nodeadm reserves
 * `11 × maxPods + 255` MiB for kubelet (kube-reserved); maxPods is taken at EKS's recommended
 * ceiling (110 below 30 vCPUs, 250 above), the highest it can be. On top: kubelet's 100 MiB hard
 * eviction threshold and 1 GiB for the OS, containerd, the CNI and DaemonSets, so that the node
 * still runs pods. Hugepages are never allocatable as ordinary memory, so anything reserved beyond
 * this starves kubelet and the node goes NotReady (NodeCreationFailure), which the allocator itself
 * never checks.
 */
export function parentMemoryReserveMib(instance: Pick<InstanceTypeFacts, 'vcpus'>): number {
  const maxPods = instance.vcpus < 30 ? 110 : 250;
  return 11 * maxPods + 255 + 100 + 1024;
}

/** vCPU count from which an instance type may span two NUMA nodes (24xlarge on most families). */
const MULTI_NUMA_VCPUS = 96;

function zoneKind(zone: ZoneFacts | undefined, subnet?: SubnetFacts): string | undefined {
  if (subnet?.outpostArn) return 'an Outpost';
  if (!zone) return undefined;
  if (zone.zoneType === 'availability-zone') return undefined;
  if (zone.zoneType === 'local-zone') return 'a Local Zone';
  if (zone.zoneType === 'wavelength-zone') return 'a Wavelength Zone';
  return `a zone of type ${zone.zoneType}`;
}

const EDGE_MESSAGE = 'Nitro Enclaves are not supported in Local Zones or Wavelength Zones';

function edgeFix(what: string, listPath: string, enclavePath: string): string {
  return (
    `${EDGE_MESSAGE} (nor on Outposts): either remove ${what} from ${listPath.split(': ')[1] ?? listPath}, ` +
    `or disable enclaves (${enclavePath.split(': ')[1] ?? enclavePath}: false)`
  );
}

/**
 * Whether EC2 offers the instance type in the zone: undefined when the offerings were not read
 * (or the zone was not asked about), so callers skip the check rather than guess.
 */
function offeredInZone(
  facts: LiveFacts,
  instanceType: string | undefined,
  zoneName: string,
): boolean | undefined {
  const offered = facts.instanceTypeOfferings?.[zoneName];
  if (!instanceType || !offered) return undefined;
  return offered.includes(instanceType);
}

/** The cluster's subnets in regular availability zones (and in the pool's zones, when it names some). */
function regularClusterSubnetIds(live: LiveRuleInput, facts: LiveFacts): string[] {
  const clusterSubnets = facts.cluster?.subnetIds ?? [];
  return clusterSubnets.filter((id) => {
    const subnet = facts.subnets[id];
    if (!subnet) return false;
    if (live.availabilityZones.length > 0 && !live.availabilityZones.includes(subnet.availabilityZone))
      return false;
    return zoneKind(facts.zones[subnet.availabilityZone], subnet) === undefined;
  });
}

/**
 * The cluster's subnets that a pool with these settings may use when it names none: regular
 * availability zones only, and only zones where EC2 offers the pool's instance type (a node group
 * spread over a zone that cannot launch the type would fail to scale there).
 */
export function eligibleSubnetIds(input: PoolSpec | LiveRuleInput, facts: LiveFacts): string[] {
  const live = 'paths' in input ? input : liveRuleInputFromSpec(input);
  return regularClusterSubnetIds(live, facts).filter((id) => {
    const zone = facts.subnets[id]?.availabilityZone ?? '';
    return offeredInZone(facts, live.instanceType, zone) !== false;
  });
}

function minorOf(version: string | undefined): number | undefined {
  const match = version ? KUBERNETES_VERSION.exec(version) : null;
  return match ? Number(match[2]) + Number(match[1]) * 1000 : undefined;
}

export function checkLiveRules(spec: PoolSpec | LiveRuleInput, facts: LiveFacts): Violation[] {
  const input = 'paths' in spec ? spec : liveRuleInputFromSpec(spec);
  const violations = new ViolationList();
  checkInstanceType(input, facts, violations);
  checkSubnets(input, facts, violations);
  checkAvailabilityZones(input, facts, violations);
  checkCluster(input, facts, violations);
  return violations.items;
}

/**
 * Only the instance-type rules (enclave support, architecture, the allocator against vCPUs, threads
 * per core, CPU 0's siblings and memory), for facts that come from somewhere other than a live read:
 * offline `validate` passes the bundled snapshot (lib/rules/instance-facts.ts).
 */
export function checkInstanceTypeRules(
  spec: PoolSpec | LiveRuleInput,
  instanceTypes: Record<string, InstanceTypeFacts>,
): Violation[] {
  const input = 'paths' in spec ? spec : liveRuleInputFromSpec(spec);
  const violations = new ViolationList();
  checkInstanceType(input, { instanceTypes, subnets: {}, zones: {} }, violations);
  return violations.items;
}

function checkInstanceType(input: LiveRuleInput, facts: LiveFacts, violations: ViolationList): void {
  const { instanceType, paths } = input;
  if (!instanceType) return;
  const field = paths.instanceType.split(': ')[1] ?? 'instanceType';
  const facet = facts.instanceTypes[instanceType];
  if (!facet) {
    violations.add(
      Rule.InstanceTypeUnknown,
      paths.instanceType,
      instanceType,
      `${field} is ${instanceType}, which EC2 does not offer in this region (DescribeInstanceTypes does not know it); ` +
        'check the spelling, e.g. m5.xlarge',
    );
    return;
  }
  if (
    input.ami?.kind === 'eksLookup' &&
    input.ami.lookupType === 'AmazonLinux2023GPU' &&
    facet.architecture !== 'x86_64'
  ) {
    violations.add(
      Rule.AmiArchitectureMismatch,
      paths.ami,
      input.ami.lookupType,
      `ami.eksLookupType AmazonLinux2023GPU resolves the x86_64 NVIDIA AMI, but ${instanceType} is ${facet.architecture}; ` +
        'use AmazonLinux2023 or an x86_64 GPU instance type',
    );
  }
  if (!input.enclavesEnabled) return;
  if (!facet.nitroEnclavesSupported) {
    violations.add(
      Rule.InstanceTypeNotEnclaveCapable,
      paths.instanceType,
      instanceType,
      `${field}: ${instanceType} does not support Nitro Enclaves (NitroEnclavesSupport is "unsupported"); pick a ` +
        'type whose NitroEnclavesSupport is "supported", e.g. m5.xlarge (at least 4 vCPUs on Intel/AMD, 2 on Graviton, ' +
        'no .metal, no burstable T types), or disable enclaveOptions',
    );
    return;
  }
  const allocator = input.allocator;
  if (!allocator) return;
  checkAllocatorAgainstInstance(allocator, facet, input.paths, violations);
}

function checkAllocatorAgainstInstance(
  allocator: AllocatorSettings,
  facet: InstanceTypeFacts,
  paths: LiveRulePaths,
  violations: ViolationList,
): void {
  const cpus = reservedCpuCount(allocator);
  const tpc = Math.max(1, facet.threadsPerCore);
  const setting =
    allocator.cpuPool !== undefined ? `cpu_pool ${allocator.cpuPool} (${cpus} CPUs)` : `cpu_count ${cpus}`;
  const maxCpus = facet.vcpus - tpc;
  const pool = allocator.cpuPool !== undefined ? parseCpuList(allocator.cpuPool) : undefined;
  const poolIds = pool?.ok ? pool.value : undefined;
  const poolFitsInstance = poolIds?.every((id) => id < facet.vcpus) === true;
  const siblingsKnown = poolFitsInstance && siblingLayoutKnown(facet);
  if (siblingsKnown && poolIds) checkPoolSiblings(allocator.cpuPool ?? '', poolIds, facet, paths, violations);
  if (cpus !== undefined) {
    if (cpus % tpc !== 0 && !siblingsKnown) {
      violations.add(
        Rule.AllocatorCpuNotFullCores,
        paths.allocatorCpu,
        cpus,
        `${setting} is not a multiple of ${tpc}, the threads per core of ${facet.instanceType}; the allocator only ` +
          `takes whole cores ("The CPU count is not multiple of ${tpc}"): use ${Math.max(tpc, Math.floor(cpus / tpc) * tpc)}`,
      );
    }
    if (cpus > maxCpus) {
      violations.add(
        Rule.AllocatorCpuExceedsInstance,
        paths.allocatorCpu,
        cpus,
        `${setting} is more than ${facet.instanceType} can give: it has ${facet.vcpus} vCPUs and CPU 0's core ` +
          `(${tpc} vCPU${tpc > 1 ? 's' : ''}) stays with the parent, so at most ${maxCpus}; lower it or pick a larger type`,
      );
    } else if (facet.vcpus >= MULTI_NUMA_VCPUS && cpus > facet.vcpus / 2 - tpc) {
      violations.add(
        Rule.AllocatorCpuMayCrossNuma,
        paths.allocatorCpu,
        cpus,
        `${setting} on ${facet.instanceType} (${facet.vcpus} vCPUs) may not fit in one NUMA node, and the allocator ` +
          `needs all enclave CPUs on one node; keep it at or below ${facet.vcpus / 2 - tpc}, or verify on a node`,
      );
    }
  }
  if (allocator.cpuPool !== undefined) {
    const ids = parseCpuList(allocator.cpuPool);
    const highest = ids.ok ? ids.value[ids.value.length - 1] : undefined;
    if (highest !== undefined && highest >= facet.vcpus) {
      violations.add(
        Rule.AllocatorCpuExceedsInstance,
        paths.allocatorCpu,
        allocator.cpuPool,
        `cpu_pool ${allocator.cpuPool} names CPU ${highest}, but ${facet.instanceType} has CPUs 0-${facet.vcpus - 1}; ` +
          'list CPUs that exist',
      );
    }
  }
  const reserve = parentMemoryReserveMib(facet);
  const maxMemory = facet.memoryMib - reserve;
  if (allocator.memoryMib > maxMemory) {
    violations.add(
      Rule.AllocatorMemoryExceedsInstance,
      paths.allocatorMemory,
      allocator.memoryMib,
      `memory_mib ${allocator.memoryMib} leaves ${facet.instanceType} (${facet.memoryMib} MiB) less than the ${reserve} MiB ` +
        `its kubelet, system and pods need; use at most ${Math.max(0, maxMemory)} or pick a type with more memory`,
    );
  }
}

function clusterVpcId(facts: LiveFacts): string | undefined {
  for (const id of facts.cluster?.subnetIds ?? []) {
    const vpc = facts.subnets[id]?.vpcId;
    if (vpc) return vpc;
  }
  return undefined;
}

function checkSubnets(input: LiveRuleInput, facts: LiveFacts, violations: ViolationList): void {
  const listPath = input.paths.subnetIds;
  const [manifest, field] = listPath.split(': ');
  const vpc = clusterVpcId(facts);
  input.subnetIds.forEach((subnetId, index) => {
    const path = violationPath(manifest ?? listPath, indexPath(field ?? 'spec.subnetIDs', index));
    const at = indexPath(field ?? 'spec.subnetIDs', index);
    const subnet = facts.subnets[subnetId];
    if (!subnet) {
      violations.add(
        Rule.SubnetNotFound,
        path,
        subnetId,
        `${at} is ${subnetId}, which DescribeSubnets does not find in this account and region; fix the id or remove it`,
      );
      return;
    }
    if (vpc && subnet.vpcId !== vpc) {
      violations.add(
        Rule.SubnetVpcMismatch,
        path,
        subnetId,
        `${at} is ${subnetId} in ${subnet.vpcId}, but cluster ${input.clusterName ?? ''} runs in ${vpc}; ` +
          "use a subnet of the cluster's VPC",
      );
    }
    if (offeredInZone(facts, input.instanceType, subnet.availabilityZone) === false) {
      violations.add(
        Rule.InstanceTypeNotOfferedInZone,
        path,
        subnetId,
        `${at} is ${subnetId} in ${subnet.availabilityZone}, where EC2 does not offer ${input.instanceType} ` +
          '(DescribeInstanceTypeOfferings), so no node could launch there; remove the subnet or pick an instance ' +
          'type offered in every zone of the pool',
      );
    }
    if (!input.enclavesEnabled) return;
    const zone = facts.zones[subnet.availabilityZone];
    const kind = zoneKind(zone, subnet);
    if (kind) {
      violations.add(
        Rule.NitroEnclaveEdgeZoneUnsupported,
        path,
        subnetId,
        `${at} is ${subnetId} in ${subnet.outpostArn ? subnet.outpostArn : subnet.availabilityZone}, ${kind}. ` +
          edgeFix(`subnet ${subnetId}`, listPath, input.paths.enclaveOptions),
      );
    }
  });
  if (input.subnetIds.length === 0 && input.availabilityZones.length === 0 && facts.cluster) {
    const known = facts.cluster.subnetIds.filter((id) => facts.subnets[id] !== undefined);
    if (known.length === 0) return;
    const regular = regularClusterSubnetIds(input, facts);
    if (regular.length > 0 && eligibleSubnetIds(input, facts).length === 0) {
      const zones = [...new Set(regular.map((id) => facts.subnets[id]?.availabilityZone ?? id))].sort();
      violations.add(
        Rule.InstanceTypeNotOfferedInZone,
        input.paths.instanceType,
        input.instanceType,
        `${input.paths.instanceType.split(': ')[1] ?? 'instanceType'}: EC2 offers ${input.instanceType} in none of ` +
          `the zones of cluster ${facts.cluster.name}'s subnets (${zones.join(', ')}); pick an instance type offered ` +
          'there, or list subnets in zones that offer it in spec.subnetIDs',
      );
    } else if (regular.length === 0) {
      violations.add(
        Rule.NoEligibleSubnets,
        listPath,
        facts.cluster.subnetIds,
        `no spec.subnetIDs are given and none of cluster ${facts.cluster.name}'s subnets ` +
          `(${facts.cluster.subnetIds.join(', ')}) is in a regular availability zone; without explicit subnets a ` +
          'pool uses only those (as CAPA does)' +
          (input.enclavesEnabled ? `, and ${EDGE_MESSAGE}` : '') +
          ': list subnets in regular availability zones in spec.subnetIDs',
      );
    }
  }
}

function checkAvailabilityZones(input: LiveRuleInput, facts: LiveFacts, violations: ViolationList): void {
  const listPath = input.paths.availabilityZones;
  const [manifest, field] = listPath.split(': ');
  const zoneNames = Object.keys(facts.zones);
  input.availabilityZones.forEach((zoneName, index) => {
    const path = violationPath(manifest ?? listPath, indexPath(field ?? 'spec.availabilityZones', index));
    const at = indexPath(field ?? 'spec.availabilityZones', index);
    const zone = facts.zones[zoneName];
    if (!zone) {
      violations.add(
        Rule.AvailabilityZoneNotFound,
        path,
        zoneName,
        `${at} is ${zoneName}, which is not a zone of this region (known: ${zoneNames.slice(0, 8).join(', ')}` +
          `${zoneNames.length > 8 ? ', …' : ''}); fix the name or remove it`,
      );
      return;
    }
    const kind = zoneKind(zone);
    if (kind && input.enclavesEnabled) {
      violations.add(
        Rule.NitroEnclaveEdgeZoneUnsupported,
        path,
        zoneName,
        `${at} is ${zoneName}, ${kind}` +
          `${zone.parentZoneName ? ` (parent ${zone.parentZoneName})` : ''}. ` +
          edgeFix(`zone ${zoneName}`, listPath, input.paths.enclaveOptions),
      );
      return;
    }
    if (offeredInZone(facts, input.instanceType, zoneName) === false) {
      violations.add(
        Rule.InstanceTypeNotOfferedInZone,
        path,
        zoneName,
        `${at} is ${zoneName}, where EC2 does not offer ${input.instanceType} (DescribeInstanceTypeOfferings); ` +
          'remove the zone or pick an instance type offered in every zone of the pool',
      );
      return;
    }
    const cluster = facts.cluster;
    if (cluster && input.subnetIds.length === 0) {
      const inZone = cluster.subnetIds.filter((id) => facts.subnets[id]?.availabilityZone === zoneName);
      const described = cluster.subnetIds.some((id) => facts.subnets[id] !== undefined);
      if (described && inZone.length === 0) {
        violations.add(
          Rule.NoSubnetInAvailabilityZone,
          path,
          zoneName,
          `${at} is ${zoneName}, but cluster ${cluster.name} has no subnet there; add a cluster subnet in ` +
            `${zoneName}, or remove it from ${fieldPath('spec', 'availabilityZones')}`,
        );
      }
    }
  });
}

function checkCluster(input: LiveRuleInput, facts: LiveFacts, violations: ViolationList): void {
  if (!input.clusterName) return;
  const field = input.paths.clusterName.split(': ')[1] ?? 'clusterName';
  const cluster = facts.cluster;
  if (!cluster) {
    violations.add(
      Rule.ClusterNotFound,
      input.paths.clusterName,
      input.clusterName,
      `${field} is ${input.clusterName}, but DescribeCluster finds no such EKS cluster in this account and region; ` +
        'fix the name, or create the cluster first',
    );
    return;
  }
  checkClusterSecurityGroup(input, cluster, violations);
  const pool = minorOf(input.kubernetesVersion);
  const control = minorOf(cluster.kubernetesVersion);
  if (pool === undefined || control === undefined) return;
  const versionField = input.paths.kubernetesVersion.split(': ')[1] ?? 'version';
  if (pool > control) {
    violations.add(
      Rule.KubernetesVersionSkew,
      input.paths.kubernetesVersion,
      input.kubernetesVersion,
      `${versionField} is ${input.kubernetesVersion}, newer than cluster ${cluster.name} (${cluster.kubernetesVersion}); ` +
        'kubelet may not be newer than the control plane: upgrade the cluster first or lower the version',
    );
  } else if (control - pool > 3) {
    violations.add(
      Rule.KubernetesVersionSkew,
      input.paths.kubernetesVersion,
      input.kubernetesVersion,
      `${versionField} is ${input.kubernetesVersion}, more than three minor versions behind cluster ${cluster.name} ` +
        `(${cluster.kubernetesVersion}); raise it to at least ${Math.floor(control / 1000)}.${(control % 1000) - 3}`,
    );
  }
}

/**
 * Security groups in a launch template replace the cluster security group EKS would otherwise
 * attach, and without it the nodes may not reach the control plane (EKS launch template guide).
 */
function checkClusterSecurityGroup(
  input: LiveRuleInput,
  cluster: NonNullable<LiveFacts['cluster']>,
  violations: ViolationList,
): void {
  const groups = input.securityGroupIds ?? [];
  const clusterGroup = cluster.clusterSecurityGroupId;
  if (groups.length === 0 || clusterGroup === undefined || groups.includes(clusterGroup)) return;
  const field = input.paths.securityGroups.split(': ')[1] ?? 'additionalSecurityGroups';
  violations.add(
    Rule.SecurityGroupsReplaceClusterSecurityGroup,
    input.paths.securityGroups,
    groups,
    `${field} puts ${groups.join(', ')} in the launch template, and EKS then leaves out cluster ${cluster.name}'s ` +
      `security group ${clusterGroup}, so the nodes may not reach the control plane or other nodes; add ` +
      `${clusterGroup} to the list, or make sure your groups allow that traffic`,
  );
}

/**
 * On x86 types with two threads per core, Linux on EC2 numbers the first thread of every core
 * before the second ones, so CPU k and CPU k + vCPUs/2 share a core (m5.xlarge: 0+2, 1+3). The
 * driver refuses a pool with CPU 0's sibling or with half a core (ne_misc_dev.c); see
 * docs/decisions/0062 for what is inferred here.
 */
function siblingLayoutKnown(facet: InstanceTypeFacts): boolean {
  return facet.architecture === 'x86_64' && facet.threadsPerCore === 2 && facet.vcpus % 2 === 0;
}

function siblingOf(cpu: number, vcpus: number): number {
  const half = vcpus / 2;
  return cpu < half ? cpu + half : cpu - half;
}

function checkPoolSiblings(
  cpuPool: string,
  ids: readonly number[],
  facet: InstanceTypeFacts,
  paths: LiveRulePaths,
  violations: ViolationList,
): void {
  const cpu0Sibling = siblingOf(0, facet.vcpus);
  if (ids.includes(cpu0Sibling)) {
    violations.add(
      Rule.AllocatorCpuPoolHoldsCpu0Sibling,
      paths.allocatorCpu,
      cpuPool,
      `cpu_pool ${cpuPool} holds CPU ${cpu0Sibling}, the sibling thread of CPU 0 on ${facet.instanceType} ` +
        `(${facet.vcpus} vCPUs, CPU k pairs with CPU k+${facet.vcpus / 2}); the driver refuses it ("CPU sibling ` +
        `${cpu0Sibling} for CPU 0 is in CPU pool"): remove CPU ${cpu0Sibling}`,
    );
  }
  const inPool = new Set(ids);
  const halfCores = ids.filter((id) => id !== cpu0Sibling && !inPool.has(siblingOf(id, facet.vcpus)));
  if (halfCores.length === 0) return;
  const pairs = halfCores.map((id) => `${id} without ${siblingOf(id, facet.vcpus)}`).join(', ');
  const whole = [...new Set([...ids, ...halfCores.map((id) => siblingOf(id, facet.vcpus))])]
    .filter((id) => id !== 0 && id !== cpu0Sibling)
    .sort((a, b) => a - b);
  violations.add(
    Rule.AllocatorCpuNotFullCores,
    paths.allocatorCpu,
    cpuPool,
    `cpu_pool ${cpuPool} takes half a core on ${facet.instanceType} (${pairs}; CPU k pairs with CPU ` +
      `k+${facet.vcpus / 2}), and the driver only takes whole cores: use ${whole.join(',')}`,
  );
}
