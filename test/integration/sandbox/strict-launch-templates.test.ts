import { Buffer } from 'node:buffer';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { resetSandbox, sandboxClients } from '../../support/sandbox';
import { expectAwsError } from './strict-support';

let clients: AwsClients;
let counter = 0;

beforeEach(async () => {
  await resetSandbox();
  clients = sandboxClients();
});

const create = (data: RequestLaunchTemplateData, extra: { ClientToken?: string } = {}) =>
  clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `strict-${++counter}`,
      LaunchTemplateData: { ImageId: 'ami-12345678', ...data },
      ...extra,
    }),
  );

const base64 = (bytes: number) => Buffer.alloc(bytes, 'a').toString('base64');
const instanceTags = (keys: string[]) => [
  { ResourceType: 'instance' as const, Tags: keys.map((Key) => ({ Key, Value: 'v' })) },
];

async function storedData(templateId: string | undefined): Promise<RequestLaunchTemplateData | undefined> {
  const { LaunchTemplateVersions } = await clients.ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }),
  );
  return LaunchTemplateVersions?.[0]?.LaunchTemplateData as RequestLaunchTemplateData | undefined;
}

describe('launch template rules', () => {
  it('refuses user data over 16,384 bytes once decoded, and accepts exactly 16,384', async () => {
    await expectAwsError(
      create({ UserData: base64(16_385) }),
      'InvalidParameterValue',
      'User data is limited to 16384 bytes',
    );
    const { LaunchTemplate } = await create({ UserData: base64(16_384) });
    expect((await storedData(LaunchTemplate?.LaunchTemplateId))?.UserData).toBe(base64(16_384));
  });

  it('refuses user data that is not base64 with InvalidUserData.Malformed', async () => {
    await expectAwsError(create({ UserData: '#!/bin/bash\necho raw' }), 'InvalidUserData.Malformed');
  });

  it('refuses more than 50 tags on one resource, not counting aws: tags', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `tag-${i}`);
    await expectAwsError(
      create({ TagSpecifications: instanceTags([...fifty, 'one-more']) }),
      'TagLimitExceeded',
    );
    await expectAwsError(
      clients.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'lt-tags',
          LaunchTemplateData: { ImageId: 'ami-12345678' },
          TagSpecifications: [
            {
              ResourceType: 'launch-template',
              Tags: [...fifty, 'one-more'].map((Key) => ({ Key, Value: 'v' })),
            },
          ],
        }),
      ),
      'TagLimitExceeded',
    );
    const { LaunchTemplate } = await create({ TagSpecifications: instanceTags(fifty) });
    expect((await storedData(LaunchTemplate?.LaunchTemplateId))?.TagSpecifications?.[0]?.Tags).toHaveLength(
      50,
    );
  });

  it('refuses instance tag keys with / or spaces while instance metadata tags are enabled', async () => {
    const tagsInMetadata = { MetadataOptions: { InstanceMetadataTags: 'enabled' as const } };
    await expectAwsError(
      create({ ...tagsInMetadata, TagSpecifications: instanceTags(['kubernetes.io/cluster/my-cluster']) }),
      'InvalidParameterValue',
      'kubernetes.io/cluster/my-cluster',
    );
    await expectAwsError(
      create({ ...tagsInMetadata, TagSpecifications: instanceTags(['pool name']) }),
      'InvalidParameterValue',
    );
    await expectAwsError(
      create({ ...tagsInMetadata, TagSpecifications: instanceTags(['_index']) }),
      'InvalidParameterValue',
    );
    // The same key is fine with metadata tags off, and allowed characters are fine with them on.
    await create({ TagSpecifications: instanceTags(['kubernetes.io/cluster/my-cluster']) });
    const { LaunchTemplate } = await create({
      ...tagsInMetadata,
      TagSpecifications: instanceTags(['enclave-pools:pool', 'a+b=c.d,e_f@g']),
    });
    expect((await storedData(LaunchTemplate?.LaunchTemplateId))?.MetadataOptions?.InstanceMetadataTags).toBe(
      'enabled',
    );
  });

  it('refuses Nitro Enclaves together with hibernation', async () => {
    await expectAwsError(
      create({ EnclaveOptions: { Enabled: true }, HibernationOptions: { Configured: true } }),
      'InvalidParameterCombination',
    );
    await create({ EnclaveOptions: { Enabled: true }, HibernationOptions: { Configured: false } });
  });

  it('checks iops and throughput against the volume type', async () => {
    const volume = (Ebs: Record<string, unknown>) => ({
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs }],
    });
    await expectAwsError(
      create(volume({ VolumeType: 'gp2', Iops: 3000 })),
      'InvalidParameterCombination',
      'Iops',
    );
    await expectAwsError(
      create(volume({ VolumeType: 'gp2', Throughput: 125 })),
      'InvalidParameterCombination',
      'Throughput',
    );
    await expectAwsError(
      create(volume({ VolumeType: 'gp3', Iops: 2999 })),
      'InvalidParameterValue',
      '3000-80000',
    );
    await expectAwsError(
      create(volume({ VolumeType: 'gp3', Throughput: 2001 })),
      'InvalidParameterValue',
      '125-2000',
    );
    await expectAwsError(create(volume({ VolumeType: 'io2' })), 'MissingParameter', 'Iops');
    await expectAwsError(
      create(volume({ VolumeType: 'gp3', VolumeSize: 70_000 })),
      'InvalidParameterValue',
      'VolumeSize',
    );
    const { LaunchTemplate } = await create(
      volume({ VolumeType: 'gp3', Iops: 3000, Throughput: 125, VolumeSize: 40 }),
    );
    expect((await storedData(LaunchTemplate?.LaunchTemplateId))?.BlockDeviceMappings?.[0]?.Ebs).toMatchObject(
      {
        Iops: 3000,
        Throughput: 125,
      },
    );
  });

  it('refuses a ClientToken longer than the operation documents (128 ASCII for launch templates) or not ASCII', async () => {
    await expectAwsError(
      create({}, { ClientToken: 't'.repeat(129) }),
      'InvalidParameterValue',
      'at most 128 ASCII',
    );
    await expectAwsError(create({}, { ClientToken: 'tökén' }), 'InvalidParameterValue', 'clientToken');
    const { LaunchTemplate } = await create({}, { ClientToken: 't'.repeat(128) });
    await expectAwsError(
      clients.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: LaunchTemplate?.LaunchTemplateId,
          LaunchTemplateData: { ImageId: 'ami-22222222' },
          ClientToken: 'v'.repeat(129),
        }),
      ),
      'InvalidParameterValue',
    );
  });
});
