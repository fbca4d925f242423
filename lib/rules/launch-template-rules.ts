import type { MetadataOptions, RootVolume } from '../pool-spec';
import { violationPath } from './field-path';
import { Rule } from './rules';
import { showValue, type ViolationList } from './violation-list';

/**
 * Offline rules about what the launch template and the node group will carry on AWS: tag budgets
 * (AWS counts our tags and EKS's against the same 50), tag keys readable through instance metadata,
 * and EBS iops/throughput per volume type.
 */

/** EC2 and EKS both allow 50 user tags per resource (tags with the `aws:` prefix do not count). */
export const MAX_TAGS_PER_RESOURCE = 50;
/**
 * Tags enclave-pools itself puts on the node group: `kubernetes.io/cluster/<c>` plus the four
 * ownership tags (managed-by, pool, cluster, deployment). test/unit/render checks the count.
 */
export const OWN_NODEGROUP_TAGS = 5;
/** On instances and volumes: `Name` plus the four ownership tags. */
export const OWN_INSTANCE_TAGS = 5;
/**
 * Tags EKS propagates from the node group's Auto Scaling group to each instance: eks:cluster-name,
 * eks:nodegroup-name, kubernetes.io/cluster/<c>, k8s.io/cluster-autoscaler/enabled and
 * k8s.io/cluster-autoscaler/<c> (see docs/decisions/0060). The `aws:` tags EC2 Auto Scaling adds
 * do not count.
 */
export const EKS_INSTANCE_TAGS = 5;

export interface LaunchTemplateRuleInput {
  infraLabel: string;
  additionalTags: Record<string, string>;
  metadataOptions?: MetadataOptions;
  rootVolume?: RootVolume;
}

const LT = 'spec.awsLaunchTemplate';

export function applyLaunchTemplateRules(input: LaunchTemplateRuleInput, violations: ViolationList): void {
  checkTagBudget(input, violations);
  checkMetadataTagKeys(input, violations);
  checkRootVolume(input, violations);
}

function checkTagBudget(input: LaunchTemplateRuleInput, violations: ViolationList): void {
  const count = Object.keys(input.additionalTags).length;
  const nodegroupRoom = MAX_TAGS_PER_RESOURCE - OWN_NODEGROUP_TAGS;
  const instanceRoom = MAX_TAGS_PER_RESOURCE - OWN_INSTANCE_TAGS - EKS_INSTANCE_TAGS;
  const room = Math.min(nodegroupRoom, instanceRoom);
  if (count <= room) return;
  violations.add(
    Rule.TooManyTags,
    violationPath(input.infraLabel, 'spec.additionalTags'),
    count,
    `spec.additionalTags has ${count} tags, but each instance also carries ${OWN_INSTANCE_TAGS} of enclave-pools' ` +
      `tags and ${EKS_INSTANCE_TAGS} that EKS propagates, and the node group ${OWN_NODEGROUP_TAGS} of ours, within ` +
      `AWS's ${MAX_TAGS_PER_RESOURCE} per resource; keep at most ${room} additional tags`,
  );
}

/** With tags in instance metadata, EC2 refuses instance tag keys containing "/" or spaces. */
const METADATA_TAG_KEY_FORBIDDEN = /[/ ]/;

function checkMetadataTagKeys(input: LaunchTemplateRuleInput, violations: ViolationList): void {
  if (input.metadataOptions?.instanceMetadataTags !== 'enabled') return;
  const field = `${LT}.instanceMetadataOptions.instanceMetadataTags`;
  for (const key of Object.keys(input.additionalTags)) {
    if (!METADATA_TAG_KEY_FORBIDDEN.test(key)) continue;
    violations.add(
      Rule.InstanceMetadataTagKeyInvalid,
      violationPath(input.infraLabel, `spec.additionalTags.${key}`),
      key,
      `spec.additionalTags key ${showValue(key)} contains "/" or a space, and with ${field}: enabled EC2 refuses such ` +
        'instance tag keys, so no instance would launch; rename the tag, or set instanceMetadataTags: disabled',
    );
  }
  violations.add(
    Rule.InstanceMetadataTagsWithEksTags,
    violationPath(input.infraLabel, field),
    'enabled',
    `${field} is enabled, but EKS propagates kubernetes.io/cluster/<cluster> and k8s.io/cluster-autoscaler/... tags ` +
      'to node group instances, and EC2 refuses tag keys with "/" when tags are in instance metadata; unless you ' +
      'have seen such a node group launch, set instanceMetadataTags: disabled',
  );
}

/** Per type, from the EC2 API reference (LaunchTemplateEbsBlockDeviceRequest Iops / Throughput). */
const VOLUME_IOPS: Record<string, { min: number; max: number } | undefined> = {
  gp3: { min: 3000, max: 80000 },
  io1: { min: 100, max: 64000 },
  io2: { min: 100, max: 256000 },
};
const THROUGHPUT_TYPES = ['gp3'];

function checkRootVolume(input: LaunchTemplateRuleInput, violations: ViolationList): void {
  const volume = input.rootVolume;
  if (!volume || (volume.iops === undefined && volume.throughput === undefined)) return;
  const path = (field: string) => violationPath(input.infraLabel, `${LT}.rootVolume.${field}`);
  if (volume.type === undefined) {
    violations.add(
      Rule.RootVolumePerformanceInvalid,
      path('type'),
      undefined,
      `${LT}.rootVolume sets ${volume.iops !== undefined ? 'iops' : 'throughput'} without a type, so it would apply ` +
        "to whatever type the AMI's volume has; name the type (gp3, io1 or io2)",
    );
    return;
  }
  if (volume.iops !== undefined) {
    const range = VOLUME_IOPS[volume.type];
    if (!range) {
      violations.add(
        Rule.RootVolumePerformanceInvalid,
        path('iops'),
        volume.iops,
        `${LT}.rootVolume.iops is ${volume.iops}, but a ${volume.type} volume takes no provisioned IOPS (only gp3, ` +
          'io1 and io2 do); remove iops or change the type',
      );
    } else if (volume.iops < range.min || volume.iops > range.max) {
      violations.add(
        Rule.RootVolumePerformanceInvalid,
        path('iops'),
        volume.iops,
        `${LT}.rootVolume.iops is ${volume.iops}; a ${volume.type} volume takes ${range.min}-${range.max} IOPS: ` +
          'use a value in that range',
      );
    }
  }
  if (volume.throughput !== undefined && !THROUGHPUT_TYPES.includes(volume.type)) {
    violations.add(
      Rule.RootVolumePerformanceInvalid,
      path('throughput'),
      volume.throughput,
      `${LT}.rootVolume.throughput is ${volume.throughput}, but only gp3 volumes take a throughput (not ` +
        `${volume.type}); remove throughput or use type gp3`,
    );
  }
}
