import { type Filter, type Instance, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import type { ObservedInstance } from '../plan/plan-types';
import type { AwsClients } from './client-factory';
import { translateAwsError } from './translate-error';

/** One EC2 instance of a node group, as DescribeInstances reports it. */
export type NodegroupInstance = ObservedInstance;

function tag(instance: Instance, key: string): string | undefined {
  return instance.Tags?.find((t) => t.Key === key)?.Value;
}

function toInstance(instance: Instance): NodegroupInstance | undefined {
  if (!instance.InstanceId || !instance.LaunchTime) return undefined;
  const launchTemplateId = tag(instance, 'aws:ec2launchtemplate:id');
  const launchTemplateVersion = tag(instance, 'aws:ec2launchtemplate:version');
  return {
    instanceId: instance.InstanceId,
    launchTime: instance.LaunchTime.toISOString(),
    state: instance.State?.Name ?? 'unknown',
    ...(instance.Placement?.AvailabilityZone
      ? { availabilityZone: instance.Placement.AvailabilityZone }
      : {}),
    ...(instance.EnclaveOptions?.Enabled !== undefined
      ? { enclavesEnabled: instance.EnclaveOptions.Enabled }
      : {}),
    ...(instance.ImageId ? { imageId: instance.ImageId } : {}),
    ...(launchTemplateId ? { launchTemplateId } : {}),
    ...(launchTemplateVersion ? { launchTemplateVersion } : {}),
  };
}

/**
 * The EC2 instances of a managed node group, found by the `aws:autoscaling:groupName` tag of its
 * Auto Scaling group. EKS reports no node counts for an update, so this is how the reconciler
 * counts rolls (rollProgress) and checks them (EnclavesVerified). Terminated instances are listed too (EC2 keeps them visible for a
 * while); the caller decides what counts. Every page is read (the SDK paginator).
 */
export class NodegroupInstances {
  constructor(private readonly clients: Pick<AwsClients, 'ec2'>) {}

  listByAutoScalingGroup(groupName: string): Promise<NodegroupInstance[]> {
    return this.listFiltered([{ Name: 'tag:aws:autoscaling:groupName', Values: [groupName] }], groupName);
  }

  private async listFiltered(filters: Filter[], resourceId: string): Promise<NodegroupInstance[]> {
    const instances: NodegroupInstance[] = [];
    try {
      for await (const page of paginateDescribeInstances(
        { client: this.clients.ec2 },
        { Filters: filters },
      )) {
        for (const reservation of page.Reservations ?? []) {
          for (const raw of reservation.Instances ?? []) {
            const instance = toInstance(raw);
            if (instance) instances.push(instance);
          }
        }
      }
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId });
    }
    return instances;
  }
}
