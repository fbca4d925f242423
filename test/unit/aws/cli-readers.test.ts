import { DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readLaunchTemplateVersionData } from '../../../lib/aws/launch-template-version-data';
import { NodegroupInstances } from '../../../lib/aws/nodegroup-instances';
import { scanProjected } from '../../../lib/aws/status-table-reader';
import { TerminalAwsError, TransientAwsError } from '../../../lib/errors';
import { awsError, mockedClients } from '../../support/sdk-mocks';

/** The CLI's read adapters: paging and error paths (the happy paths run against the sandbox). */

const { clients, ec2, documents } = mockedClients('ec2', 'documents');

describe('scanProjected', () => {
  it('pages through each segment, asking only for the projected attributes', async () => {
    documents
      .on(ScanCommand)
      .resolvesOnce({ Items: [{ poolId: 'b' }], LastEvaluatedKey: { poolId: 'b' } })
      .resolvesOnce({ Items: [{ poolId: 'a' }] });
    const rows = await scanProjected<{ poolId: string }>(clients, 't', ['poolId', 'nodegroup.status'], 1);
    expect(rows?.map((r) => r.poolId)).toEqual(['b', 'a']);
    const input = documents.commandCalls(ScanCommand)[0]?.args[0].input;
    expect(input?.ProjectionExpression).toBe('#poolId, #nodegroup.#status');
    expect(input?.ExpressionAttributeNames).toEqual({
      '#poolId': 'poolId',
      '#nodegroup': 'nodegroup',
      '#status': 'status',
    });
    expect(input?.Segment).toBeUndefined();
  });

  it('scans segments in parallel and names them', async () => {
    documents
      .on(ScanCommand)
      .callsFake((input: { Segment?: number }) => ({ Items: [{ poolId: `s${input.Segment}` }] }));
    const rows = await scanProjected<{ poolId: string }>(clients, 't', ['poolId'], 3);
    expect(rows?.map((r) => r.poolId).sort()).toEqual(['s0', 's1', 's2']);
    expect(documents.commandCalls(ScanCommand).map((c) => c.args[0].input.TotalSegments)).toEqual([3, 3, 3]);
  });

  it('treats a missing table as no pools', async () => {
    documents.on(ScanCommand).rejects(awsError('ResourceNotFoundException'));
    expect(await scanProjected(clients, 't', ['poolId'])).toBeUndefined();
  });

  it('translates other errors', async () => {
    documents.on(ScanCommand).rejects(awsError('ThrottlingException', 400));
    await expect(scanProjected(clients, 't', ['poolId'])).rejects.toBeInstanceOf(TransientAwsError);
  });
});

describe('NodegroupInstances', () => {
  it("lists the instances of the node group's Auto Scaling group, across pages", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: 'i-1',
                LaunchTime: new Date('2026-01-01T00:00:00Z'),
                State: { Name: 'running' },
                Placement: { AvailabilityZone: 'eu-west-1a' },
              },
              { InstanceId: 'i-no-time' },
            ],
          },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: 'i-2', LaunchTime: new Date('2026-01-01T01:00:00Z') }] }],
      });
    const instances = await new NodegroupInstances(clients).listByAutoScalingGroup('eks-ng');
    expect(instances).toEqual([
      {
        instanceId: 'i-1',
        launchTime: '2026-01-01T00:00:00.000Z',
        state: 'running',
        availabilityZone: 'eu-west-1a',
      },
      { instanceId: 'i-2', launchTime: '2026-01-01T01:00:00.000Z', state: 'unknown' },
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'tag:aws:autoscaling:groupName', Values: ['eks-ng'] },
    ]);
  });

  it('translates errors', async () => {
    ec2.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', 403));
    await expect(new NodegroupInstances(clients).listByAutoScalingGroup('eks-ng')).rejects.toBeInstanceOf(
      TerminalAwsError,
    );
  });
});

describe('readLaunchTemplateVersionData', () => {
  it('returns the version data in our form, or undefined when it is gone', async () => {
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolvesOnce({
        LaunchTemplateVersions: [
          { VersionNumber: 3, LaunchTemplateData: { InstanceType: 'm5.xlarge', ImageId: 'ami-1' } },
        ],
      })
      .resolvesOnce({ LaunchTemplateVersions: [] })
      .rejectsOnce(awsError('InvalidLaunchTemplateId.VersionNotFound'))
      .rejectsOnce(awsError('InternalError', 500, 'server'));
    expect(await readLaunchTemplateVersionData(clients, 'lt-1', 3)).toMatchObject({
      InstanceType: 'm5.xlarge',
      ImageId: 'ami-1',
    });
    expect(await readLaunchTemplateVersionData(clients, 'lt-1', 4)).toBeUndefined();
    expect(await readLaunchTemplateVersionData(clients, 'lt-1', 5)).toBeUndefined();
    await expect(readLaunchTemplateVersionData(clients, 'lt-1', 6)).rejects.toBeInstanceOf(TransientAwsError);
  });
});
