import type { FailedUpdateRecord, RollbackRecord, UpdateRecord } from '../status/status-row';
import { isFailedUpdateStatus, UpdateStatus, UpdateType } from './eks-status';
import { recordFoundStart } from './found-history';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed } from './plan-types';
import { rollFailureHint } from './roll-failure-hints';

function firstError(update: UpdateRecord): { code: string; message: string } {
  const error = update.errors[0];
  return {
    code: error?.code ?? 'Unknown',
    message: error?.message ?? `the update ended ${update.status} without an error detail`,
  };
}

function recordSuccess(update: UpdateRecord, builder: PlanBuilder): void {
  if (update.type !== UpdateType.VersionUpdate) {
    builder.record.failedConfigUpdate = null;
    builder.record.events.push({
      event: 'ConfigUpdateSucceeded',
      message: `update ${update.id} succeeded`,
      updateId: update.id,
    });
    return;
  }
  builder.succeededRollVersion = update.launchTemplateVersion;
  builder.record.failedRoll = null;
  builder.record.events.push({
    event: 'RollSucceeded',
    message: `update ${update.id} rolled the node group to launch template version ${update.launchTemplateVersion ?? '?'}`,
    updateId: update.id,
    ...(update.launchTemplateVersion !== undefined
      ? { launchTemplateVersion: update.launchTemplateVersion }
      : {}),
  });
}

function recordFailure(
  update: UpdateRecord,
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
): void {
  const isRoll = update.type === UpdateType.VersionUpdate;
  const { code, message } = firstError(update);
  const failure: FailedUpdateRecord = {
    updateId: update.id,
    type: update.type,
    status: update.status,
    specHash: update.specHash ?? desired.specHash,
    generation: update.generation ?? desired.generation,
    errorCode: code,
    errorMessage: message,
    hint: rollFailureHint(code),
  };
  if (isRoll) {
    const version = update.launchTemplateVersion ?? observed.nodegroup?.launchTemplate?.version;
    const dataHash =
      update.dataHash ??
      observed.launchTemplate?.versions.find((candidate) => candidate.number === version)?.dataHash ??
      '';
    builder.record.failedRoll = { ...failure, launchTemplateVersion: version ?? 0, dataHash };
  } else {
    builder.record.failedConfigUpdate = failure;
  }
  builder.record.events.push({
    event: isRoll ? 'RollFailed' : 'ConfigUpdateFailed',
    message: `update ${update.id} ${update.status}: ${code}: ${message}`,
    updateId: update.id,
    ...(isRoll && update.launchTemplateVersion !== undefined
      ? { launchTemplateVersion: update.launchTemplateVersion }
      : {}),
  });
}

/**
 * The rollback record for a roll back the status row does not know (its pass lost its status
 * write, and the update was found through ListUpdates): rebuilt from the failed roll it answers.
 */
function rollbackRecordFor(
  update: UpdateRecord,
  observed: Observed,
  builder: PlanBuilder,
): RollbackRecord | undefined {
  const rollback = effectiveFailure(builder.record.rollback, observed.previous.rollback);
  if (rollback) return rollback;
  const failure = effectiveFailure(builder.record.failedRoll, observed.previous.failedRoll);
  if (!failure) return undefined;
  const rebuilt: RollbackRecord = {
    failedUpdateId: failure.updateId,
    fromVersion: failure.launchTemplateVersion,
    toVersion: update.launchTemplateVersion ?? 0,
    updateId: update.id,
    status: update.status,
  };
  builder.record.rollback = rebuilt;
  return rebuilt;
}

/**
 * The roll back after a failed roll ended: the failed roll stays recorded (its spec is still not
 * retried); the rollback's own outcome is what changes.
 */
function recordRollbackOutcome(update: UpdateRecord, observed: Observed, builder: PlanBuilder): void {
  const rollback = rollbackRecordFor(update, observed, builder);
  const version = update.launchTemplateVersion;
  const { code, message } = firstError(update);
  const succeeded = update.status === UpdateStatus.Successful;
  if (succeeded && version !== undefined) builder.record.lastKnownGoodVersion = version;
  if (rollback) {
    builder.record.rollback = {
      ...rollback,
      updateId: update.id,
      status: update.status,
      ...(succeeded ? {} : { errorCode: code, errorMessage: message }),
    };
  }
  builder.record.events.push({
    event: succeeded ? 'RolledBack' : 'RollbackFailed',
    message: succeeded
      ? `update ${update.id} rolled the node group back to last-known-good version ${version ?? '?'}`
      : `update ${update.id} (rollback to version ${version ?? '?'}) ${update.status}: ${code}: ${message}`,
    updateId: update.id,
    ...(version !== undefined ? { launchTemplateVersion: version } : {}),
  });
}

/**
 * Notices, once, that the recorded update finished, and what the status row should remember:
 * a successful roll's version becomes the last known good one; a failed one is kept, with its
 * error, so the same version is not rolled again until the spec is written again.
 */
export function recordUpdateOutcome(desired: DesiredPresent, observed: Observed, builder: PlanBuilder): void {
  // First the recorded update that a found one replaced (its pass lost the status write), then
  // the updates dead passes started (their start, and the outcome of all but the current one),
  // then the current one: the order they happened in.
  if (observed.endedUpdate) recordOutcomeOf(observed.endedUpdate, desired, observed, builder);
  for (const found of observed.found?.updates ?? []) {
    recordFoundStart(found, builder);
    if (found.id !== observed.update?.id) recordOutcomeOf(found, desired, observed, builder);
  }
  if (observed.update) recordOutcomeOf(observed.update, desired, observed, builder);
}

function recordOutcomeOf(
  update: UpdateRecord,
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
): void {
  if (update.status === UpdateStatus.InProgress) {
    if (update.purpose === 'rollback') rollbackRecordFor(update, observed, builder);
    return;
  }
  const before = observed.previous.update;
  if (before && before.id === update.id && before.status === update.status) return;
  if (update.purpose === 'rollback') recordRollbackOutcome(update, observed, builder);
  else if (update.status === UpdateStatus.Successful) recordSuccess(update, builder);
  else if (isFailedUpdateStatus(update.status)) recordFailure(update, desired, observed, builder);
  else if (update.status === UpdateStatus.NotFound) {
    builder.record.events.push({
      event: 'UpdateNotFound',
      message: `update ${update.id} (${update.type}) is no longer known to EKS (DescribeUpdate: not found) and the node group is not updating; its outcome is unknown`,
      updateId: update.id,
    });
  }
}

/** The recorded failure after this pass's bookkeeping (null in the record clears it). */
export function effectiveFailure<T>(
  fromRecord: T | null | undefined,
  previous: T | undefined,
): T | undefined {
  return fromRecord === null ? undefined : (fromRecord ?? previous);
}

/** A failure blocks a retry of the same change while the spec has not been written since. */
export function blocksRetry(failure: FailedUpdateRecord | undefined, desired: DesiredPresent): boolean {
  return (
    failure !== undefined &&
    failure.specHash === desired.specHash &&
    failure.generation === desired.generation
  );
}

export function failureMessage(failure: FailedUpdateRecord, what: string): string {
  return `${what} failed (update ${failure.updateId}, ${failure.status}): ${failure.errorCode}: ${failure.errorMessage}. Hint: ${failure.hint}`;
}
