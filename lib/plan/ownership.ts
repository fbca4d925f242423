import { ownershipProblem } from '../render/resource-names';
import { ConditionType, falseCondition, Reason } from '../status/conditions';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, Plan } from './plan-types';

/**
 * Ownership first: nothing is created, changed or adopted next to a resource that is not ours.
 * Returns the (terminal) plan when the launch template or node group is someone else's, or the
 * node group sits on another template; undefined when planning may go on.
 */
export function planOwnership(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
): Plan | undefined {
  const { clusterName, poolId } = desired;
  const deploymentId = desired.policy.deploymentId;
  const templateName = desired.launchTemplate.name;
  const nodegroupName = desired.nodegroup.name;
  const template = observed.launchTemplate;
  const templateProblem = template && ownershipProblem(template.tags, clusterName, poolId, deploymentId);
  if (template && templateProblem) {
    return builder
      .stop(
        falseCondition(
          ConditionType.LaunchTemplateReady,
          Reason.LaunchTemplateNotOwned,
          `launch template ${templateName} (${template.id}) exists but ${templateProblem}; this system does not adopt it. Delete or rename it, or tag it if it really is this pool's`,
        ),
      )
      .build();
  }
  const nodegroup = observed.nodegroup;
  const nodegroupProblem = nodegroup && ownershipProblem(nodegroup.tags, clusterName, poolId, deploymentId);
  if (nodegroup && nodegroupProblem) {
    return builder
      .stop(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupNotOwned,
          `node group ${nodegroupName} in cluster ${clusterName} exists but ${nodegroupProblem}; this system does not adopt it. Pick another nodegroup name for the pool, or delete that node group`,
        ),
      )
      .build();
  }
  if (nodegroup && (!nodegroup.launchTemplate?.id || nodegroup.launchTemplate.id !== template?.id)) {
    // EKS cannot move a node group to another launch template; recreating ours by name would not help.
    const ours = template ? `${templateName} (${template.id})` : `${templateName}, which does not exist`;
    return builder
      .stop(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupImmutableFieldChanged,
          `node group ${nodegroupName} uses launch template ${nodegroup.launchTemplate?.id ?? '(none)'}, not ${ours}; EKS cannot switch a node group to another template. Delete the node group (delete the pool spec, wait for status deleted, then write it again)`,
        ),
      )
      .build();
  }
  return undefined;
}
