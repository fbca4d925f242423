/**
 * What the live validation rules and the renderer need to know about AWS, read once per reconcile
 * by lib/aws/live-facts-reader.ts. Plain data: no SDK types cross this line.
 */

export interface InstanceTypeFacts {
  instanceType: string;
  nitroEnclavesSupported: boolean;
  vcpus: number;
  threadsPerCore: number;
  memoryMib: number;
  /** 'x86_64' | 'arm64' (first of the supported architectures). */
  architecture: string;
  hibernationSupported: boolean;
}

export interface ZoneFacts {
  zoneName: string;
  zoneId: string;
  /** 'availability-zone' | 'local-zone' | 'wavelength-zone' | 'outpost' */
  zoneType: string;
  parentZoneName?: string;
  optInStatus?: string;
}

export interface SubnetFacts {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId?: string;
  outpostArn?: string;
}

export interface ClusterFacts {
  name: string;
  status: string;
  endpoint?: string;
  certificateAuthority?: string;
  serviceIpv4Cidr?: string;
  serviceIpv6Cidr?: string;
  kubernetesVersion?: string;
  subnetIds: string[];
  /** The security group EKS gives nodes unless a launch template names its own. */
  clusterSecurityGroupId?: string;
}

export interface LiveFacts {
  /** Keyed by instance type; a type AWS does not know is absent. */
  instanceTypes: Record<string, InstanceTypeFacts>;
  /** Keyed by subnet id; an unknown subnet is absent. */
  subnets: Record<string, SubnetFacts>;
  /** Keyed by zone name, with AllAvailabilityZones so not-opted-in zones are visible too. */
  zones: Record<string, ZoneFacts>;
  /** Undefined when the cluster does not exist. */
  cluster?: ClusterFacts;
  /**
   * For each regular availability zone of the pool's candidate subnets, which of the requested
   * instance types EC2 offers there (DescribeInstanceTypeOfferings). Absent when it was not read:
   * the offering checks are then skipped.
   */
  instanceTypeOfferings?: Record<string, string[]>;
}

/**
 * Live facts as a status row keeps them between passes (lib/aws/live-facts-reader.ts decides when
 * they may be reused). The cluster is not in it: DescribeCluster is read on every pass (once per
 * cluster and batch), because the node user data carries its endpoint and certificate.
 */
export interface LiveFactsCache {
  /** Hash of what the facts depend on: the pool's request and the cluster's subnets. */
  key: string;
  /** ISO time they were read. */
  readAt: string;
  facts: Omit<LiveFacts, 'cluster'>;
}
