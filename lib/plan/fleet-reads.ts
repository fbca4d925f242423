import type { UpdateRecord, VerificationRecord } from '../status/status-row';
import { NodegroupStatus, UpdateStatus, UpdateType } from './eks-status';
import type { ObservedNodegroup } from './plan-types';

/**
 * When a pass reads the node group's Auto Scaling group and instances (DescribeAutoScalingGroups,
 * DescribeInstances). Never on the no-op pass of a settled, verified pool: a listing costs EC2
 * calls per page, and nothing about the instances changes between rolls that EKS would not tell
 * through the node group or an update; the hourly drift check reads them again (DriftCheck).
 */

export const FleetReadReason = {
  /** A roll is in flight: its progress is counted from the instances. */
  RollInProgress: 'RollInProgress',
  /** A create or an update finished, or nothing is recorded for the pinned version. */
  VerificationDue: 'VerificationDue',
  /** The Cluster Autoscaler tags the spec asks for differ from those last applied. */
  AutoscalerTagsDue: 'AutoscalerTagsDue',
  /**
   * The hourly drift check (a resync with driftCheck): instances can lose what a roll verified
   * without EKS saying so (replaced by a health check, launched by hand), so they are read again.
   */
  DriftCheck: 'DriftCheck',
} as const;
export type FleetReadReason = (typeof FleetReadReason)[keyof typeof FleetReadReason];

/** Statuses in which the node group's instances are what EKS settled on. */
const SETTLED = new Set<string>([NodegroupStatus.Active, NodegroupStatus.Degraded]);

/** The newest update that ended, when the pass knows one. */
function finishedUpdateId(update: UpdateRecord | undefined): string | undefined {
  return update && update.status !== UpdateStatus.InProgress ? update.id : undefined;
}

/**
 * The instances need checking: the node group has settled after a create or an update this check
 * has not seen, or on a version it has not checked. A pool verified on its pinned version, with no
 * update since, is not checked again.
 */
export function verificationDue(
  nodegroup: ObservedNodegroup,
  update: UpdateRecord | undefined,
  recorded: VerificationRecord | undefined,
): boolean {
  const pinned = nodegroup.launchTemplate?.version;
  if (!SETTLED.has(nodegroup.status) || pinned === undefined) return false;
  if (update?.status === UpdateStatus.InProgress) return false;
  if (!recorded || recorded.launchTemplateVersion !== pinned) return true;
  const finished = finishedUpdateId(update);
  return finished !== undefined && finished !== recorded.afterUpdateId;
}

export function rollInProgress(update: UpdateRecord | undefined): boolean {
  return update?.type === UpdateType.VersionUpdate && update.status === UpdateStatus.InProgress;
}

/** Why this pass reads the fleet, or undefined when it does not. */
export function fleetReadReason(input: {
  nodegroup: ObservedNodegroup | undefined;
  update: UpdateRecord | undefined;
  verification: VerificationRecord | undefined;
  /** True when the autoscaler tags the spec asks for are not the ones recorded as applied. */
  autoscalerTagsStale?: boolean;
  /** This pass is the hourly drift check. */
  driftCheck?: boolean;
}): FleetReadReason | undefined {
  const { nodegroup, update } = input;
  if (!nodegroup || (nodegroup.autoScalingGroups ?? []).length === 0) return undefined;
  if (rollInProgress(update)) return FleetReadReason.RollInProgress;
  if (verificationDue(nodegroup, update, input.verification)) return FleetReadReason.VerificationDue;
  if (input.autoscalerTagsStale && SETTLED.has(nodegroup.status)) return FleetReadReason.AutoscalerTagsDue;
  if (input.driftCheck && SETTLED.has(nodegroup.status) && update?.status !== UpdateStatus.InProgress)
    return FleetReadReason.DriftCheck;
  return undefined;
}
