import { idempotencyToken } from '../render/resource-names';
import {
  ConditionSeverity,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
} from '../status/conditions';
import { selectVersionsToPrune } from './launch-template-version-pruning';
import type { PlanBuilder } from './plan-builder';
import type {
  Action,
  DesiredPresent,
  Observed,
  ObservedLaunchTemplate,
  ObservedLaunchTemplateVersion,
  Plan,
} from './plan-types';

/** The launch template version the node group should run, and what else the pass does to the template. */
export interface TemplateTarget {
  launchTemplate: ObservedLaunchTemplate;
  version: ObservedLaunchTemplateVersion;
  /** The version the node group runs now (undefined while there is no node group). */
  pinned: number | undefined;
  /** Deleting old versions rides along with whatever the pass does next. */
  prune: Action[];
}

/** The pinned version when its data matches, otherwise the newest matching one. */
function matchingVersion(
  launchTemplate: ObservedLaunchTemplate,
  dataHash: string,
  pinned: number | undefined,
): ObservedLaunchTemplateVersion | undefined {
  const matching = launchTemplate.versions.filter((version) => version.dataHash === dataHash);
  return (
    matching.find((version) => version.number === pinned) ??
    [...matching].sort((left, right) => right.number - left.number)[0]
  );
}

function pruneActions(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
  launchTemplate: ObservedLaunchTemplate,
  protectedVersions: Array<number | undefined>,
): Action[] {
  const lastKnownGood = builder.record.lastKnownGoodVersion ?? observed.previous.lastKnownGoodVersion;
  const keep = new Set(
    [
      ...protectedVersions,
      lastKnownGood,
      launchTemplate.defaultVersion,
      observed.update?.launchTemplateVersion,
    ].filter((version): version is number => version !== undefined),
  );
  const versions = selectVersionsToPrune(
    launchTemplate.versions.map((version) => version.number),
    keep,
    desired.policy.maxLaunchTemplateVersions,
  );
  return versions.length > 0
    ? [{ kind: 'PruneLaunchTemplateVersions', launchTemplateId: launchTemplate.id, versions }]
    : [];
}

/**
 * The launch template and the version whose data matches the spec: creates the template, or a
 * new version, when there is none (and ends this plan: the next step needs its version number).
 */
export function planLaunchTemplateTarget(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
): { plan: Plan } | { target: TemplateTarget } {
  const wanted = desired.launchTemplate;
  const launchTemplate = observed.launchTemplate;
  if (!launchTemplate) {
    builder.set(
      falseCondition(
        ConditionType.LaunchTemplateReady,
        Reason.LaunchTemplateChanging,
        'creating the launch template',
        ConditionSeverity.Info,
      ),
    );
    builder.actions.push({
      kind: 'CreateLaunchTemplate',
      name: wanted.name,
      data: wanted.data,
      dataHash: wanted.dataHash,
      resourceTags: wanted.resourceTags,
      clientToken: idempotencyToken(
        'lt',
        desired.poolId,
        wanted.name,
        wanted.dataHash,
        desired.statusRevision,
      ),
    });
    return { plan: builder.build() };
  }
  const pinned = observed.nodegroup?.launchTemplate?.version;
  const version = matchingVersion(launchTemplate, wanted.dataHash, pinned);
  if (!version) {
    builder.set(
      falseCondition(
        ConditionType.LaunchTemplateReady,
        Reason.LaunchTemplateChanging,
        'creating a launch template version for the changed spec',
        ConditionSeverity.Info,
      ),
    );
    builder.actions.push({
      kind: 'CreateLaunchTemplateVersion',
      launchTemplateId: launchTemplate.id,
      data: wanted.data,
      dataHash: wanted.dataHash,
      // With the status revision: once the version this data made before was deleted (out of band,
      // found by the drift check), the latest number can be the one it was made under again, and
      // EC2 would answer the new request with the deleted version. A retry of a lost response (no
      // status write in between) keeps the token and gets the version it made.
      clientToken: idempotencyToken(
        'ltv',
        desired.poolId,
        launchTemplate.id,
        wanted.dataHash,
        launchTemplate.latestVersion,
        desired.statusRevision,
      ),
    });
    return { plan: builder.build() };
  }
  builder.record.targetVersion = version.number;
  builder.set(
    trueCondition(
      ConditionType.LaunchTemplateReady,
      Reason.LaunchTemplateUpToDate,
      `version ${version.number} of ${wanted.name} (${launchTemplate.id}) matches the spec`,
    ),
  );
  const prune = pruneActions(desired, observed, builder, launchTemplate, [pinned, version.number]);
  return { target: { launchTemplate, version, pinned, prune } };
}
