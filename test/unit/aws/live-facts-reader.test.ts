import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { createLiveFactsReader } from '../../../lib/aws/live-facts-reader';
import { TerminalAwsError, TransientAwsError } from '../../../lib/errors';
import { M5_XLARGE } from '../../support/pool-spec-fixture';
import { awsError, mockedClients } from '../../support/sdk-mocks';

/** Error paths and caching only; the happy paths run against the sandbox in test/integration/rules. */

const { clients, ec2, eks } = mockedClients('ec2', 'eks');

const m5 = {
  InstanceType: 'm5.xlarge' as const,
  NitroEnclavesSupport: 'supported' as const,
  VCpuInfo: { DefaultVCpus: 4, DefaultThreadsPerCore: 2 },
  MemoryInfo: { SizeInMiB: 16384 },
  ProcessorInfo: { SupportedArchitectures: ['i386' as const, 'x86_64' as const] },
};

describe('createLiveFactsReader', () => {
  it('describes each instance type once per reader, even for concurrent callers', async () => {
    ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [m5] });
    const reader = createLiveFactsReader(clients);
    const [a, b] = await Promise.all([
      reader.instanceTypes(['m5.xlarge']),
      reader.instanceTypes(['m5.xlarge']),
    ]);
    await reader.instanceTypes(['m5.xlarge']);
    expect(a).toEqual(b);
    // The mock's m5.xlarge does not list HibernationSupported: read as false.
    expect(a['m5.xlarge']).toEqual({ ...M5_XLARGE, hibernationSupported: false });
    expect(ec2.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(1);
  });

  it('tells an unknown type apart by retrying one at a time after InvalidInstanceType', async () => {
    ec2.on(DescribeInstanceTypesCommand).callsFake((input: DescribeInstanceTypesCommandInput) => {
      if (input.InstanceTypes?.includes('m5.bogus' as never)) throw awsError('InvalidInstanceType');
      return { InstanceTypes: [m5] };
    });
    const types = await createLiveFactsReader(clients).instanceTypes(['m5.xlarge', 'm5.bogus']);
    expect(Object.keys(types)).toEqual(['m5.xlarge']);
    expect(ec2.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(3);
  });

  it('looks subnets up by filter, so unknown ids are simply absent', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [{ SubnetId: 'subnet-aaaaaaaa', VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1a' }],
    });
    const subnets = await createLiveFactsReader(clients).subnets(['subnet-aaaaaaaa', 'subnet-0000dead']);
    expect(subnets).toEqual({
      'subnet-aaaaaaaa': { subnetId: 'subnet-aaaaaaaa', vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' },
    });
    expect(ec2.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: 'subnet-id', Values: ['subnet-aaaaaaaa', 'subnet-0000dead'] }] },
    ]);
  });

  it('reads all zones once, with AllAvailabilityZones', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: [
        { ZoneName: 'eu-west-1a', ZoneId: 'euw1-az3', ZoneType: 'availability-zone' },
        {
          ZoneName: 'eu-west-1-wl1',
          ZoneId: 'euw1-wl1',
          ZoneType: 'wavelength-zone',
          ParentZoneName: 'eu-west-1a',
          OptInStatus: 'not-opted-in',
        },
      ],
    });
    const reader = createLiveFactsReader(clients);
    await reader.zones();
    const zones = await reader.zones();
    expect(zones['eu-west-1-wl1']).toEqual({
      zoneName: 'eu-west-1-wl1',
      zoneId: 'euw1-wl1',
      zoneType: 'wavelength-zone',
      parentZoneName: 'eu-west-1a',
      optInStatus: 'not-opted-in',
    });
    const calls = ec2.commandCalls(DescribeAvailabilityZonesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ AllAvailabilityZones: true });
  });

  it('reports a missing cluster as undefined', async () => {
    eks.on(DescribeClusterCommand).rejects(awsError('ResourceNotFoundException', 404));
    await expect(createLiveFactsReader(clients).cluster('nope')).resolves.toBeUndefined();
  });

  it('translates throttling into TransientAwsError and access denied into TerminalAwsError, and retries after a failure', async () => {
    ec2.on(DescribeInstanceTypesCommand).rejectsOnce(awsError('RequestLimitExceeded', 503, 'server'));
    const reader = createLiveFactsReader(clients);
    await expect(reader.instanceTypes(['m5.xlarge'])).rejects.toBeInstanceOf(TransientAwsError);
    ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [m5] });
    await expect(reader.instanceTypes(['m5.xlarge'])).resolves.toHaveProperty(['m5.xlarge']);

    eks.on(DescribeClusterCommand).rejects(awsError('AccessDeniedException', 403));
    await expect(reader.cluster('c')).rejects.toBeInstanceOf(TerminalAwsError);
    ec2.on(DescribeAvailabilityZonesCommand).rejects(awsError('UnauthorizedOperation', 403));
    await expect(reader.zones()).rejects.toBeInstanceOf(TerminalAwsError);
    ec2.on(DescribeSubnetsCommand).rejects(awsError('InternalError', 500, 'server'));
    await expect(reader.subnets(['subnet-aaaaaaaa'])).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('gathers the cluster first, then its subnets with the pool subnets', async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: {
        name: 'my-cluster',
        status: 'ACTIVE',
        endpoint: 'https://example.eks.amazonaws.com',
        certificateAuthority: { data: 'Q0E=' },
        kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', serviceIpv6Cidr: 'fd00::/108' },
        version: '1.35',
        resourcesVpcConfig: { subnetIds: ['subnet-aaaaaaaa'] },
      },
    });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [] });
    const facts = await createLiveFactsReader(clients).gather({
      instanceTypes: ['m5.xlarge'],
      subnetIds: ['subnet-bbbbbbbb'],
      clusterName: 'my-cluster',
    });
    expect(facts.cluster).toEqual({
      name: 'my-cluster',
      status: 'ACTIVE',
      endpoint: 'https://example.eks.amazonaws.com',
      certificateAuthority: 'Q0E=',
      serviceIpv4Cidr: '10.100.0.0/16',
      serviceIpv6Cidr: 'fd00::/108',
      kubernetesVersion: '1.35',
      subnetIds: ['subnet-aaaaaaaa'],
    });
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'subnet-id', Values: ['subnet-bbbbbbbb', 'subnet-aaaaaaaa'] },
    ]);
  });
});
