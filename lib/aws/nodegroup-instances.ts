import { paginateDescribeInstances } from '@aws-sdk/client-ec2';
import type { AwsClients } from './client-factory';
import { translateAwsError } from './translate-error';

/** One EC2 instance of a node group, as DescribeInstances reports it. */
export interface NodegroupInstance {
  instanceId: string;
  /** ISO time. */
  launchTime: string;
  /** pending | running | shutting-down | stopping | stopped | terminated */
  state: string;
  availabilityZone?: string;
}

/**
 * The EC2 instances of a managed node group, found by the tags EKS puts on them
 * (`eks:cluster-name`, `eks:nodegroup-name`). EKS reports no node counts for an update, so this is
 * how `watch` counts the old nodes still waiting to be replaced. Terminated instances are listed
 * too (EC2 keeps them visible for a while); the caller decides what counts.
 */
export class NodegroupInstances {
  constructor(private readonly clients: Pick<AwsClients, 'ec2'>) {}

  async list(clusterName: string, nodegroupName: string): Promise<NodegroupInstance[]> {
    const instances: NodegroupInstance[] = [];
    try {
      const pages = paginateDescribeInstances(
        { client: this.clients.ec2 },
        {
          Filters: [
            { Name: 'tag:eks:cluster-name', Values: [clusterName] },
            { Name: 'tag:eks:nodegroup-name', Values: [nodegroupName] },
          ],
        },
      );
      for await (const page of pages) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            if (!instance.InstanceId || !instance.LaunchTime) continue;
            instances.push({
              instanceId: instance.InstanceId,
              launchTime: instance.LaunchTime.toISOString(),
              state: instance.State?.Name ?? 'unknown',
              ...(instance.Placement?.AvailabilityZone
                ? { availabilityZone: instance.Placement.AvailabilityZone }
                : {}),
            });
          }
        }
      }
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: `${clusterName}/${nodegroupName}` });
    }
    return instances;
  }
}
