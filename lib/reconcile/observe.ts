import { isFailedUpdateStatus, NodegroupStatus, UpdateStatus, UpdateType } from '../plan/eks-status';
import { FleetReadReason, fleetReadReason } from '../plan/fleet-reads';
import { foundResources, unrecordedLookupReason } from '../plan/found-history';
import type {
  Observed,
  ObservedFleet,
  ObservedFound,
  ObservedLaunchTemplate,
  ObservedNodegroup,
} from '../plan/plan-types';
import { launchTemplateName, OwnershipTagKey } from '../render/resource-names';
import type { StatusRow, UpdateRecord } from '../status/status-row';
import type { ObservePorts } from './ports';
import { knownUpdateIds } from './status-race';

/**
 * The observed half of plan()'s input: the pool's launch template and node group as AWS reports
 * them now, the update the status row knows about (refreshed with DescribeUpdate while it is in
 * flight, so a roll's end is noticed on the pass after it happens), and what the status row
 * remembers. Reads only.
 */

export interface ObserveTarget {
  clusterName: string;
  launchTemplateName: string;
  nodegroupName: string;
  /** Read the role's ARN when the node group has to be created. */
  nodeRoleName?: string;
  /** Hash of the freshly rendered launch template data. */
  dataHash?: string;
  /** The hourly drift check: read the launch template from EC2 whatever the status row knows. */
  driftCheck?: boolean;
  /** The autoscaler tags the spec asks for differ from those the status row records as applied. */
  autoscalerTagsStale?: boolean;
  /** The drift check of a pool with drift policy report: list the instances too (decision 0103). */
  instancesDriftCheck?: boolean;
}

/**
 * The launch template as the status row knows it, when that is what EC2 would say: the node
 * group (just described) runs the very template id and version the row recorded, and the row
 * holds the template's versions, default and tags. Versions are immutable, so each recorded
 * version's data hash still holds; the rendered data either matches the pinned version (a no-op)
 * or no recorded version (a new one will be created, its number comes back from EC2). Reusing any
 * other recorded version would trust that it still exists: that case reads EC2, except for the
 * version a roll in progress (or just succeeded) goes to (`update`, this pass's view of it). Changes
 * made outside (a version deleted, the default changed) are found by the hourly drift check.
 */
export function launchTemplateFromRow(
  target: ObserveTarget,
  previous: StatusRow | undefined,
  nodegroup: ObservedNodegroup | undefined,
  update?: UpdateRecord,
): ObservedLaunchTemplate | undefined {
  const row = previous?.launchTemplate;
  if (target.driftCheck || !row || !nodegroup || target.dataHash === undefined) return undefined;
  const { versions, defaultVersion, tags, latestVersion, pinnedVersion } = row;
  if (!versions || defaultVersion === undefined || !tags || latestVersion === undefined) return undefined;
  if (row.name !== target.launchTemplateName || nodegroup.launchTemplate?.id !== row.id) return undefined;
  // A roll to a version the row lists, as this pass's DescribeUpdate sees it: while it is in
  // progress, and once it succeeded with the node group on that version, the template holds
  // nothing the row does not know. A failed or cancelled roll is read from EC2 as before.
  const running = nodegroup.launchTemplate.version;
  const rolledTo = update?.launchTemplateVersion;
  const listed = versions.some((version) => version.number === rolledTo);
  const rollTarget =
    listed && (update?.status === 'InProgress' || (update?.status === 'Successful' && running === rolledTo))
      ? rolledTo
      : undefined;
  if (running === undefined || (running !== pinnedVersion && running !== rollTarget)) return undefined;
  const pinned = versions.find((version) => version.number === running);
  if (!pinned) return undefined;
  // A version that matches the spec and is not the one running is about to be rolled to: read it
  // from EC2 first, unless the recorded roll already goes there.
  const matching = versions.filter((version) => version.dataHash === target.dataHash);
  const rollsToMatching = matching.some((version) => version.number === rollTarget);
  if (matching.length > 0 && pinned.dataHash !== target.dataHash && !rollsToMatching) return undefined;
  return {
    id: row.id,
    name: row.name,
    tags: { ...tags },
    defaultVersion,
    latestVersion,
    versions: versions.map((version) => ({ ...version })),
  };
}

function previousBookkeeping(previous: StatusRow | undefined): Observed['previous'] {
  return {
    ...(previous?.launchTemplate?.lastKnownGoodVersion !== undefined
      ? { lastKnownGoodVersion: previous.launchTemplate.lastKnownGoodVersion }
      : {}),
    ...(previous?.failedRoll ? { failedRoll: previous.failedRoll } : {}),
    ...(previous?.failedConfigUpdate ? { failedConfigUpdate: previous.failedConfigUpdate } : {}),
    ...(previous?.update ? { update: previous.update } : {}),
    ...(previous?.rollback ? { rollback: previous.rollback } : {}),
    ...(previous?.rollApproval ? { rollApproval: previous.rollApproval } : {}),
    ...(previous?.specHash && !previous.deleted && previous.outcome.kind === 'done'
      ? { converged: { specHash: previous.specHash, generation: previous.observedGeneration ?? 0 } }
      : {}),
    ...(previous?.verification ? { verification: previous.verification } : {}),
    ...(previous?.autoscalerTags ? { autoscalerTags: previous.autoscalerTags } : {}),
  };
}

/** The node group's Auto Scaling group and its instances (every page). */
async function readFleet(
  nodegroup: ObservedNodegroup,
  ports: ObservePorts,
): Promise<ObservedFleet | undefined> {
  const name = nodegroup.autoScalingGroups?.[0];
  if (!name) return undefined;
  const [autoScalingGroup, instances] = await Promise.all([
    ports.autoScalingGroups.describe(name),
    ports.instances.listByAutoScalingGroup(name),
  ]);
  return autoScalingGroup ? { autoScalingGroup, instances } : undefined;
}

/**
 * When only the autoscaler tags are due, the group need not be read: DescribeNodegroup names it,
 * and the row records the tags applied to it (a group renamed, or a row from before the values
 * were kept, reads it). Tags changed on the group by hand are put back after the next roll, whose
 * verification reads the group.
 */
function recordedAutoscalerGroup(
  nodegroup: ObservedNodegroup,
  previous: StatusRow | undefined,
): Observed['autoscalerGroup'] {
  const recorded = previous?.autoscalerTags;
  const name = nodegroup.autoScalingGroups?.[0];
  if (!recorded?.tags || !name || recorded.autoScalingGroupName !== name) return undefined;
  return { name, tags: { ...recorded.tags } };
}

/** DescribeUpdate does not know why we started an update; the status row does. */
function withRecordedMetadata(fresh: UpdateRecord, recorded: UpdateRecord | undefined): UpdateRecord {
  if (!recorded || recorded.id !== fresh.id) return fresh;
  return {
    ...fresh,
    ...(fresh.launchTemplateVersion === undefined && recorded.launchTemplateVersion !== undefined
      ? { launchTemplateVersion: recorded.launchTemplateVersion }
      : {}),
    ...(recorded.dataHash !== undefined ? { dataHash: recorded.dataHash } : {}),
    ...(recorded.specHash !== undefined ? { specHash: recorded.specHash } : {}),
    ...(recorded.generation !== undefined ? { generation: recorded.generation } : {}),
    ...(recorded.purpose !== undefined ? { purpose: recorded.purpose } : {}),
  };
}

/**
 * EKS does not say why an update was started. A roll to the last-known-good version found in
 * flight right after a roll to another version failed (the recorded one that just ended, or the
 * recorded failedRoll) is the roll back of the rollback policy (decision 0120), started by a pass
 * whose status write was lost: read as a plain roll, its success would clear the failed roll and
 * the failed spec would be rolled again.
 */
function asFoundRollback(
  found: UpdateRecord,
  ended: UpdateRecord | undefined,
  previous: StatusRow | undefined,
): UpdateRecord {
  if (found.type !== UpdateType.VersionUpdate || found.purpose !== undefined) return found;
  const failedVersion =
    ended?.type === UpdateType.VersionUpdate && isFailedUpdateStatus(ended.status)
      ? ended.launchTemplateVersion
      : previous?.failedRoll?.launchTemplateVersion;
  const lastKnownGood = previous?.launchTemplate?.lastKnownGoodVersion;
  const isRollback =
    previous?.rollback?.updateId === found.id ||
    (lastKnownGood !== undefined &&
      failedVersion !== undefined &&
      lastKnownGood !== failedVersion &&
      found.launchTemplateVersion === lastKnownGood);
  return isRollback ? { ...found, purpose: 'rollback' } : found;
}

/**
 * DescribeUpdate answered 404 for the update the status row records. The record is kept (it is the
 * pool's history): while the node group is still UPDATING the update is taken as still running;
 * once it is not, the update has ended with an outcome EKS no longer tells, and it is kept as
 * NotFound, so planning goes on instead of waiting for it forever.
 */
function lostUpdate(recorded: UpdateRecord, nodegroupStatus: string): UpdateRecord {
  return nodegroupStatus === NodegroupStatus.Updating
    ? recorded
    : { ...recorded, status: UpdateStatus.NotFound };
}

/**
 * What changed in the launch template outside this system since the status row recorded it (a
 * version deleted or added, the default moved), as a history line; undefined when nothing did or
 * the row recorded no versions yet. Only the drift check reads EC2, so only it can find any.
 */
export function launchTemplateDrift(
  previous: StatusRow | undefined,
  observed: ObservedLaunchTemplate | undefined,
): string | undefined {
  const row = previous?.launchTemplate;
  if (!row?.versions || !observed || row.id !== observed.id) return undefined;
  const before = new Set(row.versions.map((version) => version.number));
  const now = new Set(observed.versions.map((version) => version.number));
  const deleted = [...before].filter((number) => !now.has(number));
  const added = [...now].filter((number) => !before.has(number));
  const changes = [
    ...(deleted.length > 0 ? [`version ${deleted.join(', ')} deleted`] : []),
    ...(added.length > 0 ? [`version ${added.join(', ')} added`] : []),
    ...(row.defaultVersion !== undefined && row.defaultVersion !== observed.defaultVersion
      ? [`default version ${row.defaultVersion} → ${observed.defaultVersion}`]
      : []),
  ];
  if (changes.length === 0) return undefined;
  return `launch template ${observed.name} (${observed.id}) changed outside enclave-pools: ${changes.join('; ')}`;
}

/** The updates observe knows of: the current one, the recorded one it replaced, those no pass recorded. */
interface ObservedUpdates {
  update?: UpdateRecord;
  endedUpdate?: UpdateRecord;
  /** Oldest first (0094). */
  foundUpdates: UpdateRecord[];
}

/**
 * The recorded update refreshed while in flight (DescribeUpdate), then the updates no pass
 * recorded: looked up when the row and DescribeNodegroup disagree (decision 0094), and the one in
 * flight on an UPDATING node group the row does not know.
 */
async function observeUpdates(
  target: ObserveTarget,
  previous: StatusRow | undefined,
  nodegroup: ObservedNodegroup | undefined,
  ports: ObservePorts,
): Promise<ObservedUpdates> {
  const recorded = previous?.update;
  let update: UpdateRecord | undefined = recorded;
  if (nodegroup && recorded?.status === UpdateStatus.InProgress) {
    const fresh = await ports.nodegroups.describeUpdate(
      target.clusterName,
      target.nodegroupName,
      recorded.id,
    );
    update = fresh ? withRecordedMetadata(fresh, recorded) : lostUpdate(recorded, nodegroup.status);
  }
  let endedUpdate: UpdateRecord | undefined;
  // The row and DescribeNodegroup disagree: a pass may have died after starting updates (0094).
  const foundUpdates =
    nodegroup && unrecordedLookupReason(nodegroup, previous)
      ? await ports.nodegroups.listUnrecordedUpdates(target.clusterName, target.nodegroupName, {
          knownIds: knownUpdateIds(previous),
          ...(previous ? { createdAfter: previous.updatedAt } : {}),
        })
      : [];
  const newestFound = foundUpdates.at(-1);
  if (newestFound) {
    // The newest is the node group's current update; the one the row recorded has ended.
    if (update && update.id !== newestFound.id) endedUpdate = update;
    update = asFoundRollback(newestFound, endedUpdate, previous);
  }
  if (nodegroup?.status === NodegroupStatus.Updating && update?.status !== UpdateStatus.InProgress) {
    // In flight but unknown to the status row: a pass that died after starting it, or someone else.
    const found = await ports.nodegroups.findInProgressUpdate(target.clusterName, target.nodegroupName);
    if (found) {
      // The recorded update it replaces has ended: its outcome must still be recorded.
      if (update && update.id !== found.id) endedUpdate = update;
      update = asFoundRollback(found, endedUpdate, previous);
      // Started by a pass that never recorded it: its start line too (0094).
      if (!knownUpdateIds(previous).includes(found.id) && !foundUpdates.some((u) => u.id === found.id))
        foundUpdates.push(found);
    }
  }
  return {
    ...(update ? { update } : {}),
    ...(endedUpdate ? { endedUpdate } : {}),
    foundUpdates,
  };
}

export async function observe(
  target: ObserveTarget,
  previous: StatusRow | undefined,
  ports: ObservePorts,
): Promise<Observed> {
  const nodegroup = await ports.nodegroups.describe(target.clusterName, target.nodegroupName);
  const { update, endedUpdate, foundUpdates } = await observeUpdates(target, previous, nodegroup, ports);
  // A found roll to a version the row does not list: a dead pass made that version too, so the
  // row's template is not what EC2 would say (0094).
  const fromRow = launchTemplateFromRow(target, previous, nodegroup, update);
  const rowKnowsFound = foundUpdates.every(
    (u) =>
      u.launchTemplateVersion === undefined ||
      (fromRow?.versions ?? []).some((version) => version.number === u.launchTemplateVersion),
  );
  const launchTemplate =
    (rowKnowsFound ? fromRow : undefined) ??
    (await ports.launchTemplates.describe(target.launchTemplateName));
  const nodeRoleArn =
    !nodegroup && target.nodeRoleName ? await ports.nodeRoles.arn(target.nodeRoleName) : undefined;
  const readsFleet = fleetReadReason({
    nodegroup,
    update,
    verification: previous?.verification,
    ...(target.autoscalerTagsStale ? { autoscalerTagsStale: true } : {}),
    ...(target.instancesDriftCheck ? { driftCheck: true } : {}),
  });
  const autoscalerGroup =
    nodegroup && readsFleet === FleetReadReason.AutoscalerTagsDue && !target.driftCheck
      ? recordedAutoscalerGroup(nodegroup, previous)
      : undefined;
  const listed = nodegroup && readsFleet && !autoscalerGroup ? await readFleet(nodegroup, ports) : undefined;
  // Counted as the roll's progress only when read during it (lib/plan/roll-progress.ts).
  const fleet =
    listed && update && readsFleet === FleetReadReason.RollInProgress
      ? { ...listed, duringUpdateId: update.id }
      : listed;
  const found: ObservedFound = {
    ...foundResources(previous, launchTemplate, nodegroup, target.dataHash),
    ...(foundUpdates.length > 0
      ? { updates: foundUpdates.map((u) => (u.id === update?.id ? update : u)) }
      : {}),
  };
  return {
    ...(Object.keys(found).length > 0 ? { found } : {}),
    ...(launchTemplate ? { launchTemplate } : {}),
    ...(nodegroup ? { nodegroup } : {}),
    ...(update ? { update } : {}),
    ...(endedUpdate ? { endedUpdate } : {}),
    ...(nodeRoleArn ? { nodeRoleArn } : {}),
    ...(fleet ? { fleet } : {}),
    ...(autoscalerGroup ? { autoscalerGroup } : {}),
    previous: previousBookkeeping(previous),
  };
}

/**
 * What a pool whose spec is gone still has in AWS. Its names come from the status row, or, when
 * the row is gone too, from the ownership tags on its launch template.
 */
export async function observeForDeletion(
  poolId: string,
  previous: StatusRow | undefined,
  ports: ObservePorts,
  deploymentId?: string,
): Promise<{ observed: Observed; clusterName?: string; nodegroupName?: string }> {
  let clusterName = previous?.clusterName;
  let nodegroupName = previous?.nodegroupName;
  let launchTemplate: ObservedLaunchTemplate | undefined;
  if (clusterName) {
    launchTemplate = await ports.launchTemplates.describe(
      previous?.launchTemplate?.name ?? launchTemplateName(clusterName, poolId),
    );
  } else {
    launchTemplate = await ports.launchTemplates.findByPool(poolId, deploymentId);
    clusterName = launchTemplate?.tags[OwnershipTagKey.Cluster];
    nodegroupName = launchTemplate?.tags[OwnershipTagKey.Nodegroup];
  }
  const nodegroup =
    clusterName && nodegroupName ? await ports.nodegroups.describe(clusterName, nodegroupName) : undefined;
  return {
    observed: {
      ...(launchTemplate ? { launchTemplate } : {}),
      ...(nodegroup ? { nodegroup } : {}),
      previous: previousBookkeeping(previous),
    },
    ...(clusterName ? { clusterName } : {}),
    ...(nodegroupName ? { nodegroupName } : {}),
  };
}
