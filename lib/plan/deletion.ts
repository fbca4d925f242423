import { ownershipProblem } from '../render/resource-names';
import { ConditionSeverity, ConditionType, falseCondition, Reason } from '../status/conditions';
import { NodegroupStatus } from './eks-status';
import { PlanBuilder } from './plan-builder';
import type { DesiredAbsent, Observed, ObservedNodegroup, Plan } from './plan-types';

function planNodegroupDeletion(
  desired: DesiredAbsent & { clusterName: string },
  observed: Observed,
  nodegroup: ObservedNodegroup,
  builder: PlanBuilder,
): Plan {
  const problem = ownershipProblem(
    nodegroup.tags,
    desired.clusterName,
    desired.poolId,
    desired.policy.deploymentId,
  );
  if (problem) {
    return builder
      .stop(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupNotOwned,
          `node group ${nodegroup.name} exists but ${problem}; it is not deleted. Delete it by hand if it should go`,
        ),
      )
      .build();
  }
  if (nodegroup.status === NodegroupStatus.Deleting) {
    builder.set(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupDeleting,
        `node group ${nodegroup.name} is being deleted`,
        ConditionSeverity.Info,
      ),
    );
    return builder.requeue(desired.policy.requeueSeconds.deleting, Reason.NodegroupDeleting).build();
  }
  if (observed.nodegroupBusy) {
    builder.set(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupDeleting,
        `node group ${nodegroup.name} is busy with an update; deleting it when that ends`,
        ConditionSeverity.Info,
      ),
    );
    return builder.requeue(desired.policy.requeueSeconds.busy, 'NodegroupBusy').build();
  }
  builder.set(
    falseCondition(
      ConditionType.EKSNodegroupReady,
      Reason.NodegroupDeleting,
      `deleting node group ${nodegroup.name}`,
      ConditionSeverity.Info,
    ),
  );
  builder.actions.push({
    kind: 'DeleteNodegroup',
    clusterName: desired.clusterName,
    nodegroupName: nodegroup.name,
  });
  return builder.build();
}

/** Everything of the pool is gone. */
function deletedConditions(builder: PlanBuilder, message: string): void {
  builder.set(
    falseCondition(
      ConditionType.SpecValid,
      Reason.Deleted,
      'the spec was deleted from its store',
      ConditionSeverity.Info,
    ),
  );
  builder.set(
    falseCondition(ConditionType.LaunchTemplateReady, Reason.Deleted, message, ConditionSeverity.Info),
  );
  builder.set(
    falseCondition(ConditionType.EKSNodegroupReady, Reason.Deleted, message, ConditionSeverity.Info),
  );
  builder.set(
    falseCondition(
      ConditionType.NodegroupUpdating,
      Reason.NoUpdateInProgress,
      'no update in flight',
      ConditionSeverity.None,
    ),
  );
}

/**
 * The spec is gone: delete the node group, wait across passes until EKS has removed it, then the
 * launch template, then report the pool deleted. Resources not tagged as this pool's are never
 * deleted, and a foreign node group also keeps our template alive (it may be using it).
 */
export function planDeletion(desired: DesiredAbsent, observed: Observed): Plan {
  const builder = new PlanBuilder();
  // Deleting until the resources are gone: SpecValid leads the summary, so Ready says Deleting too.
  builder.set(
    falseCondition(
      ConditionType.SpecValid,
      Reason.Deleting,
      "the spec was deleted from its store; the pool's resources are being deleted",
      ConditionSeverity.Info,
    ),
  );
  const { clusterName } = desired;
  const nodegroup = observed.nodegroup;
  if (nodegroup && clusterName) {
    return planNodegroupDeletion({ ...desired, clusterName }, observed, nodegroup, builder);
  }
  const template = observed.launchTemplate;
  const ours =
    template &&
    clusterName &&
    !ownershipProblem(template.tags, clusterName, desired.poolId, desired.policy.deploymentId);
  if (template && ours) {
    builder.set(
      falseCondition(
        ConditionType.LaunchTemplateReady,
        Reason.Deleting,
        `deleting launch template ${template.name}`,
        ConditionSeverity.Info,
      ),
    );
    builder.actions.push({
      kind: 'DeleteLaunchTemplate',
      launchTemplateId: template.id,
      name: template.name,
    });
    return builder.build();
  }
  deletedConditions(
    builder,
    template
      ? `the pool's resources are gone; launch template ${template.name} (${template.id}) is not tagged as this pool's and was left alone`
      : "the pool's node group and launch template are gone",
  );
  builder.record.deleted = true;
  return builder.build();
}
