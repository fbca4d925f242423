import {
  ConditionSeverity,
  ConditionStatus,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
} from '../status/conditions';
import { NodegroupStatus } from './eks-status';
import { notVerifiedGood } from './enclave-verification';
import type { TemplateTarget } from './launch-template-target';
import { healthMessage } from './nodegroup-busy';
import { pinnedToFailedRoll } from './nodegroup-roll';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, NodegroupConfigChanges, Observed, ObservedNodegroup, Plan } from './plan-types';

/**
 * The last word on EKSNodegroupReady once nothing bigger is under way: a problem already reported
 * stands; otherwise updating, degraded or active. Active on the target version (and not a version
 * a roll failed on, nor one whose instances failed or still await their check) makes that version
 * the last known good one.
 */
export function planSummary(
  desired: DesiredPresent,
  observed: Observed,
  nodegroup: ObservedNodegroup,
  builder: PlanBuilder,
  template: TemplateTarget,
  changes: NodegroupConfigChanges | undefined,
): Plan {
  if (builder.conditions.get(ConditionType.EKSNodegroupReady)?.status === ConditionStatus.False) {
    return builder.build();
  }
  const name = desired.nodegroup.name;
  const { pinned } = template;
  if (changes) {
    builder.set(
      trueCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdating,
        `updating the config of node group ${name}`,
      ),
    );
  } else if (nodegroup.status === NodegroupStatus.Degraded) {
    builder.set(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupDegraded,
        `node group ${name} is DEGRADED: ${healthMessage(nodegroup)}`,
        ConditionSeverity.Warning,
      ),
    );
  } else {
    builder.set(
      trueCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupActive,
        `node group ${name} is ${nodegroup.status} on launch template version ${pinned ?? '?'}`,
      ),
    );
    const onTarget = pinned !== undefined && pinned === template.version.number;
    if (
      onTarget &&
      !pinnedToFailedRoll(desired, observed, builder, template) &&
      !notVerifiedGood(pinned, observed, builder)
    ) {
      builder.record.lastKnownGoodVersion = pinned;
    }
  }
  return builder.build();
}
