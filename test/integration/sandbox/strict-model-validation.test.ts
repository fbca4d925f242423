import { CreateLaunchTemplateCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { CreateNodegroupCommand, ListUpdatesCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { type SeededWorld, sandboxClients, seedWorld } from '../../support/sandbox';
import { expectAwsError } from './strict-support';

// Limits from the botocore service models (infra/sandbox/.venv); the SDK v3 clients check none of them.
let clients: AwsClients;
let world: SeededWorld;

beforeEach(async () => {
  world = await seedWorld();
  clients = sandboxClients();
});

const nodegroup = (extra: Record<string, unknown>) =>
  clients.eks.send(
    new CreateNodegroupCommand({
      clusterName: world.cluster.name,
      nodegroupName: 'strict',
      nodeRole: world.nodeRoleArn,
      subnets: world.privateSubnetIds,
      ...extra,
    }),
  );

describe('model validation (EC2 query protocol)', () => {
  it('refuses a VersionDescription over 255 characters with InvalidParameterValue naming the parameter', async () => {
    await expectAwsError(
      clients.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'too-long',
          VersionDescription: 'd'.repeat(256),
          LaunchTemplateData: { ImageId: 'ami-12345678' },
        }),
      ),
      'InvalidParameterValue',
      'parameter VersionDescription',
    );
  });

  it('refuses a missing required member with MissingParameter and accepts the same request complete', async () => {
    await expectAwsError(
      clients.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'no-data' } as never)),
      'MissingParameter',
      'LaunchTemplateData',
    );
    const { LaunchTemplate } = await clients.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'complete',
        VersionDescription: 'd'.repeat(255),
        LaunchTemplateData: { ImageId: 'ami-12345678' },
      }),
    );
    const { LaunchTemplateVersions } = await clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: LaunchTemplate?.LaunchTemplateId }),
    );
    expect(LaunchTemplateVersions?.map((v) => v.VersionDescription?.length)).toEqual([255]);
  });
});

describe('model validation (EKS rest-json)', () => {
  it('refuses a label key over 63 characters in all (labelKey 1-63)', async () => {
    await expectAwsError(
      nodegroup({ labels: { [`example.com/${'k'.repeat(52)}`]: 'v' } }),
      'InvalidParameterException',
      "'labels.key'",
    );
  });

  it('refuses an empty label value (labelValue 1-63) although Kubernetes allows it', async () => {
    await expectAwsError(
      nodegroup({ labels: { pool: '' } }),
      'InvalidParameterException',
      'greater than or equal to 1',
    );
  });

  it('refuses a taint key over 63 characters', async () => {
    await expectAwsError(
      nodegroup({ taints: [{ key: 't'.repeat(64), value: 'v', effect: 'NO_SCHEDULE' }] }),
      'InvalidParameterException',
      'taints.1.member.key',
    );
  });

  it('refuses more than 50 tags (TagMap max 50)', async () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag-${i}`, 'v']));
    await expectAwsError(nodegroup({ tags }), 'InvalidParameterException', "at 'tags'");
  });

  it('refuses a value outside the enum and a maxResults outside 1-100', async () => {
    await expectAwsError(
      nodegroup({ capacityType: 'RESERVED' }),
      'InvalidParameterException',
      'enum value set',
    );
    await expectAwsError(
      clients.eks.send(
        new ListUpdatesCommand({ name: world.cluster.name, nodegroupName: 'x', maxResults: 101 }),
      ),
      'InvalidParameterException',
      'less than or equal to 100',
    );
  });

  it('accepts a node group at the limits: 63-character label key and value, 50 tags', async () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag-${i}`, 'v']));
    const { nodegroup: created } = await nodegroup({ labels: { ['k'.repeat(63)]: 'v'.repeat(63) }, tags });
    expect(Object.keys(created?.tags ?? {})).toHaveLength(50);
  });
});

describe('model validation (json and query protocols)', () => {
  it('refuses an SSM parameter name over 2048 characters with ValidationException', async () => {
    await expectAwsError(
      clients.ssm.send(new GetParameterCommand({ Name: `/${'p'.repeat(2048)}` })),
      'ValidationException',
      'Name',
    );
  });

  it('refuses an IAM role name over 64 characters with ValidationError', async () => {
    await expectAwsError(
      clients.iam.send(new GetRoleCommand({ RoleName: 'r'.repeat(65) })),
      'ValidationError',
      'RoleName',
    );
  });
});
