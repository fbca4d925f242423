import {
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import type { ObservedAutoScalingGroup } from '../plan/plan-types';
import type { AwsClients } from './client-factory';
import { translateAwsError } from './translate-error';

/**
 * The Auto Scaling group EKS runs a managed node group's nodes in (named in the node group's
 * `resources.autoScalingGroups`). Read for the launch template it launches from and its tags;
 * written only to keep the Cluster Autoscaler's node-template tags, which EKS does not set.
 */
export class AutoScalingGroups {
  constructor(private readonly clients: Pick<AwsClients, 'autoScaling'>) {}

  /** Undefined when no group has that name. */
  async describe(name: string): Promise<ObservedAutoScalingGroup | undefined> {
    try {
      const { AutoScalingGroups: groups } = await this.clients.autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
      );
      const group = groups?.find((g) => g.AutoScalingGroupName === name);
      return group ? toObservedGroup(group) : undefined;
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: name });
    }
  }

  /** CreateOrUpdateTags: overwrites the values of keys that exist; never propagated to instances. */
  async putTags(name: string, tags: Record<string, string>): Promise<void> {
    const entries = Object.entries(tags);
    if (entries.length === 0) return;
    try {
      await this.clients.autoScaling.send(
        new CreateOrUpdateTagsCommand({
          Tags: entries.map(([Key, Value]) => ({
            ResourceId: name,
            ResourceType: 'auto-scaling-group',
            Key,
            Value,
            // The autoscaler reads them from the group; nodes get labels from the node group.
            PropagateAtLaunch: false,
          })),
        }),
      );
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: name });
    }
  }

  async deleteTags(name: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.clients.autoScaling.send(
        new DeleteTagsCommand({
          Tags: keys.map((Key) => ({ ResourceId: name, ResourceType: 'auto-scaling-group', Key })),
        }),
      );
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: name });
    }
  }
}

/** The template the group launches from: its own, or the one of its mixed instances policy. */
function launchTemplateOf(group: AutoScalingGroup): ObservedAutoScalingGroup['launchTemplate'] {
  const spec =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!spec) return undefined;
  return {
    ...(spec.LaunchTemplateId ? { id: spec.LaunchTemplateId } : {}),
    ...(spec.LaunchTemplateName ? { name: spec.LaunchTemplateName } : {}),
    ...(spec.Version ? { version: spec.Version } : {}),
  };
}

export function toObservedGroup(group: AutoScalingGroup): ObservedAutoScalingGroup {
  const launchTemplate = launchTemplateOf(group);
  return {
    name: group.AutoScalingGroupName ?? '',
    ...(launchTemplate ? { launchTemplate } : {}),
    tags: Object.fromEntries(
      (group.Tags ?? [])
        .filter((tag) => tag.Key !== undefined)
        .map((tag) => [tag.Key as string, tag.Value ?? '']),
    ),
    desiredCapacity: group.DesiredCapacity ?? 0,
  };
}
