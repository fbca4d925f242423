import { idempotencyToken } from '../render/resource-names';
import { ConditionType, Reason, trueCondition } from '../status/conditions';
import type { FailedRollRecord } from '../status/status-row';
import type { TemplateTarget } from './launch-template-target';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, Plan } from './plan-types';
import { planRollGate } from './roll-gate';
import { planAfterFailedRoll } from './rollback';
import { blocksRetry, effectiveFailure } from './update-outcome';

/** The recorded failed roll, after this pass's bookkeeping. */
function failedRoll(observed: Observed, builder: PlanBuilder): FailedRollRecord | undefined {
  return effectiveFailure(builder.record.failedRoll, observed.previous.failedRoll);
}

/**
 * The node group sits on the version a roll to the spec's data failed on: EKS may leave the
 * failed version pinned, so that counts as "not on the target" too.
 */
export function pinnedToFailedRoll(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
  template: TemplateTarget,
): boolean {
  const failure = failedRoll(observed, builder);
  return (
    failure !== undefined &&
    failure.dataHash === desired.launchTemplate.dataHash &&
    failure.launchTemplateVersion === template.pinned
  );
}

/**
 * A roll when the node group is not on the version matching the spec. A failed roll is not
 * repeated until the spec is written again: that is reported (terminal) and planning goes on,
 * so config changes still apply. Returns the plan only when it starts a roll.
 */
export function planRoll(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
  template: TemplateTarget,
): Plan | undefined {
  const { launchTemplate, version, pinned } = template;
  const needsRoll = pinned !== version.number || pinnedToFailedRoll(desired, observed, builder, template);
  if (!needsRoll) return undefined;
  const failure = failedRoll(observed, builder);
  if (failure && failure.dataHash === desired.launchTemplate.dataHash && blocksRetry(failure, desired)) {
    return planAfterFailedRoll(desired, observed, builder, template, failure);
  }
  const gate = planRollGate(desired, observed, builder, template);
  if (gate) return gate.wait;
  builder.record.failedRoll = null;
  builder.record.rollback = null;
  builder.set(
    trueCondition(
      ConditionType.EKSNodegroupReady,
      Reason.NodegroupUpdating,
      `rolling node group ${desired.nodegroup.name} from version ${pinned ?? '?'} to ${version.number}`,
    ),
  );
  builder.actions.push(
    {
      kind: 'UpdateNodegroupVersion',
      clusterName: desired.clusterName,
      nodegroupName: desired.nodegroup.name,
      launchTemplateId: launchTemplate.id,
      launchTemplateVersion: version.number,
      dataHash: desired.launchTemplate.dataHash,
      force: desired.nodegroup.force,
      clientRequestToken: idempotencyToken(
        'roll',
        desired.poolId,
        launchTemplate.id,
        version.number,
        desired.launchTemplate.dataHash,
        desired.specHash,
        desired.generation,
        desired.statusRevision,
      ),
    },
    ...template.prune,
  );
  return builder.build();
}
