import {
  type ConditionInput,
  ConditionSeverity,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
  unknownCondition,
} from '../status/conditions';

/** Pending is no failure of its own: a roll's Ready keeps saying UpdateInProgress. */
function pending(message: string): ConditionInput {
  return {
    ...unknownCondition(ConditionType.EnclavesVerified, Reason.VerificationPending, message),
    severity: ConditionSeverity.None,
  };
}

import { VerificationResult } from '../status/status-row';
import { NodegroupStatus } from './eks-status';
import { rollInProgress, verificationDue } from './fleet-reads';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, ObservedFleet, ObservedInstance, PlanRecord } from './plan-types';

/**
 * EnclavesVerified: EKS reports a roll Successful without saying what the new nodes run, and nodes
 * of an enclave node group have come up without enclaves (containers-roadmap #1472). So after a
 * create or an update the pass lists the group's instances and checks every running one.
 */

/** Ids listed in a message; the status row keeps them all. */
const IDS_SHOWN = 10;

export function idList(ids: readonly string[]): string {
  const shown = ids.slice(0, IDS_SHOWN).join(', ');
  return ids.length > IDS_SHOWN ? `${shown} and ${ids.length - IDS_SHOWN} more` : shown;
}

/**
 * The version every instance should run: the one the group launches from. On AWS the group
 * runs EKS's copy of our template, whose version numbers are not ours, so instances are compared
 * with the group, not with our version number; without a template on the group, with ours.
 */
export function expectedTemplate(
  fleet: ObservedFleet,
  pinned: number | undefined,
  ourTemplateId: string | undefined,
): { id: string | undefined; version: string | undefined } {
  const group = fleet.autoScalingGroup.launchTemplate;
  if (group?.version) return { id: group.id, version: group.version };
  return { id: ourTemplateId, version: pinned === undefined ? undefined : String(pinned) };
}

/** The instance was launched from `expected` (its EC2 launch template tags say so). */
export function launchedFrom(
  instance: ObservedInstance,
  expected: ReturnType<typeof expectedTemplate>,
): boolean {
  if (expected.version === undefined || instance.launchTemplateVersion !== expected.version) return false;
  return (
    expected.id === undefined ||
    instance.launchTemplateId === undefined ||
    instance.launchTemplateId === expected.id
  );
}

/** Pure: the check of one listing against the pinned version. */
export function verifyInstances(
  fleet: ObservedFleet,
  pinned: number,
  options: { enclavesWanted: boolean; launchTemplateId?: string },
): Omit<NonNullable<PlanRecord['verification']>, 'afterUpdateId'> {
  const running = fleet.instances.filter((i) => i.state === 'running');
  const expected = expectedTemplate(fleet, pinned, options.launchTemplateId);
  const withoutEnclaves = options.enclavesWanted
    ? running.filter((i) => i.enclavesEnabled !== true).map((i) => i.instanceId)
    : [];
  const onOtherVersion = running.filter((i) => !launchedFrom(i, expected)).map((i) => i.instanceId);
  const result =
    withoutEnclaves.length > 0
      ? VerificationResult.InstancesWithoutEnclaves
      : onOtherVersion.length > 0
        ? VerificationResult.InstancesOnOldVersion
        : VerificationResult.Verified;
  return {
    launchTemplateVersion: pinned,
    result,
    instancesChecked: running.length,
    withoutEnclaves: withoutEnclaves.sort(),
    onOtherVersion: onOtherVersion.sort(),
  };
}

export function verificationCondition(
  record: NonNullable<PlanRecord['verification']>,
  groupName: string,
  enclavesWanted: boolean,
) {
  const checked = `${record.instancesChecked} running instance${record.instancesChecked === 1 ? '' : 's'} of ${groupName}`;
  // "1 of 3 running instances has", "2 of 3 ... have"; "the 1 running instance ... has", "all 3 ... have".
  const verb = (count: number, singular: string, plural: string) => (count === 1 ? singular : plural);
  const others =
    record.onOtherVersion.length > 0
      ? `; ${record.onOtherVersion.length} ${verb(record.onOtherVersion.length, 'runs', 'run')} another launch template version than the group's (pinned version ${record.launchTemplateVersion}): ${idList(record.onOtherVersion)}`
      : '';
  const all = `${record.instancesChecked === 1 ? 'the' : 'all'} ${checked}`;
  switch (record.result) {
    case VerificationResult.InstancesWithoutEnclaves:
      return falseCondition(
        ConditionType.EnclavesVerified,
        Reason.InstancesWithoutEnclaves,
        `${record.withoutEnclaves.length} of ${checked} ${verb(record.withoutEnclaves.length, 'has', 'have')} no Nitro Enclaves (EnclaveOptions.Enabled is not true): ${idList(record.withoutEnclaves)}${others}; ` +
          'enclave pods cannot run there: terminate them so the group replaces them from the template, and check the launch template version has EnclaveOptions.Enabled',
      );
    case VerificationResult.InstancesOnOldVersion:
      return falseCondition(
        ConditionType.EnclavesVerified,
        Reason.InstancesOnOldVersion,
        `${record.onOtherVersion.length} of ${checked} ${verb(record.onOtherVersion.length, 'does', 'do')} not run the launch template version the group launches from (pinned version ${record.launchTemplateVersion}): ${idList(record.onOtherVersion)}; ` +
          'a roll left them behind: roll again (write the spec again) or terminate them',
        ConditionSeverity.Warning,
      );
    default:
      return trueCondition(
        ConditionType.EnclavesVerified,
        Reason.EnclavesVerified,
        enclavesWanted
          ? `${all} ${verb(record.instancesChecked, 'has', 'have')} Nitro Enclaves on and ${verb(record.instancesChecked, 'runs', 'run')} launch template version ${record.launchTemplateVersion}`
          : `${all} ${verb(record.instancesChecked, 'runs', 'run')} launch template version ${record.launchTemplateVersion} (the spec turns enclaves off)`,
      );
  }
}

/**
 * Sets EnclavesVerified when there is something new to say: pending while the node group is being
 * created or rolled, the check's result when this pass read the instances, and a requeue when the
 * check is due but the pass did not read them (the node group was created within this pass).
 * Otherwise the recorded condition stands and no instance is listed.
 */
export function planEnclavesVerified(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
): void {
  const nodegroup = observed.nodegroup;
  if (!nodegroup) return;
  const pinned = nodegroup.launchTemplate?.version;
  if (nodegroup.status === NodegroupStatus.Creating || rollInProgress(observed.update)) {
    builder.set(
      pending(
        `the instances are checked once node group ${nodegroup.name} ${nodegroup.status === NodegroupStatus.Creating ? 'is created' : 'has finished its roll'}`,
      ),
    );
    return;
  }
  const recorded = observed.previous.verification;
  if (pinned === undefined || !verificationDue(nodegroup, observed.update, recorded)) return;
  const fleet = observed.fleet;
  if ((nodegroup.autoScalingGroups ?? []).length === 0) {
    // Nothing to list by: EKS names the group once the node group has one.
    builder.set(
      pending(
        `EKS reports no Auto Scaling group for node group ${nodegroup.name} (resources.autoScalingGroups), so its instances cannot be checked`,
      ),
    );
    return;
  }
  if (!fleet) {
    builder.set(pending(`the instances of node group ${nodegroup.name} are checked on the next pass`));
    builder.requeue(desired.policy.requeueSeconds.creating, Reason.VerificationPending);
    return;
  }
  const enclavesWanted = desired.launchTemplate.data.EnclaveOptions.Enabled;
  const finished = observed.update?.id;
  const record = {
    ...verifyInstances(fleet, pinned, {
      enclavesWanted,
      ...(nodegroup.launchTemplate?.id ? { launchTemplateId: nodegroup.launchTemplate.id } : {}),
    }),
    ...(finished ? { afterUpdateId: finished } : {}),
  };
  builder.record.verification = record;
  builder.set(verificationCondition(record, fleet.autoScalingGroup.name, enclavesWanted));
}

/**
 * `version` cannot be called known good yet: its instances failed their last check (this pass's,
 * or the recorded one), or their check is due and this pass did not read them. EKS may call a roll
 * Successful before the pass that lists its instances; marking the version good on that earlier
 * pass would leave the rollback no other version to return to once the check fails.
 */
export function notVerifiedGood(
  version: number | undefined,
  observed: Observed,
  builder: PlanBuilder,
): boolean {
  // A group EKS names no Auto Scaling group for cannot be checked at all; that alone does not
  // hold the version back (decision 0100), only a check that is due and unread does.
  const checkable = (observed.nodegroup?.autoScalingGroups ?? []).length > 0;
  const pending =
    builder.conditions.get(ConditionType.EnclavesVerified)?.reason === Reason.VerificationPending;
  return (checkable && pending) || verificationFailedOn(version, observed, builder);
}

/**
 * A roll EKS called Successful this pass makes its version last-known-good only if its instances
 * are not failing or due for a check this pass did not make. A pass may read the node group
 * UPDATING, then DescribeUpdate Successful, without listing the instances; marking the version good
 * there would leave a failed check on the next pass no other version to roll back to (the rollback
 * test's NodegroupUpdateFailed under load). Otherwise the summary marks it once the check passed.
 */
export function promoteSucceededRoll(observed: Observed, builder: PlanBuilder): void {
  const version = builder.succeededRollVersion;
  if (version !== undefined && !notVerifiedGood(version, observed, builder))
    builder.record.lastKnownGoodVersion = version;
}

/**
 * The instances of `version` failed their last check (this pass's, or the recorded one): EKS may
 * call a roll Successful, but such a version is not known good.
 */
function verificationFailedOn(
  version: number | undefined,
  observed: Observed,
  builder: PlanBuilder,
): boolean {
  const check = builder.record.verification ?? observed.previous.verification;
  return (
    version !== undefined &&
    check !== undefined &&
    check.launchTemplateVersion === version &&
    check.result !== VerificationResult.Verified
  );
}
