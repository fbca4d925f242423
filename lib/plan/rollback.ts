import { idempotencyToken } from '../render/resource-names';
import { ConditionSeverity, ConditionType, falseCondition, Reason } from '../status/conditions';
import type { FailedRollRecord, RollbackRecord } from '../status/status-row';
import type { TemplateTarget } from './launch-template-target';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, Plan } from './plan-types';
import { effectiveFailure, failureMessage } from './update-outcome';

/** The rollback recorded for this failed roll, after this pass's bookkeeping. */
function rollbackFor(
  failure: FailedRollRecord,
  observed: Observed,
  builder: PlanBuilder,
): RollbackRecord | undefined {
  const rollback = effectiveFailure(builder.record.rollback, observed.previous.rollback);
  return rollback?.failedUpdateId === failure.updateId ? rollback : undefined;
}

/** The version to roll back to: the last known good one, when it is not the failed one and still exists. */
function rollbackTarget(
  failure: FailedRollRecord,
  observed: Observed,
  builder: PlanBuilder,
  template: TemplateTarget,
): { number: number; dataHash: string } | undefined {
  const lastKnownGood = builder.record.lastKnownGoodVersion ?? observed.previous.lastKnownGoodVersion;
  if (lastKnownGood === undefined || lastKnownGood === failure.launchTemplateVersion) return undefined;
  const version = template.launchTemplate.versions.find((candidate) => candidate.number === lastKnownGood);
  return version ? { number: version.number, dataHash: version.dataHash ?? '' } : undefined;
}

function startRollback(
  desired: DesiredPresent,
  builder: PlanBuilder,
  template: TemplateTarget,
  failure: FailedRollRecord,
  target: { number: number; dataHash: string },
): Plan {
  builder.record.rollback = {
    failedUpdateId: failure.updateId,
    fromVersion: failure.launchTemplateVersion,
    toVersion: target.number,
    status: 'InProgress',
  };
  builder.set(
    falseCondition(
      ConditionType.EKSNodegroupReady,
      Reason.RollingBack,
      `${failureMessage(failure, `the roll to version ${failure.launchTemplateVersion}`)}; rolling back to last-known-good version ${target.number}`,
      ConditionSeverity.Warning,
    ),
  );
  // No prune here: the pass ends on this action, and the next one prunes around the new pin.
  builder.actions.push({
    kind: 'UpdateNodegroupVersion',
    clusterName: desired.clusterName,
    nodegroupName: desired.nodegroup.name,
    launchTemplateId: template.launchTemplate.id,
    launchTemplateVersion: target.number,
    dataHash: target.dataHash,
    force: desired.nodegroup.force,
    purpose: 'rollback',
    clientRequestToken: idempotencyToken('rollback', desired.poolId, failure.updateId, target.number),
  });
  return builder.build();
}

/**
 * A roll to the spec's data failed and the spec has not been written since. With the rollback
 * policy `on-failure`, the node group is rolled back to the last-known-good version, once per
 * failed roll (decision 0120): the node group may report its old version, but EKS moved its Auto
 * Scaling group to the failed one when the roll began, so nodes launched later would run it. A
 * rollback that fails is reported with its own reason and never retried. Returns the plan only
 * when it starts the rollback; otherwise it has set the terminal condition.
 */
export function planAfterFailedRoll(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
  template: TemplateTarget,
  failure: FailedRollRecord,
): Plan | undefined {
  const failed = failureMessage(failure, `the roll to version ${failure.launchTemplateVersion}`);
  const retry = 'It is not tried again until the spec is written again';
  builder.set(
    falseCondition(ConditionType.NodegroupUpdating, Reason.UpdateFailed, failed, ConditionSeverity.Error),
  );
  if (desired.policies.rollback !== 'on-failure') {
    builder.stop(falseCondition(ConditionType.EKSNodegroupReady, Reason.NodegroupUpdateFailed, failed));
    return undefined;
  }
  const rollback = rollbackFor(failure, observed, builder);
  // Recorded but never started (EKS answered busy): starting it is still the one rollback.
  if (!rollback || (rollback.status === 'InProgress' && rollback.updateId === undefined)) {
    const target = rollbackTarget(failure, observed, builder, template);
    if (target) return startRollback(desired, builder, template, failure, target);
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdateFailed,
        `${failed}. No rollback: no last-known-good version other than ${failure.launchTemplateVersion} is recorded. ${retry}`,
      ),
    );
    return undefined;
  }
  const rolledBack = `Rolled back to last-known-good version ${rollback.toVersion}${rollback.updateId ? ` (update ${rollback.updateId})` : ''}`;
  if (rollback.status === 'Successful') {
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.RolledBack,
        `${failed}. ${rolledBack}. ${retry}`,
      ),
    );
  } else {
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.RollbackFailed,
        `${failed}. The rollback to version ${rollback.toVersion}${rollback.updateId ? ` (update ${rollback.updateId})` : ''} ended ${rollback.status}: ${rollback.errorCode ?? 'Unknown'}: ${rollback.errorMessage ?? 'no error detail'}. Nothing more is tried: fix the cause, then write the spec again`,
      ),
    );
  }
  return undefined;
}
