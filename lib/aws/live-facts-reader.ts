import {
  type _InstanceType,
  DescribeAvailabilityZonesCommand,
  type InstanceTypeInfo,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeInstanceTypes,
  paginateDescribeSubnets,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { canonicalHash } from '../render/canonical-json';
import type {
  ClusterFacts,
  InstanceTypeFacts,
  LiveFacts,
  LiveFactsCache,
  SubnetFacts,
  ZoneFacts,
} from '../rules/live-facts';
import type { LiveFactsRequest } from '../rules/live-rules';
import type { AwsClients } from './client-factory';
import { awsErrorName, translateAwsError } from './translate-error';

/**
 * The AWS reads behind the live validation rules and the renderer, made once per reconcile: create
 * one reader per reconcile and every DescribeInstanceTypes / DescribeSubnets /
 * DescribeAvailabilityZones / DescribeCluster result is reused for its lifetime (concurrent callers
 * share one in-flight call). Read-only: it never writes.
 *
 * "Not found" is data (absent from the result), never an exception; any other failure is translated
 * to TransientAwsError / TerminalAwsError.
 *
 * NitroEnclavesSupport is read per type and filtered on our side: the `nitro-enclaves-support`
 * server-side filter is not implemented by moto, and reading the field works everywhere.
 */
export interface LiveFactsReader {
  instanceTypes(names: readonly string[]): Promise<Record<string, InstanceTypeFacts>>;
  subnets(ids: readonly string[]): Promise<Record<string, SubnetFacts>>;
  /** Every zone of the region, including Local/Wavelength zones not opted into (AllAvailabilityZones). */
  zones(): Promise<Record<string, ZoneFacts>>;
  cluster(name: string): Promise<ClusterFacts | undefined>;
  /** Per zone, which of `instanceTypes` EC2 offers there (zones where none is offered map to []). */
  instanceTypeOfferings(
    instanceTypes: readonly string[],
    zoneNames: readonly string[],
  ): Promise<Record<string, string[]>>;
  /** Everything the live rules need for one pool: the cluster first, then its and the pool's subnets. */
  gather(request: LiveFactsRequest): Promise<LiveFacts>;
  /**
   * The same, reusing `cached` (from the pool's status row) when it was read for the same request
   * and cluster subnets less than its refresh age ago (75-100 % of `maxAgeSeconds`,
   * liveFactsRefreshAgeMs): then DescribeCluster is the only call.
   * Returns the entry that describes the facts returned (`cached` itself when reused).
   */
  gatherCached(
    request: LiveFactsRequest,
    cached: LiveFactsCache | undefined,
  ): Promise<{ facts: LiveFacts; cache: LiveFactsCache }>;
}

/** A day: instance type facts never change; subnets, zones and offerings change rarely and visibly. */
export const DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS = 24 * 3600;

/**
 * Cached facts are re-read at a point between 75 % and 100 % of the max age, fixed per cache entry
 * (a hash of what it was read for and when). Without it, pools whose facts were read together (one
 * deploy, a fleet restored at once) would all re-read them in the same sweep a day later: four
 * EC2 describe calls each, several times the account's refill at 1,000 pools. Each re-read
 * draws a new point, so the refreshes stay spread.
 */
export const LIVE_FACTS_AGE_SPREAD = 0.25;

/** How old `cache` may get before it is read again: maxAgeMs less this entry's share of the spread. */
export function liveFactsRefreshAgeMs(
  cache: Pick<LiveFactsCache, 'key' | 'readAt'>,
  maxAgeMs: number,
): number {
  const draw =
    Number.parseInt(canonicalHash({ key: cache.key, readAt: cache.readAt }).slice(0, 8), 16) / 2 ** 32;
  return maxAgeMs * (1 - LIVE_FACTS_AGE_SPREAD * draw);
}

export interface LiveFactsReaderOptions {
  /** DescribeCluster results shared by every reader given the same map (the passes of one batch). */
  clusters?: Map<string, Promise<ClusterFacts | undefined>>;
  maxAgeSeconds?: number;
  now?: () => Date;
}

export function createLiveFactsReader(
  clients: Pick<AwsClients, 'ec2' | 'eks'>,
  options: LiveFactsReaderOptions = {},
): LiveFactsReader {
  return new CachingLiveFactsReader(clients, options);
}

/** What cached facts depend on: the request (sorted, so order does not matter) and the cluster's subnets. */
export function liveFactsKey(request: LiveFactsRequest, clusterSubnetIds: readonly string[]): string {
  const sorted = (values: readonly string[] | undefined) => [...new Set(values ?? [])].sort();
  return canonicalHash({
    instanceTypes: sorted(request.instanceTypes),
    subnetIds: sorted(request.subnetIds),
    availabilityZones: sorted(request.availabilityZones),
    clusterSubnetIds: sorted(clusterSubnetIds),
  });
}

/** Only the zones the facts refer to (the subnets' and the explicit ones): a region has dozens. */
function cacheableFacts(facts: LiveFacts, request: LiveFactsRequest): LiveFactsCache['facts'] {
  const wanted = new Set([
    ...Object.values(facts.subnets).map((subnet) => subnet.availabilityZone),
    ...(request.availabilityZones ?? []),
  ]);
  const zones = Object.fromEntries(Object.entries(facts.zones).filter(([name]) => wanted.has(name)));
  return {
    instanceTypes: facts.instanceTypes,
    subnets: facts.subnets,
    zones,
    ...(facts.instanceTypeOfferings ? { instanceTypeOfferings: facts.instanceTypeOfferings } : {}),
  };
}

/** DescribeInstanceTypes accepts up to 100 names per call; DescribeSubnets far more, 100 keeps it small. */
const BATCH = 100;

class CachingLiveFactsReader implements LiveFactsReader {
  private readonly instanceTypeCache = new Map<string, Promise<InstanceTypeFacts | undefined>>();
  private readonly subnetCache = new Map<string, Promise<SubnetFacts | undefined>>();
  private readonly clusterCache: Map<string, Promise<ClusterFacts | undefined>>;
  private zoneCache: Promise<Record<string, ZoneFacts>> | undefined;
  private readonly offeringCache = new Map<string, Promise<Record<string, string[]>>>();
  private readonly maxAgeMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly clients: Pick<AwsClients, 'ec2' | 'eks'>,
    options: LiveFactsReaderOptions,
  ) {
    this.clusterCache = options.clusters ?? new Map();
    this.maxAgeMs = (options.maxAgeSeconds ?? DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS) * 1000;
    this.now = options.now ?? (() => new Date());
  }

  async instanceTypes(names: readonly string[]): Promise<Record<string, InstanceTypeFacts>> {
    return this.cached(names, this.instanceTypeCache, (missing) => this.describeInstanceTypes(missing));
  }

  async subnets(ids: readonly string[]): Promise<Record<string, SubnetFacts>> {
    return this.cached(ids, this.subnetCache, (missing) => this.describeSubnets(missing));
  }

  zones(): Promise<Record<string, ZoneFacts>> {
    if (!this.zoneCache) {
      this.zoneCache = this.describeZones();
      this.zoneCache.catch(() => {
        this.zoneCache = undefined;
      });
    }
    return this.zoneCache;
  }

  cluster(name: string): Promise<ClusterFacts | undefined> {
    let pending = this.clusterCache.get(name);
    if (!pending) {
      pending = this.describeCluster(name);
      this.clusterCache.set(name, pending);
      pending.catch(() => this.clusterCache.delete(name));
    }
    return pending;
  }

  instanceTypeOfferings(
    instanceTypes: readonly string[],
    zoneNames: readonly string[],
  ): Promise<Record<string, string[]>> {
    const types = [...new Set(instanceTypes)].sort();
    const zones = [...new Set(zoneNames)].sort();
    const key = `${types.join(',')}|${zones.join(',')}`;
    let pending = this.offeringCache.get(key);
    if (!pending) {
      pending = this.describeOfferings(types, zones);
      this.offeringCache.set(key, pending);
      pending.catch(() => this.offeringCache.delete(key));
    }
    return pending;
  }

  async gather(request: LiveFactsRequest): Promise<LiveFacts> {
    const cluster = request.clusterName ? await this.cluster(request.clusterName) : undefined;
    const subnetIds = [...new Set([...request.subnetIds, ...(cluster?.subnetIds ?? [])])];
    const [instanceTypes, subnets, zones] = await Promise.all([
      this.instanceTypes(request.instanceTypes),
      this.subnets(subnetIds),
      this.zones(),
    ]);
    // Offerings only matter where nodes can go: the regular zones of the candidate subnets and of
    // the pool's explicit zones.
    const candidateZones = [
      ...Object.values(subnets).map((subnet) => subnet.availabilityZone),
      ...(request.availabilityZones ?? []),
    ].filter((zone) => zones[zone]?.zoneType === 'availability-zone');
    const knownTypes = request.instanceTypes.filter((type) => instanceTypes[type] !== undefined);
    const instanceTypeOfferings =
      knownTypes.length > 0 && candidateZones.length > 0
        ? await this.instanceTypeOfferings(knownTypes, candidateZones)
        : undefined;
    return {
      instanceTypes,
      subnets,
      zones,
      ...(cluster ? { cluster } : {}),
      ...(instanceTypeOfferings ? { instanceTypeOfferings } : {}),
    };
  }

  async gatherCached(
    request: LiveFactsRequest,
    cached: LiveFactsCache | undefined,
  ): Promise<{ facts: LiveFacts; cache: LiveFactsCache }> {
    const cluster = request.clusterName ? await this.cluster(request.clusterName) : undefined;
    const key = liveFactsKey(request, cluster?.subnetIds ?? []);
    const now = this.now();
    const age = cached ? now.getTime() - Date.parse(cached.readAt) : Number.POSITIVE_INFINITY;
    if (cached && cached.key === key && age >= 0 && age < liveFactsRefreshAgeMs(cached, this.maxAgeMs)) {
      return { facts: { ...cached.facts, ...(cluster ? { cluster } : {}) }, cache: cached };
    }
    const facts = await this.gather(request);
    return { facts, cache: { key, readAt: now.toISOString(), facts: cacheableFacts(facts, request) } };
  }

  /** Resolves `keys` through `cache`, fetching the missing ones in one batch. */
  private async cached<T>(
    keys: readonly string[],
    cache: Map<string, Promise<T | undefined>>,
    fetch: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Record<string, T>> {
    const unique = [...new Set(keys)];
    const missing = unique.filter((key) => !cache.has(key));
    if (missing.length > 0) {
      const batch = fetch(missing);
      for (const key of missing) {
        const entry = batch.then((found) => found.get(key));
        cache.set(key, entry);
        entry.catch(() => cache.delete(key));
      }
    }
    const result: Record<string, T> = {};
    for (const key of unique) {
      const value = await cache.get(key);
      if (value !== undefined) result[key] = value;
    }
    return result;
  }

  /**
   * One call per batch; a batch with an unknown type fails as a whole (InvalidInstanceType), so it
   * is retried one type at a time to tell the unknown ones apart.
   */
  private async describeInstanceTypes(names: string[]): Promise<Map<string, InstanceTypeFacts>> {
    const found = new Map<string, InstanceTypeFacts>();
    for (let i = 0; i < names.length; i += BATCH) {
      const batch = names.slice(i, i + BATCH);
      try {
        for (const info of await this.fetchInstanceTypes(batch)) addInstanceType(found, info);
      } catch (error: unknown) {
        if (!isAwsErrorNamed(error, 'InvalidInstanceType')) {
          throw translateAwsError(error, { resourceId: batch.join(',') });
        }
        if (batch.length === 1) continue;
        for (const name of batch) {
          try {
            for (const info of await this.fetchInstanceTypes([name])) addInstanceType(found, info);
          } catch (single: unknown) {
            if (!isAwsErrorNamed(single, 'InvalidInstanceType')) {
              throw translateAwsError(single, { resourceId: name });
            }
          }
        }
      }
    }
    return found;
  }

  private async fetchInstanceTypes(names: string[]): Promise<InstanceTypeInfo[]> {
    const infos: InstanceTypeInfo[] = [];
    const pages = paginateDescribeInstanceTypes(
      { client: this.clients.ec2 },
      { InstanceTypes: names as _InstanceType[] },
    );
    for await (const page of pages) infos.push(...(page.InstanceTypes ?? []));
    return infos;
  }

  /**
   * By filter rather than by SubnetIds: a filter simply leaves unknown ids out, where SubnetIds fails
   * the whole call (InvalidSubnetID.NotFound) and would need one call per id to find the culprits.
   */
  private async describeSubnets(ids: string[]): Promise<Map<string, SubnetFacts>> {
    const found = new Map<string, SubnetFacts>();
    try {
      for (let i = 0; i < ids.length; i += BATCH) {
        const batch = ids.slice(i, i + BATCH);
        const pages = paginateDescribeSubnets(
          { client: this.clients.ec2 },
          { Filters: [{ Name: 'subnet-id', Values: batch }] },
        );
        for await (const page of pages) for (const subnet of page.Subnets ?? []) addSubnet(found, subnet);
      }
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: ids.join(',') });
    }
    return found;
  }

  private async describeOfferings(types: string[], zoneNames: string[]): Promise<Record<string, string[]>> {
    const offerings: Record<string, string[]> = Object.fromEntries(zoneNames.map((zone) => [zone, []]));
    try {
      const pages = paginateDescribeInstanceTypeOfferings(
        { client: this.clients.ec2 },
        {
          LocationType: 'availability-zone',
          Filters: [
            { Name: 'instance-type', Values: types },
            { Name: 'location', Values: zoneNames },
          ],
        },
      );
      for await (const response of pages) {
        for (const offering of response.InstanceTypeOfferings ?? []) {
          if (offering.Location && offering.InstanceType) {
            offerings[offering.Location] = [
              ...(offerings[offering.Location] ?? []),
              offering.InstanceType,
            ].sort();
          }
        }
      }
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: types.join(',') });
    }
    return offerings;
  }

  private async describeZones(): Promise<Record<string, ZoneFacts>> {
    try {
      const response = await this.clients.ec2.send(
        new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: true }),
      );
      const zones: Record<string, ZoneFacts> = {};
      for (const zone of response.AvailabilityZones ?? []) {
        if (!zone.ZoneName) continue;
        zones[zone.ZoneName] = {
          zoneName: zone.ZoneName,
          zoneId: zone.ZoneId ?? '',
          zoneType: zone.ZoneType ?? 'availability-zone',
          ...(zone.ParentZoneName ? { parentZoneName: zone.ParentZoneName } : {}),
          ...(zone.OptInStatus ? { optInStatus: zone.OptInStatus } : {}),
        };
      }
      return zones;
    } catch (error: unknown) {
      throw translateAwsError(error);
    }
  }

  private async describeCluster(name: string): Promise<ClusterFacts | undefined> {
    try {
      const { cluster } = await this.clients.eks.send(new DescribeClusterCommand({ name }));
      if (!cluster) return undefined;
      const network = cluster.kubernetesNetworkConfig;
      return {
        name: cluster.name ?? name,
        status: cluster.status ?? 'UNKNOWN',
        ...(cluster.endpoint ? { endpoint: cluster.endpoint } : {}),
        ...(cluster.certificateAuthority?.data
          ? { certificateAuthority: cluster.certificateAuthority.data }
          : {}),
        ...(network?.serviceIpv4Cidr ? { serviceIpv4Cidr: network.serviceIpv4Cidr } : {}),
        ...(network?.serviceIpv6Cidr ? { serviceIpv6Cidr: network.serviceIpv6Cidr } : {}),
        ...(cluster.version ? { kubernetesVersion: cluster.version } : {}),
        subnetIds: cluster.resourcesVpcConfig?.subnetIds ?? [],
        ...(cluster.resourcesVpcConfig?.clusterSecurityGroupId
          ? { clusterSecurityGroupId: cluster.resourcesVpcConfig.clusterSecurityGroupId }
          : {}),
      };
    } catch (error: unknown) {
      if (isAwsErrorNamed(error, 'ResourceNotFoundException')) return undefined;
      throw translateAwsError(error, { resourceId: name });
    }
  }
}

function addInstanceType(found: Map<string, InstanceTypeFacts>, info: InstanceTypeInfo): void {
  if (!info.InstanceType) return;
  const architectures = info.ProcessorInfo?.SupportedArchitectures ?? [];
  found.set(info.InstanceType, {
    instanceType: info.InstanceType,
    nitroEnclavesSupported: info.NitroEnclavesSupport === 'supported',
    vcpus: info.VCpuInfo?.DefaultVCpus ?? 0,
    threadsPerCore: info.VCpuInfo?.DefaultThreadsPerCore ?? 1,
    memoryMib: info.MemoryInfo?.SizeInMiB ?? 0,
    architecture: architectures.find((a) => a === 'x86_64' || a === 'arm64') ?? architectures[0] ?? 'x86_64',
    hibernationSupported: info.HibernationSupported === true,
  });
}

function addSubnet(found: Map<string, SubnetFacts>, subnet: Subnet): void {
  if (!subnet.SubnetId) return;
  found.set(subnet.SubnetId, {
    subnetId: subnet.SubnetId,
    vpcId: subnet.VpcId ?? '',
    availabilityZone: subnet.AvailabilityZone ?? '',
    ...(subnet.AvailabilityZoneId ? { availabilityZoneId: subnet.AvailabilityZoneId } : {}),
    ...(subnet.OutpostArn ? { outpostArn: subnet.OutpostArn } : {}),
  });
}

function isAwsErrorNamed(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}
