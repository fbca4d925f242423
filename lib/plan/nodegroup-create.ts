import { idempotencyToken } from '../render/resource-names';
import { ConditionSeverity, ConditionType, falseCondition, Reason } from '../status/conditions';
import type { TemplateTarget } from './launch-template-target';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, Plan } from './plan-types';

/**
 * No node group yet: create it on the target version, once the node role and a subnet are
 * known. A missing role or no subnet is the user's to fix (terminal).
 */
export function planNodegroupCreate(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
  template: TemplateTarget,
): Plan {
  const wanted = desired.nodegroup;
  if (!observed.nodeRoleArn) {
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodeRoleNotFound,
        `IAM role ${wanted.nodeRoleName} was not found; create it (with AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy and AmazonEC2ContainerRegistryReadOnly) or set spec.roleName on the AWSManagedMachinePool`,
      ),
    );
    return builder.build();
  }
  if (wanted.subnets.length === 0) {
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NoSubnets,
        `no subnet to place node group ${wanted.name}: the cluster has no subnets in regular availability zones; set spec.subnetIDs on the AWSManagedMachinePool`,
      ),
    );
    return builder.build();
  }
  builder.set(
    falseCondition(
      ConditionType.EKSNodegroupReady,
      Reason.NodegroupCreating,
      `creating node group ${wanted.name}`,
      ConditionSeverity.Info,
    ),
  );
  const launchTemplateId = template.launchTemplate.id;
  builder.actions.push(
    {
      kind: 'CreateNodegroup',
      clusterName: desired.clusterName,
      nodegroupName: wanted.name,
      launchTemplateId,
      launchTemplateVersion: template.version.number,
      nodeRoleArn: observed.nodeRoleArn,
      subnets: wanted.subnets,
      labels: wanted.labels,
      taints: wanted.taints,
      scaling: wanted.scaling,
      updateConfig: wanted.updateConfig,
      capacityType: wanted.capacityType,
      amiType: wanted.amiType,
      tags: wanted.tags,
      clientRequestToken: idempotencyToken(
        'ng',
        desired.poolId,
        desired.clusterName,
        wanted.name,
        launchTemplateId,
        desired.statusRevision,
      ),
    },
    ...template.prune,
  );
  return builder.build();
}
