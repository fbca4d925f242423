import type { HistoryEntry, UpdateRecord } from '../status/status-row';
import { NodegroupStatus, UpdateStatus, UpdateType } from './eks-status';
import type {
  NodegroupConfigChanges,
  Observed,
  ObservedLaunchTemplate,
  ObservedLaunchTemplateVersion,
  ObservedNodegroup,
} from './plan-types';

/**
 * What an executed action reports back, as plain data, and how that changes the observed state.
 * Folding results into `observed` (instead of reading AWS again) lets reconcile() plan the next
 * step in the same pass at no extra read cost: the template's new version number feeds the roll.
 */
export type ActionResult =
  | { kind: 'LaunchTemplateCreated'; launchTemplate: ObservedLaunchTemplate }
  | { kind: 'LaunchTemplateVersionCreated'; launchTemplateId: string; version: ObservedLaunchTemplateVersion }
  | { kind: 'LaunchTemplateVersionsPruned'; launchTemplateId: string; deleted: number[] }
  | { kind: 'NodegroupCreated'; nodegroup: ObservedNodegroup }
  | { kind: 'NodegroupUpdateStarted'; update: UpdateRecord; changes?: NodegroupConfigChanges }
  | { kind: 'NodegroupBusy'; message: string }
  | { kind: 'NodegroupTagged'; tags: Record<string, string> }
  | { kind: 'AutoScalingGroupTagged'; put: Record<string, string>; remove: string[] }
  | { kind: 'NodegroupDeleteStarted'; nodegroupName: string }
  | { kind: 'LaunchTemplateDeleted'; launchTemplateId: string; name: string };

function applyConfigChanges(ng: ObservedNodegroup, changes: NodegroupConfigChanges): ObservedNodegroup {
  const labels = { ...ng.labels };
  if (changes.labels) {
    for (const key of changes.labels.remove) delete labels[key];
    Object.assign(labels, changes.labels.addOrUpdate);
  }
  let taints = ng.taints;
  if (changes.taints) {
    const gone = new Set(
      [...changes.taints.remove, ...changes.taints.addOrUpdate].map((t) => `${t.key}\u0000${t.effect}`),
    );
    taints = [...taints.filter((t) => !gone.has(`${t.key}\u0000${t.effect}`)), ...changes.taints.addOrUpdate];
  }
  return {
    ...ng,
    labels,
    taints,
    ...(changes.scaling ? { scaling: { ...changes.scaling } } : {}),
    ...(changes.updateConfig ? { updateConfig: { ...ng.updateConfig, ...changes.updateConfig } } : {}),
  };
}

/**
 * The answer to an update request was an update that has already ended: EKS (or the sandbox)
 * replayed the update a reused token started, or the executor found the one a lost pass started
 * (ListUpdates). It is not one that just started: it becomes the observed update with the status
 * row's view left as it was, so the next plan step records its outcome (a failed roll is then
 * not sent again; a successful one leaves the node group on its version).
 */
function withFinishedUpdate(
  observed: Observed,
  result: Extract<ActionResult, { kind: 'NodegroupUpdateStarted' }>,
): Observed {
  const { update } = result;
  const ng = observed.nodegroup;
  let next = ng;
  if (ng && update.status === UpdateStatus.Successful) {
    if (result.changes) next = applyConfigChanges(ng, result.changes);
    if (update.type === UpdateType.VersionUpdate && update.launchTemplateVersion !== undefined) {
      next = { ...ng, launchTemplate: { ...ng.launchTemplate, version: update.launchTemplateVersion } };
    }
  }
  return { ...observed, ...(next ? { nodegroup: next } : {}), update };
}

/** The observed state after the action. Pure. */
export function applyActionResult(observed: Observed, result: ActionResult): Observed {
  switch (result.kind) {
    case 'LaunchTemplateCreated':
      return { ...observed, launchTemplate: result.launchTemplate };
    case 'LaunchTemplateVersionCreated': {
      const lt = observed.launchTemplate;
      if (!lt || lt.id !== result.launchTemplateId) return observed;
      return {
        ...observed,
        launchTemplate: {
          ...lt,
          latestVersion: Math.max(lt.latestVersion, result.version.number),
          versions: [...lt.versions.filter((v) => v.number !== result.version.number), result.version].sort(
            (a, b) => a.number - b.number,
          ),
        },
      };
    }
    case 'LaunchTemplateVersionsPruned': {
      const lt = observed.launchTemplate;
      if (!lt || lt.id !== result.launchTemplateId) return observed;
      const deleted = new Set(result.deleted);
      return {
        ...observed,
        launchTemplate: { ...lt, versions: lt.versions.filter((v) => !deleted.has(v.number)) },
      };
    }
    case 'NodegroupCreated':
      return { ...observed, nodegroup: result.nodegroup };
    case 'NodegroupUpdateStarted': {
      if (result.update.status !== UpdateStatus.InProgress) return withFinishedUpdate(observed, result);
      const ng = observed.nodegroup;
      let next = ng;
      if (ng && result.changes) next = applyConfigChanges(ng, result.changes);
      // The node group keeps reporting its old version until the roll succeeds.
      if (next) next = { ...next, status: NodegroupStatus.Updating };
      return {
        ...observed,
        ...(next ? { nodegroup: next } : {}),
        update: result.update,
        // This pass started the update: its outcome is news for a later pass, not this one.
        previous: { ...observed.previous, update: result.update },
      };
    }
    case 'NodegroupBusy':
      return { ...observed, nodegroupBusy: true };
    case 'AutoScalingGroupTagged': {
      const retag = (tags: Record<string, string>) => {
        const next = { ...tags, ...result.put };
        for (const key of result.remove) delete next[key];
        return next;
      };
      const { fleet, autoscalerGroup } = observed;
      if (fleet) {
        const autoScalingGroup = { ...fleet.autoScalingGroup, tags: retag(fleet.autoScalingGroup.tags) };
        return { ...observed, fleet: { ...fleet, autoScalingGroup } };
      }
      return autoscalerGroup
        ? { ...observed, autoscalerGroup: { ...autoscalerGroup, tags: retag(autoscalerGroup.tags) } }
        : observed;
    }
    case 'NodegroupTagged': {
      const ng = observed.nodegroup;
      return ng ? { ...observed, nodegroup: { ...ng, tags: { ...ng.tags, ...result.tags } } } : observed;
    }
    case 'NodegroupDeleteStarted': {
      const ng = observed.nodegroup;
      return ng ? { ...observed, nodegroup: { ...ng, status: NodegroupStatus.Deleting } } : observed;
    }
    case 'LaunchTemplateDeleted': {
      const { launchTemplate: _gone, ...rest } = observed;
      return rest;
    }
  }
}

/** The history line an action result leaves in the status row (the clock is added later). */
export function historyEventFor(result: ActionResult): Omit<HistoryEntry, 'at'> | undefined {
  switch (result.kind) {
    case 'LaunchTemplateCreated':
      return {
        event: 'LaunchTemplateCreated',
        message: `created launch template ${result.launchTemplate.name} (${result.launchTemplate.id})`,
        launchTemplateVersion: result.launchTemplate.latestVersion,
      };
    case 'LaunchTemplateVersionCreated':
      return {
        event: 'LaunchTemplateVersionCreated',
        message: `created launch template version ${result.version.number}`,
        launchTemplateVersion: result.version.number,
      };
    case 'LaunchTemplateVersionsPruned':
      return result.deleted.length > 0
        ? {
            event: 'LaunchTemplateVersionsPruned',
            message: `deleted old versions ${result.deleted.join(', ')}`,
          }
        : undefined;
    case 'NodegroupCreated':
      return {
        event: 'NodegroupCreated',
        message: `created node group ${result.nodegroup.name} on launch template version ${result.nodegroup.launchTemplate?.version ?? '?'}`,
        ...(result.nodegroup.launchTemplate?.version !== undefined
          ? { launchTemplateVersion: result.nodegroup.launchTemplate.version }
          : {}),
      };
    case 'NodegroupUpdateStarted':
      // A finished update is not news of a start: its outcome is recorded by the next plan step.
      if (result.update.status !== UpdateStatus.InProgress) return undefined;
      return result.update.type === UpdateType.VersionUpdate
        ? {
            event: result.update.purpose === 'rollback' ? 'RollbackStarted' : 'RollStarted',
            message: `update ${result.update.id} ${result.update.purpose === 'rollback' ? 'rolls the node group back' : 'rolls the node group'} to launch template version ${result.update.launchTemplateVersion ?? '?'}`,
            updateId: result.update.id,
            ...(result.update.launchTemplateVersion !== undefined
              ? { launchTemplateVersion: result.update.launchTemplateVersion }
              : {}),
          }
        : {
            event: 'ConfigUpdateStarted',
            message: `update ${result.update.id} changes ${Object.keys(result.changes ?? {}).join(', ') || 'the node group config'}`,
            updateId: result.update.id,
          };
    case 'NodegroupBusy':
      return undefined;
    case 'AutoScalingGroupTagged':
      return {
        event: 'AutoscalerTagsUpdated',
        message: `Cluster Autoscaler tags on the Auto Scaling group: set ${Object.keys(result.put).join(', ') || 'none'}; removed ${result.remove.join(', ') || 'none'}`,
      };
    case 'NodegroupTagged':
      return {
        event: 'NodegroupTagged',
        message: `tagged the node group with ${Object.keys(result.tags).join(', ')}`,
      };
    case 'NodegroupDeleteStarted':
      return { event: 'NodegroupDeleteStarted', message: `deleting node group ${result.nodegroupName}` };
    case 'LaunchTemplateDeleted':
      return {
        event: 'LaunchTemplateDeleted',
        message: `deleted launch template ${result.name} (${result.launchTemplateId})`,
      };
  }
}
