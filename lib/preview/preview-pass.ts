import { setLogSink } from '../logger';
import type { ReconcileOutcome } from '../outcome';
import { NodegroupStatus, UpdateStatus, UpdateType } from '../plan/eks-status';
import type { NodegroupConfigChanges, ObservedLaunchTemplate } from '../plan/plan-types';
import type { StoredSpec } from '../pool-spec';
import type { LaunchTemplatesPort, NodegroupsPort } from '../reconcile/ports';
import { type ReconcileDeps, reconcile } from '../reconcile/reconcile';
import type { LaunchTemplateData } from '../render/launch-template-data';
import type { StatusRow, UpdateRecord } from '../status/status-row';

/**
 * A reconcile pass that writes nothing: the real pipeline (load, validate, observe, render, plan,
 * fold) runs against live reads, while every write port records what it would have done and
 * answers as AWS would. `plan` and `apply` show this instead of a second implementation of the
 * reconcile's decisions.
 */

/** A write the reconciler would make, in order. */
export type PreviewWrite =
  | { kind: 'CreateLaunchTemplate'; name: string; data: LaunchTemplateData; dataHash: string }
  | {
      kind: 'CreateLaunchTemplateVersion';
      launchTemplateId: string;
      version: number;
      data: LaunchTemplateData;
      dataHash: string;
    }
  | { kind: 'DeleteLaunchTemplateVersions'; launchTemplateId: string; versions: number[] }
  | { kind: 'DeleteLaunchTemplate'; launchTemplateId: string }
  | {
      kind: 'TagAutoScalingGroup';
      autoScalingGroupName: string;
      keys: string[];
      /** CreateOrUpdateTags sets the keys, DeleteTags removes them. */
      change: 'set' | 'remove';
    }
  | {
      kind: 'CreateNodegroup';
      nodegroupName: string;
      launchTemplateVersion: number;
      desiredSize: number;
      subnets: string[];
    }
  | { kind: 'UpdateNodegroupVersion'; nodegroupName: string; launchTemplateVersion: number; force: boolean }
  | { kind: 'UpdateNodegroupConfig'; nodegroupName: string; changes: NodegroupConfigChanges }
  | { kind: 'TagNodegroup'; tags: Record<string, string> }
  | { kind: 'DeleteNodegroup'; nodegroupName: string };

export interface PreviewPass {
  outcome: ReconcileOutcome;
  writes: PreviewWrite[];
  /** The status row before (as stored) and the one this pass would write. */
  previous?: StatusRow;
  next?: StatusRow;
  /** The reconciler's own log lines, for --debug. */
  logs: string[];
}

/** Stands for ids AWS would assign; never sent anywhere. */
export const PLANNED_ID = '(planned)';

function plannedUpdate(type: string, version?: number): UpdateRecord {
  return {
    id: PLANNED_ID,
    type,
    status: UpdateStatus.InProgress,
    ...(version !== undefined ? { launchTemplateVersion: version } : {}),
    errors: [],
  };
}

function dryLaunchTemplates(real: LaunchTemplatesPort, writes: PreviewWrite[]): LaunchTemplatesPort {
  const latest = new Map<string, number>();
  const remember = (lt: ObservedLaunchTemplate | undefined) => {
    if (lt) latest.set(lt.id, lt.latestVersion);
    return lt;
  };
  return {
    describe: async (name) => remember(await real.describe(name)),
    findByPool: async (poolId, deploymentId) => remember(await real.findByPool(poolId, deploymentId)),
    async create(input) {
      writes.push({
        kind: 'CreateLaunchTemplate',
        name: input.name,
        data: input.data,
        dataHash: input.dataHash,
      });
      latest.set(PLANNED_ID, 1);
      return {
        id: PLANNED_ID,
        name: input.name,
        tags: input.resourceTags,
        defaultVersion: 1,
        latestVersion: 1,
        versions: [{ number: 1, dataHash: input.dataHash, imageId: input.data.ImageId }],
      };
    },
    async createVersion(input) {
      const number = (latest.get(input.launchTemplateId) ?? 0) + 1;
      latest.set(input.launchTemplateId, number);
      writes.push({
        kind: 'CreateLaunchTemplateVersion',
        launchTemplateId: input.launchTemplateId,
        version: number,
        data: input.data,
        dataHash: input.dataHash,
      });
      return { number, dataHash: input.dataHash, imageId: input.data.ImageId };
    },
    async deleteVersions(launchTemplateId, versions) {
      writes.push({ kind: 'DeleteLaunchTemplateVersions', launchTemplateId, versions });
      return versions;
    },
    async delete(launchTemplateId) {
      writes.push({ kind: 'DeleteLaunchTemplate', launchTemplateId });
    },
  };
}

function dryNodegroups(real: NodegroupsPort, writes: PreviewWrite[]): NodegroupsPort {
  return {
    describe: (cluster, name) => real.describe(cluster, name),
    describeUpdate: (cluster, name, id) => real.describeUpdate(cluster, name, id),
    findInProgressUpdate: (cluster, name) => real.findInProgressUpdate(cluster, name),
    findUnrecordedUpdate: (cluster, name, query) => real.findUnrecordedUpdate(cluster, name, query),
    listUnrecordedUpdates: (cluster, name, query) => real.listUnrecordedUpdates(cluster, name, query),
    async create(input) {
      writes.push({
        kind: 'CreateNodegroup',
        nodegroupName: input.nodegroupName,
        launchTemplateVersion: input.launchTemplateVersion,
        desiredSize: input.scaling.desiredSize,
        subnets: input.subnets,
      });
      return {
        name: input.nodegroupName,
        status: NodegroupStatus.Creating,
        tags: input.tags,
        launchTemplate: { id: input.launchTemplateId, version: input.launchTemplateVersion },
        labels: input.labels,
        taints: input.taints,
        scaling: input.scaling,
        updateConfig: input.updateConfig,
        capacityType: input.capacityType,
        subnets: input.subnets,
        amiType: input.amiType,
        healthIssues: [],
      };
    },
    async updateVersion(input) {
      writes.push({
        kind: 'UpdateNodegroupVersion',
        nodegroupName: input.nodegroupName,
        launchTemplateVersion: input.launchTemplateVersion,
        force: input.force,
      });
      return { started: plannedUpdate(UpdateType.VersionUpdate, input.launchTemplateVersion) };
    },
    async updateConfig(input) {
      writes.push({
        kind: 'UpdateNodegroupConfig',
        nodegroupName: input.nodegroupName,
        changes: input.changes,
      });
      return { started: plannedUpdate(UpdateType.ConfigUpdate) };
    },
    async tag(_arn, tags) {
      writes.push({ kind: 'TagNodegroup', tags });
    },
    async delete(_cluster, nodegroupName) {
      writes.push({ kind: 'DeleteNodegroup', nodegroupName });
      return { deleting: true };
    },
  };
}

/**
 * What reconciling `stored` (a spec not necessarily written yet) would do to the pool now.
 * Reads go to AWS and the status table through `deps`; nothing is written.
 */
export async function runPreviewPass(
  poolId: string,
  stored: StoredSpec | undefined,
  deps: ReconcileDeps,
): Promise<PreviewPass> {
  const writes: PreviewWrite[] = [];
  const logs: string[] = [];
  let previous: StatusRow | undefined;
  let next: StatusRow | undefined;
  const { readCachedLiveFacts: _cachedFacts, ...freshDeps } = deps;
  const dryDeps: ReconcileDeps = {
    // Live facts read now, not the ones a status row keeps (a plan shows AWS as it is).
    ...freshDeps,
    specStores: [{ load: async (id) => (id === poolId ? stored : undefined) }],
    launchTemplates: dryLaunchTemplates(deps.launchTemplates, writes),
    nodegroups: dryNodegroups(deps.nodegroups, writes),
    autoScalingGroups: {
      describe: (name) => deps.autoScalingGroups.describe(name),
      putTags: async (name, tags) => {
        writes.push({
          kind: 'TagAutoScalingGroup',
          autoScalingGroupName: name,
          keys: Object.keys(tags),
          change: 'set',
        });
      },
      deleteTags: async (name, keys) => {
        if (keys.length > 0)
          writes.push({
            kind: 'TagAutoScalingGroup',
            autoScalingGroupName: name,
            keys: [...keys],
            change: 'remove',
          });
      },
    },
    statusTable: {
      get: async (id) => {
        previous = await deps.statusTable.get(id);
        return previous;
      },
      put: async (row) => {
        next = row;
        return row;
      },
    },
  };
  // The reconciler logs for operators; a preview keeps those lines for --debug instead.
  const restore = setLogSink((line) => logs.push(line));
  try {
    // A preview reads everything a pass may take from the status row (the launch template, every
    // store): what AWS holds now is the point of a plan, and a dry pass writes no row to keep.
    const outcome = await reconcile(poolId, dryDeps, { driftCheck: true });
    return { outcome, writes, ...(previous ? { previous } : {}), ...(next ? { next } : {}), logs };
  } finally {
    setLogSink(restore);
  }
}
