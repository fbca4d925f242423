import {
  CreateSubnetCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { type SeededWorld, sandboxClients, seedWorld } from '../../support/sandbox';

let clients: AwsClients;
let world: SeededWorld;

beforeEach(async () => {
  world = await seedWorld();
  clients = sandboxClients();
});

async function zoneOfSubnet(subnetId: string, allZones: boolean) {
  const { Subnets } = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
  const zoneName = Subnets?.[0]?.AvailabilityZone;
  const { AvailabilityZones } = await clients.ec2.send(
    new DescribeAvailabilityZonesCommand({
      ...(zoneName ? { ZoneNames: [zoneName] } : {}),
      ...(allZones ? { AllAvailabilityZones: true } : {}),
    }),
  );
  return { zoneName, zones: AvailabilityZones ?? [] };
}

describe('Local Zones and Wavelength Zones', () => {
  it('creates a subnet in a Local Zone and reads ZoneType local-zone back through DescribeAvailabilityZones', async () => {
    const { AvailabilityZones } = await clients.ec2.send(
      new DescribeAvailabilityZonesCommand({
        AllAvailabilityZones: true,
        Filters: [{ Name: 'zone-type', Values: ['local-zone'] }],
      }),
    );
    const localZone = AvailabilityZones?.[0];
    const { Subnet } = await clients.ec2.send(
      new CreateSubnetCommand({
        VpcId: world.vpcId,
        CidrBlock: '10.0.80.0/24',
        AvailabilityZone: localZone?.ZoneName,
      }),
    );

    const { zoneName, zones } = await zoneOfSubnet(Subnet?.SubnetId ?? '', true);
    expect(zoneName).toBe(localZone?.ZoneName);
    expect(zones).toEqual([
      expect.objectContaining({
        ZoneName: zoneName,
        ZoneType: 'local-zone',
        OptInStatus: 'opted-in',
        ParentZoneName: `${world.region}a`,
        RegionName: world.region,
      }),
    ]);
    expect(Subnet).toMatchObject({ DefaultForAz: false, MapPublicIpOnLaunch: false });
  });

  it('lists the not-opted-in Wavelength Zone only with AllAvailabilityZones, as AWS does', async () => {
    const wavelength = world.wavelengthZoneSubnet;
    expect(wavelength.optInStatus).toBe('not-opted-in');

    const hidden = await zoneOfSubnet(wavelength.subnetId, false);
    const shown = await zoneOfSubnet(wavelength.subnetId, true);

    expect(hidden.zones).toEqual([]);
    expect(shown.zones).toEqual([
      expect.objectContaining({
        ZoneName: wavelength.zoneName,
        ZoneType: 'wavelength-zone',
        OptInStatus: 'not-opted-in',
      }),
    ]);
  });

  it('keeps regular zones opt-in-not-required and gives the default VPC no edge-zone subnets', async () => {
    const { AvailabilityZones } = await clients.ec2.send(new DescribeAvailabilityZonesCommand({}));
    const regular = (AvailabilityZones ?? []).filter((z) => z.ZoneType === 'availability-zone');
    expect(regular.map((z) => z.OptInStatus)).toEqual([
      'opt-in-not-required',
      'opt-in-not-required',
      'opt-in-not-required',
    ]);

    const { Subnets } = await clients.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
    );
    expect((Subnets ?? []).map((s) => s.AvailabilityZone).sort()).toEqual(
      regular.map((z) => z.ZoneName).sort(),
    );
  });

  it('supports the opt-in-status and parent-zone-name filters', async () => {
    const { AvailabilityZones } = await clients.ec2.send(
      new DescribeAvailabilityZonesCommand({
        AllAvailabilityZones: true,
        Filters: [
          { Name: 'opt-in-status', Values: ['not-opted-in'] },
          { Name: 'parent-zone-name', Values: [`${world.region}a`] },
        ],
      }),
    );
    expect(AvailabilityZones?.map((z) => z.ZoneName)).toEqual([world.wavelengthZoneSubnet.zoneName]);
  });
});
