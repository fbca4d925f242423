import { gzipSync } from 'node:zlib';
import type { PoolSpec, Violation } from '../pool-spec';
import type { ClusterFacts } from '../rules/live-facts';
import { Rule, ruleSeverity } from '../rules/rules';
import { checkUserDataSize, USER_DATA_LIMIT_BYTES } from '../rules/user-data-size';
import { canonicalHash } from './canonical-json';
import { launchTemplateName, OwnershipTagKey, ownershipTags } from './resource-names';
import { boundaryCollisions, completeClusterFacts, renderUserData } from './user-data';

/**
 * The launch template data this system writes, as a plain object in EC2's own member names
 * (RequestLaunchTemplateData), so the adapter passes it through unchanged. Only the members we
 * manage appear; what EKS forbids in a managed node group's template (IamInstanceProfile, subnets,
 * spot market options, hibernation, shutdown behaviour) never does.
 */
export interface TagPair {
  Key: string;
  Value: string;
}

export interface LaunchTemplateData {
  ImageId: string;
  InstanceType: string;
  /** base64 of the raw MIME document, or of its gzip when only that fits in 16 KB. */
  UserData: string;
  EnclaveOptions: { Enabled: boolean };
  MetadataOptions: {
    HttpEndpoint: string;
    HttpTokens: string;
    HttpPutResponseHopLimit: number;
    InstanceMetadataTags: string;
  };
  SecurityGroupIds?: string[];
  KeyName?: string;
  BlockDeviceMappings?: Array<{
    DeviceName: string;
    Ebs: {
      VolumeSize: number;
      VolumeType?: string;
      Iops?: number;
      Throughput?: number;
      Encrypted?: boolean;
      KmsKeyId?: string;
      DeleteOnTermination: boolean;
    };
  }>;
  TagSpecifications: Array<{ ResourceType: string; Tags: TagPair[] }>;
}

/** The root device of the EKS-optimized AL2023 images; other images report theirs via DescribeImages. */
export const DEFAULT_ROOT_DEVICE_NAME = '/dev/xvda';

export interface RenderedLaunchTemplate {
  name: string;
  data: LaunchTemplateData;
  /** sha256 of the canonical data: equal hashes mean an equal template version. */
  dataHash: string;
  /** Tags for the launch template resource itself (ownership, for lookup and deletion). */
  resourceTags: Record<string, string>;
  userData: { rawBytes: number; storedBytes: number; gzipped: boolean };
}

export type LaunchTemplateRenderResult =
  | { ok: true; rendered: RenderedLaunchTemplate }
  | { ok: false; violations: Violation[] };

export interface RenderOptions {
  /** Root device of the image, for the root volume mapping; defaults to /dev/xvda. */
  rootDeviceName?: string;
  /** This deployment's id, added to the ownership tags (see resolveDeploymentId). */
  deploymentId?: string;
}

function byKey(a: TagPair, b: TagPair): number {
  return a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0;
}

/**
 * The canonical form of launch template data: array members whose order means nothing are
 * sorted, absent optional members are dropped, and enclave options are always explicit. The
 * renderer's output goes through here, and so does data read back from EC2 for versions that
 * carry no hash, so both sides compare in the same form.
 */
export function normalizeLaunchTemplateData(data: LaunchTemplateData): LaunchTemplateData {
  const securityGroups = [...new Set(data.SecurityGroupIds ?? [])].sort();
  const tagSpecs = data.TagSpecifications.filter((spec) => spec.Tags.length > 0)
    .map((spec) => ({ ResourceType: spec.ResourceType, Tags: [...spec.Tags].sort(byKey) }))
    .sort((a, b) => (a.ResourceType < b.ResourceType ? -1 : a.ResourceType > b.ResourceType ? 1 : 0));
  return {
    ImageId: data.ImageId,
    InstanceType: data.InstanceType,
    UserData: data.UserData,
    EnclaveOptions: { Enabled: data.EnclaveOptions.Enabled === true },
    MetadataOptions: {
      HttpEndpoint: data.MetadataOptions.HttpEndpoint,
      HttpTokens: data.MetadataOptions.HttpTokens,
      HttpPutResponseHopLimit: data.MetadataOptions.HttpPutResponseHopLimit,
      InstanceMetadataTags: data.MetadataOptions.InstanceMetadataTags,
    },
    ...(securityGroups.length > 0 ? { SecurityGroupIds: securityGroups } : {}),
    ...(data.KeyName ? { KeyName: data.KeyName } : {}),
    ...(data.BlockDeviceMappings && data.BlockDeviceMappings.length > 0
      ? {
          BlockDeviceMappings: [...data.BlockDeviceMappings].sort((a, b) =>
            a.DeviceName < b.DeviceName ? -1 : a.DeviceName > b.DeviceName ? 1 : 0,
          ),
        }
      : {}),
    TagSpecifications: tagSpecs,
  };
}

export function launchTemplateDataHash(data: LaunchTemplateData): string {
  return canonicalHash(normalizeLaunchTemplateData(data));
}

/**
 * base64 user data within EC2's 16 KB raw limit: as is when it fits, gzipped when only that fits
 * (cloud-init and nodeadm both accept gzip), otherwise a violation that gives the sizes.
 */
export function encodeUserData(
  raw: string,
): { ok: true; base64: string; storedBytes: number; gzipped: boolean } | { ok: false; violation: Violation } {
  const bytes = Buffer.from(raw, 'utf8');
  const size = checkUserDataSize(bytes);
  if (size.fits && size.encoding === 'raw') {
    return { ok: true, base64: bytes.toString('base64'), storedBytes: bytes.length, gzipped: false };
  }
  if (size.fits) {
    // level 9 and Node's fixed gzip header (mtime 0) make the output a function of the input alone.
    const gzipped = gzipSync(bytes, { level: 9 });
    return { ok: true, base64: gzipped.toString('base64'), storedBytes: gzipped.length, gzipped: true };
  }
  return {
    ok: false,
    violation: {
      path: 'NodeadmConfig: spec.preNodeadmCommands',
      value: `${size.rawBytes} bytes (${size.gzipBytes ?? '?'} gzipped)`,
      rule: Rule.UserDataTooLarge,
      severity: ruleSeverity(Rule.UserDataTooLarge),
      message: `the rendered user data is ${size.rawBytes} bytes and ${size.gzipBytes ?? '?'} bytes gzipped, over EC2's ${USER_DATA_LIMIT_BYTES}-byte limit; shorten preNodeadmCommands or move scripts into the AMI`,
    },
  };
}

function instanceTags(spec: PoolSpec, name: string, deploymentId: string | undefined): TagPair[] {
  const tags: Record<string, string> = {
    ...spec.additionalTags,
    Name: name,
    // No kubernetes.io/cluster/<c> here: EKS propagates it to the instances from the node group's
    // Auto Scaling group, and a key with "/" makes RunInstances fail when the spec enables tags in
    // instance metadata (docs/decisions/0060).
    // Ownership keys last: additionalTags cannot impersonate or drop them.
    ...ownershipTags(spec.clusterName, spec.name, deploymentId),
  };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Renders one pool's launch template data and its hash. Pure: the AMI id and the cluster facts
 * were read before. Violations (incomplete cluster facts, oversized user data, a boundary
 * collision) come back as data, and nothing is rendered.
 */
export function renderLaunchTemplateData(
  spec: PoolSpec,
  cluster: ClusterFacts | undefined,
  imageId: string,
  options: RenderOptions = {},
): LaunchTemplateRenderResult {
  const facts = completeClusterFacts(cluster, spec.clusterName);
  if ('violations' in facts) return { ok: false, violations: facts.violations };
  const collisions = boundaryCollisions(spec);
  if (collisions.length > 0) return { ok: false, violations: collisions };

  const raw = renderUserData(spec, facts.facts);
  const encoded = encodeUserData(raw);
  if (!encoded.ok) return { ok: false, violations: [encoded.violation] };

  const name = launchTemplateName(spec.clusterName, spec.name);
  const lt = spec.launchTemplate;
  const root = lt.rootVolume;
  const tags = instanceTags(spec, name, options.deploymentId);
  const data = normalizeLaunchTemplateData({
    ImageId: imageId,
    InstanceType: lt.instanceType,
    UserData: encoded.base64,
    EnclaveOptions: { Enabled: lt.enclavesEnabled },
    MetadataOptions: {
      HttpEndpoint: lt.metadataOptions.httpEndpoint,
      HttpTokens: lt.metadataOptions.httpTokens,
      HttpPutResponseHopLimit: lt.metadataOptions.httpPutResponseHopLimit,
      InstanceMetadataTags: lt.metadataOptions.instanceMetadataTags,
    },
    SecurityGroupIds: lt.securityGroupIds,
    ...(lt.sshKeyName ? { KeyName: lt.sshKeyName } : {}),
    ...(root
      ? {
          BlockDeviceMappings: [
            {
              DeviceName: options.rootDeviceName ?? DEFAULT_ROOT_DEVICE_NAME,
              Ebs: {
                VolumeSize: root.sizeGiB,
                ...(root.type ? { VolumeType: root.type } : {}),
                ...(root.iops !== undefined ? { Iops: root.iops } : {}),
                ...(root.throughput !== undefined ? { Throughput: root.throughput } : {}),
                ...(root.encrypted !== undefined ? { Encrypted: root.encrypted } : {}),
                ...(root.kmsKeyId ? { KmsKeyId: root.kmsKeyId } : {}),
                DeleteOnTermination: true,
              },
            },
          ],
        }
      : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  });
  return {
    ok: true,
    rendered: {
      name,
      data,
      dataHash: canonicalHash(data),
      resourceTags: {
        ...ownershipTags(spec.clusterName, spec.name, options.deploymentId),
        [OwnershipTagKey.Nodegroup]: spec.nodegroupName,
      },
      userData: {
        rawBytes: Buffer.byteLength(raw, 'utf8'),
        storedBytes: encoded.storedBytes,
        gzipped: encoded.gzipped,
      },
    },
  };
}
