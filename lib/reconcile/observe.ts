import { NodegroupStatus, UpdateStatus } from '../plan/eks-status';
import type { Observed, ObservedLaunchTemplate } from '../plan/plan-types';
import { launchTemplateName, OwnershipTagKey } from '../render/resource-names';
import type { StatusRow, UpdateRecord } from '../status/status-row';
import type { ObservePorts } from './ports';

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
  };
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

export async function observe(
  target: ObserveTarget,
  previous: StatusRow | undefined,
  ports: ObservePorts,
): Promise<Observed> {
  const [launchTemplate, nodegroup] = await Promise.all([
    ports.launchTemplates.describe(target.launchTemplateName),
    ports.nodegroups.describe(target.clusterName, target.nodegroupName),
  ]);
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
  if (nodegroup?.status === NodegroupStatus.Updating && update?.status !== UpdateStatus.InProgress) {
    // In flight but unknown to the status row: a pass that died after starting it, or someone else.
    update =
      (await ports.nodegroups.findInProgressUpdate(target.clusterName, target.nodegroupName)) ?? update;
  }
  const nodeRoleArn =
    !nodegroup && target.nodeRoleName ? await ports.nodeRoles.arn(target.nodeRoleName) : undefined;
  return {
    ...(launchTemplate ? { launchTemplate } : {}),
    ...(nodegroup ? { nodegroup } : {}),
    ...(update ? { update } : {}),
    ...(nodeRoleArn ? { nodeRoleArn } : {}),
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
