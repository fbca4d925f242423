import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import type { LaunchTemplateData } from '../render/launch-template-data';
import type { AwsClients } from './client-factory';
import { fromResponseData } from './launch-templates';
import { awsErrorName, translateAwsError } from './translate-error';

/**
 * The data of one launch template version in our plain form, for `plan`'s diff against the
 * version the node group is pinned to. A version (or template) that does not exist is `undefined`.
 */
export async function readLaunchTemplateVersionData(
  clients: Pick<AwsClients, 'ec2'>,
  launchTemplateId: string,
  version: number,
): Promise<LaunchTemplateData | undefined> {
  try {
    const out = await clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: launchTemplateId,
        Versions: [String(version)],
      }),
    );
    const found = out.LaunchTemplateVersions?.[0];
    return found ? fromResponseData(found.LaunchTemplateData) : undefined;
  } catch (error: unknown) {
    const name = awsErrorName(error) ?? '';
    if (name.includes('NotFound') || name === 'InvalidLaunchTemplateId.VersionNotFound') return undefined;
    throw translateAwsError(error, { resourceId: `${launchTemplateId}:${version}` });
  }
}
