import { idempotencyToken } from '../render/resource-names';
import { ConditionSeverity, ConditionType, falseCondition, Reason } from '../status/conditions';
import {
  type FailedRollRecord,
  type RollbackRecord,
  type VerificationRecord,
  VerificationResult,
} from '../status/status-row';
import { UpdateStatus, UpdateType } from './eks-status';
import { idList } from './enclave-verification';
import type { TemplateTarget } from './launch-template-target';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, Plan } from './plan-types';
import { rollFailureHint } from './roll-failure-hints';
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

/**
 * The status a roll (or a rollback) records when EKS ended it Successful but its instances failed
 * the check that follows (EnclavesVerified=False): for the rollback policy it failed all the same.
 */
export const VERIFICATION_FAILED = 'VerificationFailed';

function checkFailure(check: Omit<VerificationRecord, 'at'>): { code: string; message: string } {
  const of = `of ${check.instancesChecked} running instance${check.instancesChecked === 1 ? '' : 's'}`;
  return check.result === VerificationResult.InstancesWithoutEnclaves
    ? {
        code: check.result,
        message: `EKS ended the update Successful, but ${check.withoutEnclaves.length} ${of} have no Nitro Enclaves: ${idList(check.withoutEnclaves)}`,
      }
    : {
        code: check.result,
        message: `EKS ended the update Successful, but ${check.onOtherVersion.length} ${of} do not run version ${check.launchTemplateVersion}: ${idList(check.onOtherVersion)}`,
      };
}

/**
 * Rollback policy on-failure, second trigger (issue 11.3): this pass checked the instances right
 * after a roll EKS called Successful, and they failed (no enclaves, or left on another version).
 * That roll is recorded as a failed roll, so planRoll's breaker and planAfterFailedRoll do the
 * rest exactly as for an EKS failure: one rollback to the last-known-good version, then nothing
 * until the spec is written again. A rollback whose own check fails is a failed rollback. Either
 * way the checked version does not become the last known good one (with or without the policy).
 */
export function recordFailedVerification(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
): void {
  const check = builder.record.verification;
  const update = observed.update;
  if (!check || check.result === VerificationResult.Verified || !update) return;
  const afterThisUpdate =
    update.id === check.afterUpdateId &&
    update.type === UpdateType.VersionUpdate &&
    update.status === UpdateStatus.Successful &&
    update.launchTemplateVersion === check.launchTemplateVersion;
  if (!afterThisUpdate) return;
  if (builder.record.lastKnownGoodVersion === check.launchTemplateVersion) {
    delete builder.record.lastKnownGoodVersion;
  }
  if (desired.policies.rollback !== 'on-failure') return;
  const { code, message } = checkFailure(check);
  const version = check.launchTemplateVersion;
  if (update.purpose === 'rollback') {
    const rollback = effectiveFailure(builder.record.rollback, observed.previous.rollback);
    if (rollback?.updateId !== update.id) return;
    builder.record.rollback = {
      ...rollback,
      status: VERIFICATION_FAILED,
      errorCode: code,
      errorMessage: message,
    };
    builder.record.events.push({
      event: 'RollbackVerificationFailed',
      message: `update ${update.id} (rollback to version ${version}): ${code}: ${message}`,
      updateId: update.id,
      launchTemplateVersion: version,
    });
    return;
  }
  builder.record.failedRoll = {
    updateId: update.id,
    type: update.type,
    status: VERIFICATION_FAILED,
    specHash: update.specHash ?? desired.specHash,
    generation: update.generation ?? desired.generation,
    errorCode: code,
    errorMessage: message,
    hint: rollFailureHint(code),
    launchTemplateVersion: version,
    dataHash:
      update.dataHash ?? observed.launchTemplate?.versions.find((v) => v.number === version)?.dataHash ?? '',
  };
  builder.record.events.push({
    event: 'RollVerificationFailed',
    message: `update ${update.id} (roll to version ${version}): ${code}: ${message}`,
    updateId: update.id,
    launchTemplateVersion: version,
  });
}
