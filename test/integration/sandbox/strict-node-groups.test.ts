import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import {
  CreateNodegroupCommand,
  type CreateNodegroupCommandInput,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { type SeededWorld, sandboxClients, seedWorld } from '../../support/sandbox';
import { describeNodegroup } from './nodegroup-fixture';
import { expectAwsError } from './strict-support';

let clients: AwsClients;
let world: SeededWorld;
let ami: string;
let counter = 0;

beforeEach(async () => {
  world = await seedWorld();
  clients = sandboxClients();
  ami = world.amis[world.cluster.version]?.x86_64.imageId ?? '';
});

async function template(data: RequestLaunchTemplateData): Promise<string> {
  const { LaunchTemplate } = await clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `strict-ng-${++counter}`,
      LaunchTemplateData: data,
    }),
  );
  return LaunchTemplate?.LaunchTemplateId ?? '';
}

const create = (input: Partial<CreateNodegroupCommandInput>) =>
  clients.eks.send(
    new CreateNodegroupCommand({
      clusterName: world.cluster.name,
      nodegroupName: `ng-${++counter}`,
      nodeRole: world.nodeRoleArn,
      subnets: world.privateSubnetIds,
      ...input,
    }),
  );

describe('CreateNodegroup with a launch template', () => {
  it('refuses diskSize and remoteAccess', async () => {
    const id = await template({ ImageId: ami, InstanceType: 'm5.xlarge' });
    await expectAwsError(
      create({ launchTemplate: { id }, diskSize: 50 }),
      'InvalidParameterException',
      'Disk size',
    );
    await expectAwsError(
      create({ launchTemplate: { id }, remoteAccess: { ec2SshKey: 'key' } }),
      'InvalidParameterException',
      'Remote access',
    );
  });

  it('refuses instanceTypes when the template names an instance type, and accepts them when it does not', async () => {
    const typed = await template({ ImageId: ami, InstanceType: 'm5.xlarge' });
    await expectAwsError(
      create({ launchTemplate: { id: typed }, instanceTypes: ['m5.xlarge'] }),
      'InvalidParameterException',
      'instanceTypes',
    );
    const untyped = await template({ ImageId: ami });
    const { nodegroup } = await create({
      launchTemplate: { id: untyped },
      instanceTypes: ['m5.xlarge'],
      amiType: 'CUSTOM',
    });
    expect(nodegroup?.instanceTypes).toEqual(['m5.xlarge']);
  });

  it('refuses version, releaseVersion and a non-CUSTOM amiType when the template has an image id', async () => {
    const id = await template({ ImageId: ami, InstanceType: 'm5.xlarge' });
    await expectAwsError(
      create({ launchTemplate: { id }, version: world.cluster.version }),
      'InvalidParameterException',
      'version',
    );
    await expectAwsError(
      create({ launchTemplate: { id }, releaseVersion: '1.35.0-20260101' }),
      'InvalidParameterException',
      'releaseVersion',
    );
    await expectAwsError(
      create({ launchTemplate: { id }, amiType: 'AL2023_x86_64_STANDARD' }),
      'InvalidParameterException',
      'other than CUSTOM',
    );
    const withoutAmiType = await create({ launchTemplate: { id } });
    const custom = await create({ launchTemplate: { id }, amiType: 'CUSTOM' });
    // Left out, as the API reference says for a template with an image: EKS reports CUSTOM.
    expect([
      withoutAmiType.nodegroup?.status,
      withoutAmiType.nodegroup?.amiType,
      custom.nodegroup?.amiType,
    ]).toEqual(['ACTIVE', 'CUSTOM', 'CUSTOM']);
  });

  it('refuses template fields managed node groups do not allow, at CreateNodegroup and UpdateNodegroupVersion', async () => {
    const forbidden: [string, RequestLaunchTemplateData][] = [
      ['IamInstanceProfile', { IamInstanceProfile: { Name: 'node-profile' } }],
      [
        'NetworkInterfaces.1.SubnetId',
        { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: world.privateSubnetIds[0] }] },
      ],
      ['InstanceInitiatedShutdownBehavior', { InstanceInitiatedShutdownBehavior: 'terminate' }],
      ['InstanceMarketOptions', { InstanceMarketOptions: { MarketType: 'spot' } }],
    ];
    for (const [field, data] of forbidden) {
      const id = await template({ ImageId: ami, InstanceType: 'm5.xlarge', ...data });
      await expectAwsError(create({ launchTemplate: { id } }), 'InvalidParameterException', field);
    }

    const id = await template({ ImageId: ami, InstanceType: 'm5.xlarge' });
    const { nodegroup } = await create({ launchTemplate: { id } });
    await clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        SourceVersion: '1',
        LaunchTemplateData: { IamInstanceProfile: { Name: 'node-profile' } },
      }),
    );
    await expectAwsError(
      clients.eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName: world.cluster.name,
          nodegroupName: nodegroup?.nodegroupName,
          launchTemplate: { id, version: '2' },
        }),
      ),
      'InvalidParameterException',
      'IamInstanceProfile',
    );
    const unchanged = await describeNodegroup(clients, world.cluster.name, nodegroup?.nodegroupName ?? '');
    expect([unchanged.status, unchanged.launchTemplate?.version]).toEqual(['ACTIVE', '1']);
  });

  it("refuses a template whose instance tags leave no room for EKS's own two", async () => {
    const tags = (n: number) => [
      {
        ResourceType: 'instance' as const,
        Tags: Array.from({ length: n }, (_, i) => ({ Key: `t-${i}`, Value: 'v' })),
      },
    ];
    const crowded = await template({ ImageId: ami, InstanceType: 'm5.xlarge', TagSpecifications: tags(49) });
    await expectAwsError(
      create({ launchTemplate: { id: crowded } }),
      'InvalidParameterException',
      'eks:cluster-name',
    );
    const roomy = await template({ ImageId: ami, InstanceType: 'm5.xlarge', TagSpecifications: tags(48) });
    expect((await create({ launchTemplate: { id: roomy } })).nodegroup?.status).toBe('ACTIVE');
  });
});

describe('node group update config, taints and tags', () => {
  it('takes exactly one of maxUnavailable and maxUnavailablePercentage', async () => {
    await expectAwsError(
      create({ updateConfig: { maxUnavailable: 1, maxUnavailablePercentage: 10 } }),
      'InvalidParameterException',
      'not both',
    );
    await expectAwsError(create({ updateConfig: {} }), 'InvalidParameterException', 'needs maxUnavailable');
    const { nodegroup } = await create({ updateConfig: { maxUnavailablePercentage: 25 } });
    await expectAwsError(
      clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: world.cluster.name,
          nodegroupName: nodegroup?.nodegroupName,
          updateConfig: { maxUnavailable: 2, maxUnavailablePercentage: 10 },
        }),
      ),
      'InvalidParameterException',
    );
    expect(nodegroup?.updateConfig).toEqual({ maxUnavailablePercentage: 25 });
  });

  it('allows at most 50 taints, at creation and after a config update', async () => {
    const taints = (n: number, prefix = 't') =>
      Array.from({ length: n }, (_, i) => ({
        key: `${prefix}-${i}`,
        value: 'v',
        effect: 'NO_SCHEDULE' as const,
      }));
    await expectAwsError(create({ taints: taints(51) }), 'InvalidParameterException', 'at most 50 taints');
    const { nodegroup } = await create({ taints: taints(50) });
    await expectAwsError(
      clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: world.cluster.name,
          nodegroupName: nodegroup?.nodegroupName,
          taints: { addOrUpdateTaints: taints(1, 'extra') },
        }),
      ),
      'InvalidParameterException',
      'at most 50 taints',
    );
    expect(nodegroup?.taints).toHaveLength(50);
  });

  it('allows at most 50 tags on a node group, counting the ones it has', async () => {
    const tags = (n: number, prefix: string) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}-${i}`, 'v']));
    const { nodegroup } = await create({ tags: tags(45, 'own') });
    const resourceArn = nodegroup?.nodegroupArn;
    await expectAwsError(
      clients.eks.send(new TagResourceCommand({ resourceArn, tags: tags(6, 'more') })),
      'BadRequestException',
    );
    await clients.eks.send(new TagResourceCommand({ resourceArn, tags: tags(5, 'more') }));
    const { tags: stored } = await clients.eks.send(new ListTagsForResourceCommand({ resourceArn }));
    expect(Object.keys(stored ?? {})).toHaveLength(50);
  });
});
