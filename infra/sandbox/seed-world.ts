import {
  type AvailabilityZone,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../lib/aws/client-factory';
import { DEFAULT_NODE_ROLE_NAME } from '../../lib/pool-spec';
import { eksOptimizedAmiParameterName as amiParameterName } from '../../lib/render/ami-parameter-name';

/**
 * The world the sandbox starts with, created through the SDK only (so it is also a check that
 * the sandbox answers real SDK calls): a VPC with private subnets in three regular zones, one in
 * a Local Zone and one in a Wavelength Zone, an ACTIVE EKS cluster, the IAM roles, and the
 * EKS-optimized AMIs published under the public SSM parameter names.
 */

export const SEEDED_CLUSTER_NAME = 'my-cluster';
export const SEEDED_KUBERNETES_VERSION = '1.35';
export const SEEDED_AMI_KUBERNETES_VERSIONS = ['1.33', '1.34', '1.35', '1.36'] as const;
export const AMI_ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type AmiArchitecture = (typeof AMI_ARCHITECTURES)[number];

export const SEEDED_VPC_CIDR = '10.0.0.0/16';
export const SEEDED_SERVICE_CIDR = '10.100.0.0/16';
export const SEEDED_CLUSTER_ROLE_NAME = 'my-cluster-eks-cluster-role';

const REGULAR_SUBNET_CIDRS = ['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20'] as const;
const LOCAL_ZONE_SUBNET_CIDR = '10.0.64.0/24';
const WAVELENGTH_SUBNET_CIDR = '10.0.65.0/24';

/** The public SSM parameter that names the recommended AL2023 EKS-optimized AMI (the product's own name builder). */
export function eksOptimizedAmiParameterName(
  kubernetesVersion: string,
  architecture: AmiArchitecture,
): string {
  return amiParameterName(kubernetesVersion, architecture, 'AmazonLinux2023');
}

export interface SeedWorldOptions {
  clusterName?: string;
  kubernetesVersion?: string;
  amiKubernetesVersions?: readonly string[];
}

export interface SeededSubnet {
  subnetId: string;
  zoneName: string;
  zoneId: string;
  cidrBlock: string;
}

export interface SeededEdgeSubnet extends SeededSubnet {
  zoneType: 'local-zone' | 'wavelength-zone';
  parentZoneName: string;
  optInStatus: string;
}

export interface SeededAmi {
  imageId: string;
  parameterName: string;
}

export interface SeededWorld {
  region: string;
  vpcId: string;
  /** Private subnets in the regular zones, keyed by zone name (e.g. eu-west-1a). */
  subnetsByZone: Record<string, SeededSubnet>;
  /** The same regular subnets' ids, in zone order: the cluster's subnets. */
  privateSubnetIds: string[];
  localZoneSubnet: SeededEdgeSubnet;
  wavelengthZoneSubnet: SeededEdgeSubnet;
  cluster: {
    name: string;
    arn: string;
    version: string;
    endpoint: string;
    certificateAuthorityData: string;
    serviceIpv4Cidr: string;
  };
  clusterRoleArn: string;
  nodeRoleArn: string;
  nodeRoleName: string;
  /** AMIs by Kubernetes version, then architecture, with the SSM parameter that names each. */
  amis: Record<string, Record<AmiArchitecture, SeededAmi>>;
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) {
    throw new Error(`seedWorld: the sandbox returned no ${what}; is the endpoint the project's sandbox?`);
  }
  return value;
}

const trustPolicy = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

async function createRole(clients: AwsClients, name: string, service: string): Promise<string> {
  const { Role } = await clients.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: trustPolicy(service),
      Tags: [{ Key: 'sandbox', Value: 'seeded' }],
    }),
  );
  return required(Role?.Arn, `ARN for role ${name}`);
}

async function createSubnet(
  clients: AwsClients,
  vpcId: string,
  zone: AvailabilityZone,
  cidrBlock: string,
  name: string,
  clusterName: string,
): Promise<SeededSubnet> {
  const { Subnet } = await clients.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: cidrBlock,
      AvailabilityZone: zone.ZoneName,
      TagSpecifications: [
        {
          ResourceType: 'subnet',
          Tags: [
            { Key: 'Name', Value: name },
            { Key: 'kubernetes.io/role/internal-elb', Value: '1' },
            { Key: `kubernetes.io/cluster/${clusterName}`, Value: 'shared' },
          ],
        },
      ],
    }),
  );
  return {
    subnetId: required(Subnet?.SubnetId, `subnet id in ${zone.ZoneName}`),
    zoneName: required(zone.ZoneName, 'zone name'),
    zoneId: required(zone.ZoneId, 'zone id'),
    cidrBlock,
  };
}

async function registerAmi(
  clients: AwsClients,
  version: string,
  architecture: AmiArchitecture,
): Promise<string> {
  const { ImageId } = await clients.ec2.send(
    new RegisterImageCommand({
      Name: `amazon-eks-node-al2023-${architecture}-standard-${version}-v20260101`,
      Description: `EKS-optimized Amazon Linux 2023 node AMI for Kubernetes ${version} (${architecture}), sandbox`,
      Architecture: architecture,
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
      EnaSupport: true,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }],
    }),
  );
  return required(ImageId, `image id for ${version}/${architecture}`);
}

function edgeSubnet(subnet: SeededSubnet, zone: AvailabilityZone): SeededEdgeSubnet {
  return {
    ...subnet,
    zoneType: zone.ZoneType === 'wavelength-zone' ? 'wavelength-zone' : 'local-zone',
    parentZoneName: required(zone.ParentZoneName, `parent zone of ${zone.ZoneName}`),
    optInStatus: required(zone.OptInStatus, `opt-in status of ${zone.ZoneName}`),
  };
}

/** Creates the seeded world in an empty (just reset) sandbox and returns every id it made. */
export async function seedWorld(clients: AwsClients, options: SeedWorldOptions = {}): Promise<SeededWorld> {
  const clusterName = options.clusterName ?? SEEDED_CLUSTER_NAME;
  const kubernetesVersion = options.kubernetesVersion ?? SEEDED_KUBERNETES_VERSION;
  const amiVersions = options.amiKubernetesVersions ?? SEEDED_AMI_KUBERNETES_VERSIONS;
  const region = await clients.ec2.config.region();

  // Independent calls go out together: seeding runs before many integration tests.
  const [zonesResult, vpcResult, clusterRoleArn, nodeRoleArn, imageIds] = await Promise.all([
    clients.ec2.send(new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: true })),
    clients.ec2.send(
      new CreateVpcCommand({
        CidrBlock: SEEDED_VPC_CIDR,
        TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: `${clusterName}-vpc` }] }],
      }),
    ),
    createRole(clients, SEEDED_CLUSTER_ROLE_NAME, 'eks.amazonaws.com'),
    createRole(clients, DEFAULT_NODE_ROLE_NAME, 'ec2.amazonaws.com'),
    Promise.all(
      amiVersions.flatMap((version) =>
        AMI_ARCHITECTURES.map(async (architecture) => ({
          version,
          architecture,
          imageId: await registerAmi(clients, version, architecture),
        })),
      ),
    ),
  ]);
  const vpcId = required(vpcResult.Vpc?.VpcId, 'VPC id');
  const zones = zonesResult.AvailabilityZones ?? [];
  const regular = zones
    .filter((z) => z.ZoneType === 'availability-zone')
    .sort((a, b) => (a.ZoneName ?? '').localeCompare(b.ZoneName ?? ''))
    .slice(0, REGULAR_SUBNET_CIDRS.length);
  const localZone = zones.find((z) => z.ZoneType === 'local-zone');
  const wavelengthZone = zones.find((z) => z.ZoneType === 'wavelength-zone');
  if (regular.length < REGULAR_SUBNET_CIDRS.length || !localZone || !wavelengthZone) {
    throw new Error(
      `seedWorld: region ${region} needs ${REGULAR_SUBNET_CIDRS.length} Availability Zones, a Local Zone and a ` +
        `Wavelength Zone; the sandbox lists ${zones.map((z) => `${z.ZoneName} (${z.ZoneType})`).join(', ')}.`,
    );
  }

  const [regularSubnets, localSubnet, wavelengthSubnet] = await Promise.all([
    Promise.all(
      regular.map((zone, i) =>
        createSubnet(
          clients,
          vpcId,
          zone,
          REGULAR_SUBNET_CIDRS[i] ?? '',
          `${clusterName}-private-${zone.ZoneName}`,
          clusterName,
        ),
      ),
    ),
    createSubnet(clients, vpcId, localZone, LOCAL_ZONE_SUBNET_CIDR, `${clusterName}-local-zone`, clusterName),
    createSubnet(
      clients,
      vpcId,
      wavelengthZone,
      WAVELENGTH_SUBNET_CIDR,
      `${clusterName}-wavelength`,
      clusterName,
    ),
  ]);
  const privateSubnetIds = regularSubnets.map((s) => s.subnetId);

  const amis: Record<string, Record<AmiArchitecture, SeededAmi>> = {};
  for (const { version, architecture, imageId } of imageIds) {
    const forVersion = amis[version] ?? ({} as Record<AmiArchitecture, SeededAmi>);
    forVersion[architecture] = {
      imageId,
      parameterName: eksOptimizedAmiParameterName(version, architecture),
    };
    amis[version] = forVersion;
  }

  const [{ cluster }] = await Promise.all([
    clients.eks.send(
      new CreateClusterCommand({
        name: clusterName,
        version: kubernetesVersion,
        roleArn: clusterRoleArn,
        resourcesVpcConfig: {
          subnetIds: privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: false,
        },
        kubernetesNetworkConfig: { serviceIpv4Cidr: SEEDED_SERVICE_CIDR },
        tags: { sandbox: 'seeded' },
      }),
    ),
    ...imageIds.map(({ version, architecture, imageId }) =>
      clients.ssm.send(
        new PutParameterCommand({
          Name: eksOptimizedAmiParameterName(version, architecture),
          Value: imageId,
          Type: 'String',
          DataType: 'aws:ec2:image',
        }),
      ),
    ),
  ]);
  const created = required(cluster, 'cluster');

  return {
    region,
    vpcId,
    subnetsByZone: Object.fromEntries(regularSubnets.map((s) => [s.zoneName, s])),
    privateSubnetIds,
    localZoneSubnet: edgeSubnet(localSubnet, localZone),
    wavelengthZoneSubnet: edgeSubnet(wavelengthSubnet, wavelengthZone),
    cluster: {
      name: clusterName,
      arn: required(created.arn, 'cluster ARN'),
      version: required(created.version, 'cluster version'),
      endpoint: required(created.endpoint, 'cluster endpoint'),
      certificateAuthorityData: required(created.certificateAuthority?.data, 'cluster certificate authority'),
      serviceIpv4Cidr: required(created.kubernetesNetworkConfig?.serviceIpv4Cidr, 'service CIDR'),
    },
    clusterRoleArn,
    nodeRoleArn,
    nodeRoleName: DEFAULT_NODE_ROLE_NAME,
    amis,
  };
}
