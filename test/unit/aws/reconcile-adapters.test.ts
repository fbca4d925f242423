import {
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  DeleteLaunchTemplateVersionsCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteNodegroupCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  type Update,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AmiParameters } from '../../../lib/aws/ami-parameters';
import { LaunchTemplates } from '../../../lib/aws/launch-templates';
import { NodeRoles } from '../../../lib/aws/node-roles';
import { Nodegroups } from '../../../lib/aws/nodegroups';
import { PoolQueue } from '../../../lib/aws/pool-queue';
import { StatusTable } from '../../../lib/aws/status-table';
import { ConcurrentUpdateError, TerminalAwsError, TransientAwsError } from '../../../lib/errors';
import { dataHashDescription } from '../../../lib/render/resource-names';
import { emptyStatusRow } from '../../../lib/status/status-row';
import { awsError, mockedClients } from '../../support/sdk-mocks';

/** Adapter error paths only: the happy paths run against the sandbox in test/integration/reconcile. */

const { clients, ec2, eks, ssm, iam, documents, sqs } = mockedClients(
  'ec2',
  'eks',
  'ssm',
  'iam',
  'documents',
  'sqs',
);

describe('LaunchTemplates', () => {
  const templates = new LaunchTemplates(clients);

  it('reports a missing template as undefined', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
    await expect(templates.describe('x')).resolves.toBeUndefined();
  });

  it('translates throttling into TransientAwsError and a permission error into TerminalAwsError', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).rejectsOnce(awsError('RequestLimitExceeded', 503, 'server'));
    await expect(templates.describe('x')).rejects.toBeInstanceOf(TransientAwsError);
    ec2.on(DescribeLaunchTemplatesCommand).rejectsOnce(awsError('UnauthorizedOperation', 403));
    await expect(templates.describe('x')).rejects.toBeInstanceOf(TerminalAwsError);
  });

  it('reads every page of versions, with the hash from the description or the data', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [
        {
          LaunchTemplateId: 'lt-1',
          LaunchTemplateName: 'x',
          DefaultVersionNumber: 1,
          LatestVersionNumber: 2,
        },
      ],
    });
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolvesOnce({
        LaunchTemplateVersions: [
          { VersionNumber: 2, VersionDescription: dataHashDescription('a'.repeat(64)) },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        LaunchTemplateVersions: [{ VersionNumber: 1, LaunchTemplateData: { ImageId: 'ami-1' } }],
      });
    const observed = await templates.describe('x');
    expect(observed?.versions.map((v) => v.number)).toEqual([1, 2]);
    expect(observed?.versions[1]?.dataHash).toBe('a'.repeat(64));
    expect(observed?.versions[0]?.dataHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a created version without a number', async () => {
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: {} });
    await expect(
      templates.createVersion({
        launchTemplateId: 'lt-1',
        data: {} as never,
        dataHash: 'h',
        clientToken: 't',
      }),
    ).rejects.toBeInstanceOf(TerminalAwsError);
  });

  it('counts a version that is already gone as deleted, and tolerates a template already gone', async () => {
    ec2.on(DeleteLaunchTemplateVersionsCommand).resolves({
      SuccessfullyDeletedLaunchTemplateVersions: [{ VersionNumber: 3 }],
      UnsuccessfullyDeletedLaunchTemplateVersions: [
        { VersionNumber: 2, ResponseError: { Code: 'launchTemplateVersionDoesNotExist' } },
        { VersionNumber: 1, ResponseError: { Code: 'unexpectedError' } },
      ],
    });
    await expect(templates.deleteVersions('lt-1', [1, 2, 3])).resolves.toEqual([2, 3]);
    ec2.on(DeleteLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateId.NotFound'));
    await expect(templates.delete('lt-1')).resolves.toBeUndefined();
  });
});

describe('Nodegroups', () => {
  const nodegroups = new Nodegroups(clients);
  const roll = {
    clusterName: 'c',
    nodegroupName: 'n',
    launchTemplateId: 'lt-1',
    launchTemplateVersion: 2,
    force: false,
    clientRequestToken: 't',
  };

  it('reports a missing node group and a missing update as undefined', async () => {
    eks.on(DescribeNodegroupCommand).rejects(awsError('ResourceNotFoundException', 404));
    await expect(nodegroups.describe('c', 'n')).resolves.toBeUndefined();
    eks.on(DescribeUpdateCommand).rejects(awsError('ResourceNotFoundException', 404));
    await expect(nodegroups.describeUpdate('c', 'n', 'u')).resolves.toBeUndefined();
  });

  it('returns ResourceInUseException as busy, never as an error', async () => {
    eks.on(UpdateNodegroupVersionCommand).rejects(awsError('ResourceInUseException', 409));
    await expect(nodegroups.updateVersion(roll)).resolves.toEqual({
      busy: 'ResourceInUseException happened',
    });
    eks.on(UpdateNodegroupConfigCommand).rejects(awsError('ResourceInUseException', 409));
    await expect(
      nodegroups.updateConfig({ clusterName: 'c', nodegroupName: 'n', changes: {}, clientRequestToken: 't' }),
    ).resolves.toHaveProperty('busy');
    eks.on(DeleteNodegroupCommand).rejects(awsError('ResourceInUseException', 409));
    await expect(nodegroups.delete('c', 'n')).resolves.toHaveProperty('busy');
  });

  it('translates a server error into TransientAwsError and a bad parameter into TerminalAwsError', async () => {
    eks
      .on(UpdateNodegroupVersionCommand)
      .rejectsOnce(awsError('ServerException', 500, 'server'))
      .rejectsOnce(awsError('InvalidParameterException'));
    await expect(nodegroups.updateVersion(roll)).rejects.toBeInstanceOf(TransientAwsError);
    const error = await nodegroups.updateVersion(roll).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerminalAwsError);
    expect(error).toMatchObject({ context: { awsCode: 'InvalidParameterException', resourceId: 'c/n' } });
  });

  it('refuses an update answer without the update, naming the operation and the node group', async () => {
    eks.on(UpdateNodegroupVersionCommand).resolves({});
    const error = await nodegroups.updateVersion(roll).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerminalAwsError);
    expect(error).toMatchObject({
      message: 'UpdateNodegroupVersion on c/n returned no update',
      context: { resourceId: 'c/n', awsCode: 'UpdateNodegroupVersion' },
    });
  });

  it('treats deleting a node group that is already gone as done', async () => {
    eks.on(DeleteNodegroupCommand).rejects(awsError('ResourceNotFoundException', 404));
    await expect(nodegroups.delete('c', 'n')).resolves.toEqual({ deleting: true });
  });

  it('finds the update in flight on any page of ListUpdates, the newest by createdAt', async () => {
    eks
      .on(ListUpdatesCommand)
      .resolvesOnce({ updateIds: ['a', 'b'], nextToken: 'page-2' })
      .resolvesOnce({
        updateIds: ['c', 'd'],
      });
    const update = (
      id: string,
      status: 'Successful' | 'InProgress' | 'Failed',
      createdAt: string,
    ): { update: Update } => ({
      update: {
        id,
        status,
        type: 'VersionUpdate',
        createdAt: new Date(createdAt),
        params: [{ type: 'LaunchTemplateVersion', value: id === 'c' ? '4' : '3' }],
      },
    });
    eks
      .on(DescribeUpdateCommand, { updateId: 'a' })
      .resolves(update('a', 'Successful', '2026-12-01T10:00:00Z'));
    eks
      .on(DescribeUpdateCommand, { updateId: 'b' })
      .resolves(update('b', 'InProgress', '2026-12-01T09:00:00Z'));
    eks
      .on(DescribeUpdateCommand, { updateId: 'c' })
      .resolves(update('c', 'InProgress', '2026-12-01T11:00:00Z'));
    eks.on(DescribeUpdateCommand, { updateId: 'd' }).resolves(update('d', 'Failed', '2026-12-01T12:00:00Z'));

    await expect(nodegroups.findInProgressUpdate('c', 'n')).resolves.toMatchObject({
      id: 'c',
      launchTemplateVersion: 4,
    });
    // Both pages read ('c' is only on the second); the SDK paginator reuses its input object.
    expect(eks.commandCalls(ListUpdatesCommand)).toHaveLength(2);
  });
});

describe('AmiParameters and NodeRoles', () => {
  it('report a missing parameter, image or role as undefined', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    await expect(new AmiParameters(clients).imageId('/x')).resolves.toBeUndefined();
    ec2.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound'));
    await expect(new AmiParameters(clients).rootDeviceName('ami-x')).resolves.toBeUndefined();
    iam.on(GetRoleCommand).rejects(awsError('NoSuchEntityException', 404));
    await expect(new NodeRoles(clients).arn('r')).resolves.toBeUndefined();
  });

  it('translate a denied call into TerminalAwsError', async () => {
    iam.on(GetRoleCommand).rejects(awsError('AccessDenied', 403));
    await expect(new NodeRoles(clients).arn('r')).rejects.toBeInstanceOf(TerminalAwsError);
    ssm.on(GetParameterCommand).rejects(awsError('AccessDeniedException', 400));
    await expect(new AmiParameters(clients).imageId('/x')).rejects.toBeInstanceOf(TerminalAwsError);
  });
});

describe('StatusTable', () => {
  const table = new StatusTable(clients, 'status');

  it('writes a new row only if none exists, and the next revision only over the one read', async () => {
    documents.on(PutCommand).resolves({});
    await table.put(emptyStatusRow('p'), 0);
    await table.put(emptyStatusRow('p'), 4);
    const calls = documents.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({
      ConditionExpression: 'attribute_not_exists(poolId)',
      Item: { revision: 1 },
    });
    expect(calls[1]).toMatchObject({ ExpressionAttributeValues: { ':expected': 4 }, Item: { revision: 5 } });
  });

  it('turns a failed condition into ConcurrentUpdateError and throttling into TransientAwsError', async () => {
    documents.on(PutCommand).rejectsOnce(awsError('ConditionalCheckFailedException'));
    await expect(table.put(emptyStatusRow('p'), 1)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    documents.on(GetCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(table.get('p')).rejects.toBeInstanceOf(TransientAwsError);
  });
});

describe('PoolQueue', () => {
  it('refuses a queue without a URL, and names the pools whose entries SQS refused as retryable', async () => {
    sqs.on(GetQueueUrlCommand).resolvesOnce({});
    const error = await new PoolQueue(clients, 'q').sendAll([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerminalAwsError);
    expect(error).toMatchObject({ message: 'GetQueueUrl on q returned no QueueUrl' });

    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs/q' });
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '1', Code: 'x', SenderFault: false }] });
    const body = (poolId: string) => ({ body: { poolId, trigger: 'resync' } });
    const refused = await new PoolQueue(clients, 'q')
      .sendAll([body('a'), body('b')])
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientAwsError);
    expect(refused).toMatchObject({
      message: 'SendMessageBatchPartialFailure: SQS refused messages for pools b',
      context: { resourceId: 'q', awsCode: 'SendMessageBatchPartialFailure' },
    });
  });
});
