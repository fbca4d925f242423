import {
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type Nodegroup,
  paginateListUpdates,
  type Taint as SdkTaint,
  TagResourceCommand,
  type Update,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { UpdateStatus, UpdateType } from '../plan/eks-status';
import type { Action, NodegroupConfigChanges, ObservedNodegroup, ScalingConfig } from '../plan/plan-types';
import type { Taint, UpdateConfig } from '../pool-spec';
import type { UpdateRecord } from '../status/status-row';
import type { AwsClients } from './client-factory';
import { awsErrorName, responseMissing, translateAwsError } from './translate-error';

/**
 * EKS managed node groups and their updates, as plain data. A node group or update that does not
 * exist is `undefined`. EKS's "another update is in flight" (ResourceInUseException) is an
 * expected state, returned as `{ busy }`, never thrown.
 */

export type UpdateStart = { started: UpdateRecord } | { busy: string };

function isNotFound(error: unknown): boolean {
  return awsErrorName(error) === 'ResourceNotFoundException';
}

function isInUse(error: unknown): boolean {
  return awsErrorName(error) === 'ResourceInUseException';
}

function toTaint(t: SdkTaint): Taint {
  return {
    key: t.key ?? '',
    ...(t.value ? { value: t.value } : {}),
    effect: (t.effect ?? 'NO_SCHEDULE') as Taint['effect'],
  };
}

function toSdkTaint(t: Taint): SdkTaint {
  return { key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect };
}

function parseVersion(version: string | undefined): number | undefined {
  if (version === undefined || !/^\d+$/.test(version)) return undefined;
  return Number(version);
}

function toObservedNodegroup(ng: Nodegroup): ObservedNodegroup {
  const scaling: Partial<ScalingConfig> = {};
  if (ng.scalingConfig?.minSize !== undefined) scaling.minSize = ng.scalingConfig.minSize;
  if (ng.scalingConfig?.maxSize !== undefined) scaling.maxSize = ng.scalingConfig.maxSize;
  if (ng.scalingConfig?.desiredSize !== undefined) scaling.desiredSize = ng.scalingConfig.desiredSize;
  const updateConfig: UpdateConfig = {};
  if (ng.updateConfig?.maxUnavailable !== undefined)
    updateConfig.maxUnavailable = ng.updateConfig.maxUnavailable;
  if (ng.updateConfig?.maxUnavailablePercentage !== undefined) {
    updateConfig.maxUnavailablePercentage = ng.updateConfig.maxUnavailablePercentage;
  }
  if (ng.updateConfig?.updateStrategy) updateConfig.updateStrategy = ng.updateConfig.updateStrategy;
  const version = parseVersion(ng.launchTemplate?.version);
  return {
    name: ng.nodegroupName ?? '',
    ...(ng.nodegroupArn ? { arn: ng.nodegroupArn } : {}),
    status: ng.status ?? 'UNKNOWN',
    tags: { ...(ng.tags ?? {}) },
    ...(ng.launchTemplate
      ? {
          launchTemplate: {
            ...(ng.launchTemplate.id ? { id: ng.launchTemplate.id } : {}),
            ...(ng.launchTemplate.name ? { name: ng.launchTemplate.name } : {}),
            ...(version !== undefined ? { version } : {}),
          },
        }
      : {}),
    labels: { ...(ng.labels ?? {}) },
    taints: (ng.taints ?? []).map(toTaint),
    scaling,
    updateConfig,
    ...(ng.capacityType ? { capacityType: ng.capacityType } : {}),
    subnets: [...(ng.subnets ?? [])],
    ...(ng.nodeRole ? { nodeRoleArn: ng.nodeRole } : {}),
    ...(ng.amiType ? { amiType: ng.amiType } : {}),
    autoScalingGroups: (ng.resources?.autoScalingGroups ?? [])
      .map((group) => group.name)
      .filter((name): name is string => Boolean(name)),
    healthIssues: (ng.health?.issues ?? []).map((issue) => ({
      code: issue.code ?? 'Unknown',
      message: issue.message ?? '',
    })),
    ...(ng.modifiedAt ? { modifiedAt: ng.modifiedAt.toISOString() } : {}),
  };
}

function toUpdateRecord(update: Update): UpdateRecord {
  const version = parseVersion(update.params?.find((p) => p.type === 'LaunchTemplateVersion')?.value);
  return {
    id: update.id ?? '',
    type: update.type ?? 'Unknown',
    status: update.status ?? 'Unknown',
    ...(update.createdAt ? { createdAt: update.createdAt.toISOString() } : {}),
    ...(version !== undefined ? { launchTemplateVersion: version } : {}),
    errors: (update.errors ?? []).map((e) => ({
      code: e.errorCode ?? 'Unknown',
      message: e.errorMessage ?? '',
      ...(e.resourceIds && e.resourceIds.length > 0 ? { resourceIds: e.resourceIds } : {}),
    })),
  };
}

/** What CreateNodegroup needs: the planner's action, without its tag. */
export type CreateNodegroupInput = Omit<Extract<Action, { kind: 'CreateNodegroup' }>, 'kind'>;

function updateConfigPayload(config: UpdateConfig) {
  return {
    ...(config.maxUnavailable !== undefined ? { maxUnavailable: config.maxUnavailable } : {}),
    ...(config.maxUnavailablePercentage !== undefined
      ? { maxUnavailablePercentage: config.maxUnavailablePercentage }
      : {}),
    ...(config.updateStrategy ? { updateStrategy: config.updateStrategy } : {}),
  };
}

export class Nodegroups {
  constructor(private readonly clients: Pick<AwsClients, 'eks'>) {}

  async describe(clusterName: string, nodegroupName: string): Promise<ObservedNodegroup | undefined> {
    try {
      const out = await this.clients.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
      return out.nodegroup ? toObservedNodegroup(out.nodegroup) : undefined;
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw translateAwsError(error, { resourceId: `${clusterName}/${nodegroupName}` });
    }
  }

  /**
   * Always a numeric launch template version (never $Latest: the node group must say exactly
   * which data its nodes run), and no amiType because the template names the image.
   */
  async create(input: CreateNodegroupInput): Promise<ObservedNodegroup> {
    try {
      const out = await this.clients.eks.send(
        new CreateNodegroupCommand({
          clusterName: input.clusterName,
          nodegroupName: input.nodegroupName,
          launchTemplate: { id: input.launchTemplateId, version: String(input.launchTemplateVersion) },
          nodeRole: input.nodeRoleArn,
          subnets: input.subnets,
          labels: input.labels,
          ...(input.taints.length > 0 ? { taints: input.taints.map(toSdkTaint) } : {}),
          scalingConfig: input.scaling,
          ...(Object.keys(updateConfigPayload(input.updateConfig)).length > 0
            ? { updateConfig: updateConfigPayload(input.updateConfig) }
            : {}),
          capacityType: input.capacityType,
          // No amiType: the template names the image, and the API reference says to leave it out
          // then (EKS reports the node group as CUSTOM, which is what the plan compares with).
          tags: input.tags,
          clientRequestToken: input.clientRequestToken,
        }),
      );
      if (!out.nodegroup)
        throw responseMissing('CreateNodegroup', `${input.clusterName}/${input.nodegroupName}`, 'nodegroup');
      return toObservedNodegroup(out.nodegroup);
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: `${input.clusterName}/${input.nodegroupName}` });
    }
  }

  async updateVersion(input: {
    clusterName: string;
    nodegroupName: string;
    launchTemplateId: string;
    launchTemplateVersion: number;
    force: boolean;
    clientRequestToken: string;
  }): Promise<UpdateStart> {
    try {
      const out = await this.clients.eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName: input.clusterName,
          nodegroupName: input.nodegroupName,
          // The same template id the node group was created with; only the version moves.
          launchTemplate: { id: input.launchTemplateId, version: String(input.launchTemplateVersion) },
          ...(input.force ? { force: true } : {}),
          clientRequestToken: input.clientRequestToken,
        }),
      );
      if (!out.update)
        throw responseMissing(
          'UpdateNodegroupVersion',
          `${input.clusterName}/${input.nodegroupName}`,
          'update',
        );
      const started = toUpdateRecord(out.update);
      return {
        started: {
          ...started,
          launchTemplateVersion: started.launchTemplateVersion ?? input.launchTemplateVersion,
        },
      };
    } catch (error: unknown) {
      if (isInUse(error)) return { busy: errorText(error) };
      throw translateAwsError(error, { resourceId: `${input.clusterName}/${input.nodegroupName}` });
    }
  }

  async updateConfig(input: {
    clusterName: string;
    nodegroupName: string;
    changes: NodegroupConfigChanges;
    clientRequestToken: string;
  }): Promise<UpdateStart> {
    const { labels, taints, scaling, updateConfig } = input.changes;
    try {
      const out = await this.clients.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: input.clusterName,
          nodegroupName: input.nodegroupName,
          ...(labels
            ? {
                labels: {
                  ...(Object.keys(labels.addOrUpdate).length > 0
                    ? { addOrUpdateLabels: labels.addOrUpdate }
                    : {}),
                  ...(labels.remove.length > 0 ? { removeLabels: labels.remove } : {}),
                },
              }
            : {}),
          ...(taints
            ? {
                taints: {
                  ...(taints.addOrUpdate.length > 0
                    ? { addOrUpdateTaints: taints.addOrUpdate.map(toSdkTaint) }
                    : {}),
                  ...(taints.remove.length > 0 ? { removeTaints: taints.remove.map(toSdkTaint) } : {}),
                },
              }
            : {}),
          ...(scaling ? { scalingConfig: scaling } : {}),
          ...(updateConfig ? { updateConfig: updateConfigPayload(updateConfig) } : {}),
          clientRequestToken: input.clientRequestToken,
        }),
      );
      if (!out.update)
        throw responseMissing(
          'UpdateNodegroupConfig',
          `${input.clusterName}/${input.nodegroupName}`,
          'update',
        );
      return { started: toUpdateRecord(out.update) };
    } catch (error: unknown) {
      if (isInUse(error)) return { busy: errorText(error) };
      throw translateAwsError(error, { resourceId: `${input.clusterName}/${input.nodegroupName}` });
    }
  }

  async describeUpdate(
    clusterName: string,
    nodegroupName: string,
    updateId: string,
  ): Promise<UpdateRecord | undefined> {
    try {
      const out = await this.clients.eks.send(
        new DescribeUpdateCommand({ name: clusterName, nodegroupName, updateId }),
      );
      return out.update ? toUpdateRecord(out.update) : undefined;
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw translateAwsError(error, { resourceId: `${clusterName}/${nodegroupName}/${updateId}` });
    }
  }

  /**
   * The update in flight on a node group, found through ListUpdates when the status row does not
   * know it (a pass that crashed after starting it, or an update someone else started).
   * ListUpdates is paginated and documents no order, so every page is read and, should more than
   * one update be InProgress, the newest by createdAt wins.
   */
  async findInProgressUpdate(clusterName: string, nodegroupName: string): Promise<UpdateRecord | undefined> {
    return this.newestUpdate(
      clusterName,
      nodegroupName,
      new Set(),
      (u) => u.status === UpdateStatus.InProgress,
    );
  }

  /**
   * The newest update of this type (and launch template version, for a roll) that is not among
   * `knownIds` and was created after `createdAfter`: one that a pass started and never recorded,
   * because it crashed or lost its status write before it could. Only unknown ids are described.
   */
  async findUnrecordedUpdate(
    clusterName: string,
    nodegroupName: string,
    query: { type: string; launchTemplateVersion?: number; knownIds: string[]; createdAfter: string },
  ): Promise<UpdateRecord | undefined> {
    return this.newestUpdate(
      clusterName,
      nodegroupName,
      new Set(query.knownIds),
      (u) =>
        u.type === query.type &&
        (query.launchTemplateVersion === undefined ||
          u.launchTemplateVersion === query.launchTemplateVersion) &&
        u.createdAt !== undefined &&
        Date.parse(u.createdAt) > Date.parse(query.createdAfter),
    );
  }

  /**
   * The updates a dead pass started (decision 0094): of the two types this system starts, not
   * among `knownIds`, created after `createdAfter`; oldest first. Only unknown ids are described.
   */
  async listUnrecordedUpdates(
    clusterName: string,
    nodegroupName: string,
    query: { knownIds: string[]; createdAfter?: string },
  ): Promise<UpdateRecord[]> {
    const after = query.createdAfter === undefined ? undefined : Date.parse(query.createdAfter);
    const found = await this.matchingUpdates(
      clusterName,
      nodegroupName,
      new Set(query.knownIds),
      (u) =>
        (u.type === UpdateType.VersionUpdate || u.type === UpdateType.ConfigUpdate) &&
        (after === undefined || (u.createdAt !== undefined && Date.parse(u.createdAt) > after)),
    );
    return found.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  }

  /** ListUpdates documents no order: every page is read, and the newest match by createdAt wins. */
  private async newestUpdate(
    clusterName: string,
    nodegroupName: string,
    skip: ReadonlySet<string>,
    matches: (update: UpdateRecord) => boolean,
  ): Promise<UpdateRecord | undefined> {
    let newest: UpdateRecord | undefined;
    for (const update of await this.matchingUpdates(clusterName, nodegroupName, skip, matches)) {
      if (!newest || (update.createdAt ?? '') > (newest.createdAt ?? '')) newest = update;
    }
    return newest;
  }

  /** Every page of ListUpdates; each id not in `skip` described, the matches kept. */
  private async matchingUpdates(
    clusterName: string,
    nodegroupName: string,
    skip: ReadonlySet<string>,
    matches: (update: UpdateRecord) => boolean,
  ): Promise<UpdateRecord[]> {
    const ids: string[] = [];
    try {
      const pages = paginateListUpdates({ client: this.clients.eks }, { name: clusterName, nodegroupName });
      for await (const page of pages) ids.push(...(page.updateIds ?? []).filter((id) => !skip.has(id)));
    } catch (error: unknown) {
      if (isNotFound(error)) return [];
      throw translateAwsError(error, { resourceId: `${clusterName}/${nodegroupName}` });
    }
    const found: UpdateRecord[] = [];
    for (const id of ids) {
      const update = await this.describeUpdate(clusterName, nodegroupName, id);
      if (update && matches(update)) found.push(update);
    }
    return found;
  }

  async tag(nodegroupArn: string, tags: Record<string, string>): Promise<void> {
    try {
      await this.clients.eks.send(new TagResourceCommand({ resourceArn: nodegroupArn, tags }));
    } catch (error: unknown) {
      throw translateAwsError(error, { resourceId: nodegroupArn });
    }
  }

  /** Starts the deletion; a node group already gone is fine, one busy with an update is `busy`. */
  async delete(clusterName: string, nodegroupName: string): Promise<{ deleting: true } | { busy: string }> {
    try {
      await this.clients.eks.send(new DeleteNodegroupCommand({ clusterName, nodegroupName }));
      return { deleting: true };
    } catch (error: unknown) {
      if (isNotFound(error)) return { deleting: true };
      if (isInUse(error)) return { busy: errorText(error) };
      throw translateAwsError(error, { resourceId: `${clusterName}/${nodegroupName}` });
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
