import {
  ConditionSeverity,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
} from '../status/conditions';
import { NodegroupStatus, UpdateStatus } from './eks-status';
import type { TemplateTarget } from './launch-template-target';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, ObservedNodegroup, Plan } from './plan-types';

export function healthMessage(nodegroup: ObservedNodegroup): string {
  return nodegroup.healthIssues.length > 0
    ? nodegroup.healthIssues.map((issue) => `${issue.code}: ${issue.message}`).join('; ')
    : 'EKS reported no health issues';
}

/**
 * The node group is being created or deleted (wait), or its create/delete failed (terminal).
 * Undefined for every other status: the node group can take changes.
 */
export function planNodegroupLifecycle(
  desired: DesiredPresent,
  nodegroup: ObservedNodegroup,
  builder: PlanBuilder,
  template: TemplateTarget,
): Plan | undefined {
  switch (nodegroup.status) {
    case NodegroupStatus.Creating:
      builder.set(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupCreating,
          `node group ${desired.nodegroup.name} is being created on version ${template.pinned ?? '?'}`,
          ConditionSeverity.Info,
        ),
      );
      builder.actions.push(...template.prune);
      return builder.requeue(desired.policy.requeueSeconds.creating, Reason.NodegroupCreating).build();
    case NodegroupStatus.Deleting:
      builder.set(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupDeleting,
          `node group ${desired.nodegroup.name} is being deleted by someone else; it will be created again once it is gone`,
          ConditionSeverity.Warning,
        ),
      );
      return builder.requeue(desired.policy.requeueSeconds.deleting, Reason.NodegroupDeleting).build();
    case NodegroupStatus.CreateFailed:
    case NodegroupStatus.DeleteFailed:
      return builder
        .stop(
          falseCondition(
            ConditionType.EKSNodegroupReady,
            nodegroup.status === NodegroupStatus.CreateFailed
              ? Reason.NodegroupCreateFailed
              : Reason.NodegroupDeleteFailed,
            `node group ${desired.nodegroup.name} is ${nodegroup.status}: ${healthMessage(nodegroup)}. Fix the cause, then delete the pool spec and write it again`,
          ),
        )
        .build();
    default:
      return undefined;
  }
}

/** What is in flight, for the conditions' messages. */
function inFlightMessage(desired: DesiredPresent, observed: Observed, nodegroup: ObservedNodegroup): string {
  const update = observed.update?.status === UpdateStatus.InProgress ? observed.update : undefined;
  if (update) {
    const target =
      update.launchTemplateVersion !== undefined
        ? ` to launch template version ${update.launchTemplateVersion}`
        : '';
    return `${update.type} ${update.id}${target} is in progress`;
  }
  const state =
    nodegroup.status === NodegroupStatus.Updating
      ? NodegroupStatus.Updating
      : 'busy with an update this system did not start';
  return `node group ${desired.nodegroup.name} is ${state}`;
}

/**
 * An update is in flight (ours, or one EKS reports busy with): the node group serves, nothing
 * else is started until it ends. Otherwise records that no update is in flight and returns
 * undefined.
 */
export function planUpdateInFlight(
  desired: DesiredPresent,
  observed: Observed,
  nodegroup: ObservedNodegroup,
  builder: PlanBuilder,
  template: TemplateTarget,
): Plan | undefined {
  const inFlight =
    nodegroup.status === NodegroupStatus.Updating ||
    observed.update?.status === UpdateStatus.InProgress ||
    observed.nodegroupBusy === true;
  if (!inFlight) {
    const last = observed.update;
    builder.set(
      falseCondition(
        ConditionType.NodegroupUpdating,
        Reason.NoUpdateInProgress,
        last ? `last update ${last.id} (${last.type}) ended ${last.status}` : 'no update in flight',
        ConditionSeverity.None,
      ),
    );
    return undefined;
  }
  const what = inFlightMessage(desired, observed, nodegroup);
  builder.set(trueCondition(ConditionType.NodegroupUpdating, Reason.UpdateInProgress, what));
  builder.set(
    trueCondition(
      ConditionType.EKSNodegroupReady,
      Reason.NodegroupUpdating,
      `node group ${desired.nodegroup.name} serves while ${what}`,
    ),
  );
  builder.actions.push(...template.prune);
  const seconds = desired.policy.requeueSeconds;
  return builder
    .requeue(
      observed.nodegroupBusy ? seconds.busy : seconds.updating,
      observed.nodegroupBusy ? 'NodegroupBusy' : Reason.UpdateInProgress,
    )
    .build();
}
