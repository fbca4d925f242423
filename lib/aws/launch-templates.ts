import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  paginateDescribeLaunchTemplateVersions,
  type RequestLaunchTemplateData,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { ObservedLaunchTemplate, ObservedLaunchTemplateVersion } from '../plan/plan-types';
import { type LaunchTemplateData, launchTemplateDataHash } from '../render/launch-template-data';
import { dataHashDescription, dataHashFromDescription, OwnershipTagKey } from '../render/resource-names';
import type { AwsClients } from './client-factory';
import { awsErrorName, responseMissing, translateAwsError } from './translate-error';

/**
 * EC2 launch templates and their versions, as plain data. A template that does not exist is
 * `undefined`; every other failure becomes an EnclavePoolError (transient or terminal).
 */

const NOT_FOUND = new Set([
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.Malformed',
]);

function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error) ?? '';
  return NOT_FOUND.has(name) || name.endsWith('.NotFound') || name.endsWith('NotFoundException');
}

function tagsToRecord(tags: Array<{ Key?: string | undefined; Value?: string | undefined }> | undefined) {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

function recordToTags(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([Key, Value]) => ({ Key, Value }));
}

/** Our plain data is EC2's own member names; only the enum-typed members need the SDK's types. */
function toRequestData(data: LaunchTemplateData): RequestLaunchTemplateData {
  return data as unknown as RequestLaunchTemplateData;
}

/**
 * The managed members of a version's data, in our form, for versions that carry no hash in their
 * description (made by hand or by an older release): hashing this compares canonical forms.
 */
export function fromResponseData(data: ResponseLaunchTemplateData | undefined): LaunchTemplateData {
  return {
    ImageId: data?.ImageId ?? '',
    InstanceType: data?.InstanceType ?? '',
    UserData: data?.UserData ?? '',
    EnclaveOptions: { Enabled: data?.EnclaveOptions?.Enabled === true },
    MetadataOptions: {
      HttpEndpoint: data?.MetadataOptions?.HttpEndpoint ?? '',
      HttpTokens: data?.MetadataOptions?.HttpTokens ?? '',
      HttpPutResponseHopLimit: data?.MetadataOptions?.HttpPutResponseHopLimit ?? 0,
      InstanceMetadataTags: data?.MetadataOptions?.InstanceMetadataTags ?? '',
    },
    ...(data?.SecurityGroupIds ? { SecurityGroupIds: data.SecurityGroupIds } : {}),
    ...(data?.KeyName ? { KeyName: data.KeyName } : {}),
    ...(data?.BlockDeviceMappings
      ? {
          BlockDeviceMappings: data.BlockDeviceMappings.map((m) => ({
            DeviceName: m.DeviceName ?? '',
            Ebs: {
              VolumeSize: m.Ebs?.VolumeSize ?? 0,
              ...(m.Ebs?.VolumeType ? { VolumeType: m.Ebs.VolumeType } : {}),
              ...(m.Ebs?.Iops !== undefined ? { Iops: m.Ebs.Iops } : {}),
              ...(m.Ebs?.Throughput !== undefined ? { Throughput: m.Ebs.Throughput } : {}),
              ...(m.Ebs?.Encrypted !== undefined ? { Encrypted: m.Ebs.Encrypted } : {}),
              ...(m.Ebs?.KmsKeyId ? { KmsKeyId: m.Ebs.KmsKeyId } : {}),
              DeleteOnTermination: m.Ebs?.DeleteOnTermination ?? false,
            },
          })),
        }
      : {}),
    TagSpecifications: (data?.TagSpecifications ?? []).map((spec) => ({
      ResourceType: spec.ResourceType ?? '',
      Tags: (spec.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
    })),
  };
}

function toObservedVersion(version: LaunchTemplateVersion): ObservedLaunchTemplateVersion | undefined {
  if (version.VersionNumber === undefined) return undefined;
  return {
    number: version.VersionNumber,
    dataHash:
      dataHashFromDescription(version.VersionDescription) ??
      launchTemplateDataHash(fromResponseData(version.LaunchTemplateData)),
    ...(version.LaunchTemplateData?.ImageId ? { imageId: version.LaunchTemplateData.ImageId } : {}),
  };
}

function toObserved(
  template: LaunchTemplate,
  versions: ObservedLaunchTemplateVersion[],
): ObservedLaunchTemplate {
  return {
    id: template.LaunchTemplateId ?? '',
    name: template.LaunchTemplateName ?? '',
    tags: tagsToRecord(template.Tags),
    defaultVersion: template.DefaultVersionNumber ?? 1,
    latestVersion: template.LatestVersionNumber ?? Math.max(0, ...versions.map((v) => v.number)),
    versions,
  };
}

/** EC2 accepts at most 200 versions per DeleteLaunchTemplateVersions call. */
const DELETE_BATCH = 200;

export class LaunchTemplates {
  constructor(private readonly clients: Pick<AwsClients, 'ec2'>) {}

  /** The template of that name with all its versions, or undefined when there is none. */
  async describe(name: string): Promise<ObservedLaunchTemplate | undefined> {
    let template: LaunchTemplate | undefined;
    try {
      const out = await this.clients.ec2.send(
        new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] }),
      );
      template = out.LaunchTemplates?.[0];
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw translateAwsError(error, { resourceId: name });
    }
    if (!template?.LaunchTemplateId) return undefined;
    return toObserved(template, await this.versions(template.LaunchTemplateId));
  }

  /** The template tagged as this pool's (used to delete a pool whose status row is gone). */
  async findByPool(poolId: string, deploymentId?: string): Promise<ObservedLaunchTemplate | undefined> {
    try {
      const out = await this.clients.ec2.send(
        new DescribeLaunchTemplatesCommand({
          Filters: [
            { Name: `tag:${OwnershipTagKey.Pool}`, Values: [poolId] },
            { Name: `tag:${OwnershipTagKey.ManagedBy}`, Values: ['enclave-pools'] },
            ...(deploymentId ? [{ Name: `tag:${OwnershipTagKey.Deployment}`, Values: [deploymentId] }] : []),
          ],
        }),
      );
      const template = out.LaunchTemplates?.find(
        (t) =>
          tagsToRecord(t.Tags)[OwnershipTagKey.Pool] === poolId &&
          (!deploymentId || tagsToRecord(t.Tags)[OwnershipTagKey.Deployment] === deploymentId),
      );
      if (!template?.LaunchTemplateId) return undefined;
      return toObserved(template, await this.versions(template.LaunchTemplateId));
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw translateAwsError(error, { poolId });
    }
  }

  private async versions(launchTemplateId: string): Promise<ObservedLaunchTemplateVersion[]> {
    const versions: ObservedLaunchTemplateVersion[] = [];
    try {
      const pages = paginateDescribeLaunchTemplateVersions(
        { client: this.clients.ec2 },
        { LaunchTemplateId: launchTemplateId },
      );
      for await (const page of pages) {
        for (const v of page.LaunchTemplateVersions ?? []) {
          const observed = toObservedVersion(v);
          if (observed) versions.push(observed);
        }
      }
    } catch (error: unknown) {
      if (isNotFound(error)) return versions;
      throw translateAwsError(error, { resourceId: launchTemplateId });
    }
    return versions.sort((a, b) => a.number - b.number);
  }

  /** Version 1 carries the data; the template gets the ownership tags. */
  async create(input: {
    name: string;
    data: LaunchTemplateData;
    dataHash: string;
    resourceTags: Record<string, string>;
    clientToken: string;
  }): Promise<ObservedLaunchTemplate> {
    try {
      const out = await this.clients.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: input.name,
          LaunchTemplateData: toRequestData(input.data),
          VersionDescription: dataHashDescription(input.dataHash),
          TagSpecifications: [{ ResourceType: 'launch-template', Tags: recordToTags(input.resourceTags) }],
          ClientToken: input.clientToken,
        }),
      );
      const template = out.LaunchTemplate;
      return {
        id: template?.LaunchTemplateId ?? '',
        name: template?.LaunchTemplateName ?? input.name,
        tags: template?.Tags ? tagsToRecord(template.Tags) : input.resourceTags,
        defaultVersion: template?.DefaultVersionNumber ?? 1,
        latestVersion: template?.LatestVersionNumber ?? 1,
        versions: [
          {
            number: template?.LatestVersionNumber ?? 1,
            dataHash: input.dataHash,
            imageId: input.data.ImageId,
          },
        ],
      };
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: input.name });
    }
  }

  async createVersion(input: {
    launchTemplateId: string;
    data: LaunchTemplateData;
    dataHash: string;
    clientToken: string;
  }): Promise<ObservedLaunchTemplateVersion> {
    try {
      const out = await this.clients.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: input.launchTemplateId,
          LaunchTemplateData: toRequestData(input.data),
          VersionDescription: dataHashDescription(input.dataHash),
          ClientToken: input.clientToken,
        }),
      );
      const number = out.LaunchTemplateVersion?.VersionNumber;
      if (number === undefined) {
        throw responseMissing('CreateLaunchTemplateVersion', input.launchTemplateId, 'version number');
      }
      return { number, dataHash: input.dataHash, imageId: input.data.ImageId };
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: input.launchTemplateId });
    }
  }

  /** Deletes the given versions; returns the ones EC2 confirmed (a version already gone counts). */
  async deleteVersions(launchTemplateId: string, versions: number[]): Promise<number[]> {
    const deleted: number[] = [];
    for (let i = 0; i < versions.length; i += DELETE_BATCH) {
      const batch = versions.slice(i, i + DELETE_BATCH);
      try {
        const out = await this.clients.ec2.send(
          new DeleteLaunchTemplateVersionsCommand({
            LaunchTemplateId: launchTemplateId,
            Versions: batch.map(String),
          }),
        );
        for (const ok of out.SuccessfullyDeletedLaunchTemplateVersions ?? []) {
          if (ok.VersionNumber !== undefined) deleted.push(ok.VersionNumber);
        }
        for (const failed of out.UnsuccessfullyDeletedLaunchTemplateVersions ?? []) {
          if (
            failed.VersionNumber !== undefined &&
            failed.ResponseError?.Code === 'launchTemplateVersionDoesNotExist'
          ) {
            deleted.push(failed.VersionNumber);
          }
        }
      } catch (error: unknown) {
        throw translateAwsError(error, { resourceId: launchTemplateId });
      }
    }
    return deleted.sort((a, b) => a - b);
  }

  /** Deletes the template and every version; a template already gone is fine. */
  async delete(launchTemplateId: string): Promise<void> {
    try {
      await this.clients.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: launchTemplateId }));
    } catch (error: unknown) {
      if (isNotFound(error)) return;
      throw translateAwsError(error, { resourceId: launchTemplateId });
    }
  }
}
