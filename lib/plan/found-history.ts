import type { StatusRow, UpdateRecord } from '../status/status-row';
import { UpdateStatus, UpdateType } from './eks-status';
import type { PlanBuilder } from './plan-builder';
import type { Observed, ObservedFound, ObservedLaunchTemplate, ObservedNodegroup } from './plan-types';

/**
 * History a dead pass never wrote (decision 0094). A pass that dies after changing AWS and before
 * its status write leaves AWS ahead of the status row; by the time a fresh pass comes (the dead
 * holder's lease, 45 s) the roll or config update it started may have ended, so AWS matches the
 * spec and nothing in the plan would say how it got there. What the row does not know is found
 * here, recorded once under the same event names as the actions' own lines, before planning.
 */

/** Why observe looks up the node group's updates (ListUpdates): conditions as data, first match wins. */
export const UnrecordedLookupReason = {
  /** EKS has the node group; the status row records none: the pass that created it died. */
  NodegroupUnrecorded: 'NodegroupUnrecorded',
  /** The node group runs another launch template version than recorded, and no recorded roll to it was in flight. */
  VersionUnexplained: 'VersionUnexplained',
  /** Its scaling differs from the recorded one, and no recorded config update was in flight. */
  ScalingUnexplained: 'ScalingUnexplained',
  /** EKS modified it since the recorded `modifiedAt`, and no recorded update was in flight (labels, taints, ...). */
  ModifiedUnexplained: 'ModifiedUnexplained',
} as const;
export type UnrecordedLookupReason = (typeof UnrecordedLookupReason)[keyof typeof UnrecordedLookupReason];

type Recorded = NonNullable<StatusRow['nodegroup']>;
interface LookupInput {
  nodegroup: ObservedNodegroup;
  recorded: Recorded | undefined;
  /** The update the row recorded as in flight when it was written (it explains a change of its kind). */
  inFlight: UpdateRecord | undefined;
}

const differs = <T>(recorded: T | undefined, now: T | undefined) =>
  recorded !== undefined && now !== undefined && recorded !== now;

const LOOKUP_RULES: ReadonlyArray<{
  reason: UnrecordedLookupReason;
  holds: (input: LookupInput) => boolean;
}> = [
  { reason: UnrecordedLookupReason.NodegroupUnrecorded, holds: ({ recorded }) => recorded === undefined },
  {
    reason: UnrecordedLookupReason.VersionUnexplained,
    holds: ({ nodegroup, recorded, inFlight }) => {
      const now = nodegroup.launchTemplate?.version;
      const explained = inFlight?.type === UpdateType.VersionUpdate && inFlight.launchTemplateVersion === now;
      return differs(recorded?.launchTemplateVersion, now) && !explained;
    },
  },
  {
    reason: UnrecordedLookupReason.ScalingUnexplained,
    holds: ({ nodegroup, recorded, inFlight }) => {
      const now = nodegroup.scaling;
      const moved =
        differs(recorded?.desiredSize, now?.desiredSize) ||
        differs(recorded?.minSize, now?.minSize) ||
        differs(recorded?.maxSize, now?.maxSize);
      return moved && inFlight?.type !== UpdateType.ConfigUpdate;
    },
  },
  {
    reason: UnrecordedLookupReason.ModifiedUnexplained,
    holds: ({ nodegroup, recorded, inFlight }) =>
      differs(recorded?.modifiedAt, nodegroup.modifiedAt) && inFlight === undefined,
  },
];

/**
 * Whether the node group may have had updates the status row does not know, and why. Only a
 * disagreement between the row and DescribeNodegroup (already read) triggers the lookup, so a
 * pass whose row matches AWS (the no-op pass, a changed spec) makes no extra call.
 */
export function unrecordedLookupReason(
  nodegroup: ObservedNodegroup | undefined,
  row: StatusRow | undefined,
): UnrecordedLookupReason | undefined {
  if (!nodegroup) return undefined;
  const inFlight = row?.update?.status === UpdateStatus.InProgress ? row.update : undefined;
  const input: LookupInput = { nodegroup, recorded: row?.nodegroup, inFlight };
  return LOOKUP_RULES.find((rule) => rule.holds(input))?.reason;
}

/**
 * The template, versions and node group AWS has that the status row does not record. A version
 * counts only when it is newer than the row's latest and carries the spec's data: a dead pass made
 * it for this spec (a version with other data added by hand is the drift check's to report).
 */
export function foundResources(
  row: StatusRow | undefined,
  launchTemplate: ObservedLaunchTemplate | undefined,
  nodegroup: ObservedNodegroup | undefined,
  dataHash: string | undefined,
): Omit<ObservedFound, 'updates'> {
  const recorded = row?.launchTemplate;
  const newTemplate = launchTemplate && recorded?.id !== launchTemplate.id;
  const latest = recorded?.latestVersion ?? Number.POSITIVE_INFINITY;
  const versions =
    launchTemplate && !newTemplate && dataHash !== undefined
      ? launchTemplate.versions
          .filter((v) => v.number > latest && v.dataHash === dataHash)
          .map((v) => v.number)
      : [];
  const firstVersion = launchTemplate?.versions[0]?.number ?? launchTemplate?.latestVersion;
  return {
    ...(newTemplate
      ? { launchTemplate: { id: launchTemplate.id, name: launchTemplate.name, version: firstVersion ?? 1 } }
      : {}),
    ...(versions.length > 0 ? { versions } : {}),
    ...(nodegroup && !row?.nodegroup
      ? {
          nodegroup: {
            name: nodegroup.name,
            ...(nodegroup.launchTemplate?.version !== undefined
              ? { version: nodegroup.launchTemplate.version }
              : {}),
          },
        }
      : {}),
  };
}

const FOUND = 'found; no pass recorded it';

/** History lines for the template, versions and node group a dead pass made. */
export function recordFoundResources(observed: Observed, builder: PlanBuilder): void {
  const found = observed.found;
  if (!found) return;
  const { launchTemplate, nodegroup } = found;
  if (launchTemplate) {
    builder.record.events.push({
      event: 'LaunchTemplateCreated',
      message: `created launch template ${launchTemplate.name} (${launchTemplate.id}) (${FOUND})`,
      launchTemplateVersion: launchTemplate.version,
    });
  }
  for (const version of found.versions ?? []) {
    builder.record.events.push({
      event: 'LaunchTemplateVersionCreated',
      message: `created launch template version ${version} (${FOUND})`,
      launchTemplateVersion: version,
    });
  }
  if (nodegroup) {
    builder.record.events.push({
      event: 'NodegroupCreated',
      message: `created node group ${nodegroup.name} on launch template version ${nodegroup.version ?? '?'} (${FOUND})`,
      ...(nodegroup.version !== undefined ? { launchTemplateVersion: nodegroup.version } : {}),
    });
  }
}

/** The start line of an update a dead pass started (its outcome is recorded as any update's). */
export function recordFoundStart(update: UpdateRecord, builder: PlanBuilder): void {
  const version = update.launchTemplateVersion;
  if (update.type === UpdateType.VersionUpdate) {
    const rollback = update.purpose === 'rollback';
    builder.record.events.push({
      event: rollback ? 'RollbackStarted' : 'RollStarted',
      message: `update ${update.id} ${rollback ? 'rolls the node group back' : 'rolls the node group'} to launch template version ${version ?? '?'} (${FOUND})`,
      updateId: update.id,
      ...(version !== undefined ? { launchTemplateVersion: version } : {}),
    });
    return;
  }
  builder.record.events.push({
    event: 'ConfigUpdateStarted',
    message: `update ${update.id} changes the node group config (${FOUND})`,
    updateId: update.id,
  });
}
