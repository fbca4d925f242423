import { X509Certificate } from 'node:crypto';
import { DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, ListClustersCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DEFAULT_NODE_ROLE_NAME } from '../../../lib/pool-spec';
import {
  configureSandbox,
  failNextRoll,
  resetSandbox,
  sandboxClients,
  sandboxConfig,
  seedWorld,
} from '../../support/sandbox';

describe('the seeded world', () => {
  it('has the VPC, the subnets, the roles and an ACTIVE cluster with endpoint, CA and service CIDR', async () => {
    const world = await seedWorld();
    const clients = sandboxClients();

    expect(world.region).toBe(process.env.AWS_REGION);
    expect(Object.keys(world.subnetsByZone)).toEqual([
      `${world.region}a`,
      `${world.region}b`,
      `${world.region}c`,
    ]);
    const { Subnets } = await clients.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [world.vpcId] }] }),
    );
    expect(Subnets?.map((s) => s.AvailabilityZone).sort()).toEqual(
      [
        `${world.region}a`,
        `${world.region}b`,
        `${world.region}c`,
        world.localZoneSubnet.zoneName,
        world.wavelengthZoneSubnet.zoneName,
      ].sort(),
    );
    const { Vpcs } = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [world.vpcId] }));
    expect(Vpcs?.[0]?.CidrBlock).toBe('10.0.0.0/16');
    expect(world.localZoneSubnet).toMatchObject({ zoneType: 'local-zone', optInStatus: 'opted-in' });
    expect(world.wavelengthZoneSubnet).toMatchObject({
      zoneType: 'wavelength-zone',
      optInStatus: 'not-opted-in',
    });

    const { cluster } = await clients.eks.send(new DescribeClusterCommand({ name: 'my-cluster' }));
    expect(cluster).toMatchObject({
      status: 'ACTIVE',
      version: '1.35',
      roleArn: world.clusterRoleArn,
      kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
      resourcesVpcConfig: { subnetIds: world.privateSubnetIds, vpcId: world.vpcId },
    });
    expect(cluster?.endpoint).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\..+\.eks\.amazonaws\.com$/);
    const pem = Buffer.from(cluster?.certificateAuthority?.data ?? '', 'base64').toString();
    expect(new X509Certificate(pem).subject).toBe('CN=kubernetes');
    expect(process.env.KUBERNETES_VERSION).toBe(cluster?.version);

    const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: DEFAULT_NODE_ROLE_NAME }));
    expect(Role?.Arn).toBe(world.nodeRoleArn);
    expect(Object.keys(world.amis)).toEqual(['1.33', '1.34', '1.35', '1.36']);
  });
});

describe('reset between tests', () => {
  it('empties every service and restores the control settings', async () => {
    await seedWorld();
    await configureSandbox({ rollSeconds: 42 });
    await failNextRoll('my-cluster', 'pool-a', 'NodeCreationFailure');

    await resetSandbox();

    const clients = sandboxClients();
    const { clusters } = await clients.eks.send(new ListClustersCommand({}));
    expect(clusters).toEqual([]);
    const { Vpcs } = await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(Vpcs?.map((v) => v.IsDefault)).toEqual([true]);
    const config = await sandboxConfig();
    expect(config.rollSeconds).toBe(Number(process.env.SANDBOX_ROLL_SECONDS ?? 2));
    expect(config.armedFailures).toEqual([]);
    expect(config.edgeZones.map((z) => z.ZoneType).sort()).toEqual(['local-zone', 'wavelength-zone']);
  });

  it('can seed the same world again right after a reset', async () => {
    const first = await seedWorld();
    const second = await seedWorld();

    expect(second.cluster.name).toBe(first.cluster.name);
    expect(second.vpcId).not.toBe(first.vpcId);
  });
});
