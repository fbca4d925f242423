import type { ActionResult } from '../plan/action-result';
import { NodegroupStatus, UpdateType } from '../plan/eks-status';
import type { Action, ObservedNodegroup } from '../plan/plan-types';
import type { ExecutorPorts } from './ports';

/** What the status row should remember about an update this pass starts, and what it already knows. */
export interface ExecutionContext {
  specHash: string;
  generation: number;
  /** Update ids the status row knows (recorded update, failures, history). */
  knownUpdateIds?: string[];
  /**
   * A roll created after this instant and unknown to the status row was started by a pass that
   * never recorded it (crashed, or lost its status write): the spec's write time, or the status
   * row's last write when the store gives none.
   */
  unrecordedAfter?: string;
}

/**
 * The node group has had no update created after `instant` (decision 0084): it is not UPDATING, and
 * EKS last modified it no later than then. An update moves `modifiedAt` (EKS's clock, the same as
 * the `createdAt` the ListUpdates lookup compares with `instant`) when it starts or ends, never
 * before its creation; so this holds exactly when the lookup could find nothing, and the roll is
 * sent without it. A node group that reports no `modifiedAt` is looked up as before.
 */
export function untouchedSince(nodegroup: ObservedNodegroup | undefined, instant: string): boolean {
  if (nodegroup?.modifiedAt === undefined || nodegroup.status === NodegroupStatus.Updating) return false;
  return Date.parse(nodegroup.modifiedAt) <= Date.parse(instant);
}

/**
 * The roll a pass started for this very version and never recorded, found through ListUpdates.
 * Sending the roll again would start a second one wherever EKS does not replay the token; the
 * found update (finished or not) is the answer instead, and the planner reads it as it is.
 */
async function unrecordedRoll(
  action: Extract<Action, { kind: 'UpdateNodegroupVersion' }>,
  ports: ExecutorPorts,
  context: ExecutionContext,
) {
  if (!context.unrecordedAfter) return undefined;
  return ports.nodegroups.findUnrecordedUpdate(action.clusterName, action.nodegroupName, {
    type: UpdateType.VersionUpdate,
    launchTemplateVersion: action.launchTemplateVersion,
    knownIds: context.knownUpdateIds ?? [],
    createdAfter: context.unrecordedAfter,
  });
}

/** Applies one action and reports its result. Failures are EnclavePoolErrors thrown by the adapters. */
/*
 * Long on purpose: one case per Action kind, each a port call and its result, so the compiler's
 * exhaustiveness check over Action sits in one switch and an action meets its port in one place.
 */
export async function executeAction(
  action: Action,
  ports: ExecutorPorts,
  context: ExecutionContext,
): Promise<ActionResult> {
  switch (action.kind) {
    case 'CreateLaunchTemplate':
      return {
        kind: 'LaunchTemplateCreated',
        launchTemplate: await ports.launchTemplates.create({
          name: action.name,
          data: action.data,
          dataHash: action.dataHash,
          resourceTags: action.resourceTags,
          clientToken: action.clientToken,
        }),
      };
    case 'CreateLaunchTemplateVersion':
      return {
        kind: 'LaunchTemplateVersionCreated',
        launchTemplateId: action.launchTemplateId,
        version: await ports.launchTemplates.createVersion({
          launchTemplateId: action.launchTemplateId,
          data: action.data,
          dataHash: action.dataHash,
          clientToken: action.clientToken,
        }),
      };
    case 'PruneLaunchTemplateVersions':
      return {
        kind: 'LaunchTemplateVersionsPruned',
        launchTemplateId: action.launchTemplateId,
        deleted: await ports.launchTemplates.deleteVersions(action.launchTemplateId, action.versions),
      };
    case 'CreateNodegroup': {
      const { kind: _kind, ...input } = action;
      return { kind: 'NodegroupCreated', nodegroup: await ports.nodegroups.create(input) };
    }
    case 'UpdateNodegroupVersion': {
      const lost = await unrecordedRoll(action, ports, context);
      const out = lost
        ? { started: lost }
        : await ports.nodegroups.updateVersion({
            clusterName: action.clusterName,
            nodegroupName: action.nodegroupName,
            launchTemplateId: action.launchTemplateId,
            launchTemplateVersion: action.launchTemplateVersion,
            force: action.force,
            clientRequestToken: action.clientRequestToken,
          });
      if ('busy' in out) return { kind: 'NodegroupBusy', message: out.busy };
      return {
        kind: 'NodegroupUpdateStarted',
        update: {
          ...out.started,
          launchTemplateVersion: action.launchTemplateVersion,
          dataHash: action.dataHash,
          specHash: context.specHash,
          generation: context.generation,
          ...(action.purpose ? { purpose: action.purpose } : {}),
        },
      };
    }
    case 'UpdateNodegroupConfig': {
      const out = await ports.nodegroups.updateConfig({
        clusterName: action.clusterName,
        nodegroupName: action.nodegroupName,
        changes: action.changes,
        clientRequestToken: action.clientRequestToken,
      });
      if ('busy' in out) return { kind: 'NodegroupBusy', message: out.busy };
      return {
        kind: 'NodegroupUpdateStarted',
        update: { ...out.started, specHash: context.specHash, generation: context.generation },
        changes: action.changes,
      };
    }
    case 'TagAutoScalingGroup':
      await ports.autoScalingGroups.putTags(action.autoScalingGroupName, action.put);
      await ports.autoScalingGroups.deleteTags(action.autoScalingGroupName, action.remove);
      return { kind: 'AutoScalingGroupTagged', put: action.put, remove: action.remove };
    case 'TagNodegroup':
      await ports.nodegroups.tag(action.nodegroupArn, action.tags);
      return { kind: 'NodegroupTagged', tags: action.tags };
    case 'DeleteNodegroup': {
      const out = await ports.nodegroups.delete(action.clusterName, action.nodegroupName);
      if ('busy' in out) return { kind: 'NodegroupBusy', message: out.busy };
      return { kind: 'NodegroupDeleteStarted', nodegroupName: action.nodegroupName };
    }
    case 'DeleteLaunchTemplate':
      await ports.launchTemplates.delete(action.launchTemplateId);
      return { kind: 'LaunchTemplateDeleted', launchTemplateId: action.launchTemplateId, name: action.name };
  }
}
