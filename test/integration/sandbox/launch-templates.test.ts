import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { resetSandbox, sandboxClients } from '../../support/sandbox';

let clients: AwsClients;
let templateId: string;

beforeEach(async () => {
  await resetSandbox();
  clients = sandboxClients();
  const { LaunchTemplate } = await clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'pool-lt',
      LaunchTemplateData: {
        ImageId: 'ami-11111111',
        InstanceType: 'm5.xlarge',
        EnclaveOptions: { Enabled: true },
      },
    }),
  );
  templateId = LaunchTemplate?.LaunchTemplateId ?? '';
});

const newVersion = (imageId: string, clientToken?: string) =>
  clients.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: templateId,
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: imageId },
      ...(clientToken ? { ClientToken: clientToken } : {}),
    }),
  );

async function versionNumbers(): Promise<number[]> {
  const { LaunchTemplateVersions } = await clients.ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }),
  );
  return (LaunchTemplateVersions ?? []).map((v) => v.VersionNumber ?? 0);
}

describe('ClientToken', () => {
  it('makes a retried CreateLaunchTemplateVersion return the same version instead of a new one', async () => {
    const first = await newVersion('ami-22222222', 'pool-spec-hash-1');
    const retry = await newVersion('ami-22222222', 'pool-spec-hash-1');

    expect(retry.LaunchTemplateVersion?.VersionNumber).toBe(2);
    expect(first.LaunchTemplateVersion?.VersionNumber).toBe(2);
    expect(await versionNumbers()).toEqual([1, 2]);
  });

  it('refuses the same token with different parameters (IdempotentParameterMismatch)', async () => {
    await newVersion('ami-22222222', 'pool-spec-hash-1');

    await expect(newVersion('ami-33333333', 'pool-spec-hash-1')).rejects.toMatchObject({
      name: 'IdempotentParameterMismatch',
    });
    expect(await versionNumbers()).toEqual([1, 2]);
  });

  it('makes a retried CreateLaunchTemplate return the same template instead of AlreadyExists', async () => {
    const create = () =>
      clients.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'tokened-lt',
          LaunchTemplateData: { ImageId: 'ami-11111111' },
          ClientToken: 'create-tokened',
        }),
      );
    const first = await create();
    const retry = await create();

    expect(retry.LaunchTemplate?.LaunchTemplateId).toBe(first.LaunchTemplate?.LaunchTemplateId);
  });
});

describe('SourceVersion', () => {
  it('builds the new version on the source version, overriding only the given data', async () => {
    const { LaunchTemplateVersion } = await newVersion('ami-22222222');

    expect(LaunchTemplateVersion?.LaunchTemplateData).toMatchObject({
      ImageId: 'ami-22222222',
      InstanceType: 'm5.xlarge',
      EnclaveOptions: { Enabled: true },
    });
  });
});

describe('DeleteLaunchTemplateVersions', () => {
  it('deletes versions, refuses the default and unknown ones, and never reuses a number', async () => {
    await newVersion('ami-22222222');
    await newVersion('ami-33333333');

    const result = await clients.ec2.send(
      new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: ['1', '3', '9'] }),
    );

    expect(result.SuccessfullyDeletedLaunchTemplateVersions).toEqual([
      { LaunchTemplateId: templateId, LaunchTemplateName: 'pool-lt', VersionNumber: 3 },
    ]);
    expect(
      result.UnsuccessfullyDeletedLaunchTemplateVersions?.map((f) => [
        f.VersionNumber,
        f.ResponseError?.Code,
      ]),
    ).toEqual([
      [1, 'unexpectedError'],
      [9, 'launchTemplateVersionDoesNotExist'],
    ]);
    expect(await versionNumbers()).toEqual([1, 2]);
    const { LaunchTemplates } = await clients.ec2.send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] }),
    );
    expect(LaunchTemplates?.[0]?.LatestVersionNumber).toBe(2);
    await expect(
      clients.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: ['3'] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateId.VersionNotFound' });
    expect((await newVersion('ami-44444444')).LaunchTemplateVersion?.VersionNumber).toBe(4);
  });

  it('deletes the former default once another version is the default', async () => {
    await newVersion('ami-22222222');
    await clients.ec2.send(
      new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: '2' }),
    );

    const result = await clients.ec2.send(
      new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateName: 'pool-lt', Versions: ['1'] }),
    );

    expect(result.SuccessfullyDeletedLaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([1]);
    expect(await versionNumbers()).toEqual([2]);
  });
});
