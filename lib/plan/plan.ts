import { canonicalHash } from '../render/canonical-json';
import { idempotencyToken, ownershipProblem } from '../render/resource-names';
import {
  type ConditionInput,
  ConditionSeverity,
  ConditionStatus,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
} from '../status/conditions';
import type { FailedUpdateRecord, UpdateRecord } from '../status/status-row';
import { selectVersionsToPrune } from './launch-template-version-pruning';
import { diffNodegroupConfig, immutableDrift, missingTags } from './nodegroup-config-diff';
import type {
  Action,
  Desired,
  DesiredAbsent,
  DesiredPresent,
  Observed,
  ObservedLaunchTemplate,
  ObservedLaunchTemplateVersion,
  ObservedNodegroup,
  Plan,
  PlanRecord,
} from './plan-types';
import { rollFailureHint } from './roll-failure-hints';

/**
 * plan(desired, observed): the next actions that move the pool toward its spec, the conditions
 * that describe where it stands, and whether to come back later. Pure: the same inputs give the
 * same plan. A plan holds only actions whose inputs are known now (creating a node group needs
 * the version number that creating the template returns), so reconcile() executes a plan, folds
 * the results into `observed` and plans again until nothing is left to do.
 */
export function plan(desired: Desired, observed: Observed): Plan {
  return desired.kind === 'present' ? planPresent(desired, observed) : planAbsent(desired, observed);
}

export const UpdateStatus = {
  InProgress: 'InProgress',
  Successful: 'Successful',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
} as const;

export const UpdateType = { VersionUpdate: 'VersionUpdate', ConfigUpdate: 'ConfigUpdate' } as const;

export const NodegroupStatus = {
  Creating: 'CREATING',
  Active: 'ACTIVE',
  Updating: 'UPDATING',
  Deleting: 'DELETING',
  CreateFailed: 'CREATE_FAILED',
  DeleteFailed: 'DELETE_FAILED',
  Degraded: 'DEGRADED',
} as const;

class PlanBuilder {
  readonly actions: Action[] = [];
  readonly conditions = new Map<string, ConditionInput>();
  readonly record: PlanRecord = { events: [] };
  requeueAfterSeconds: number | undefined;
  requeueReason: string | undefined;
  terminal: { reason: string; message: string } | undefined;

  set(condition: ConditionInput): this {
    this.conditions.set(condition.type, condition);
    return this;
  }

  requeue(seconds: number, reason: string): this {
    if (this.requeueAfterSeconds === undefined || seconds < this.requeueAfterSeconds) {
      this.requeueAfterSeconds = seconds;
      this.requeueReason = reason;
    }
    return this;
  }

  stop(condition: ConditionInput): this {
    this.set(condition);
    this.terminal ??= { reason: condition.reason, message: condition.message };
    return this;
  }

  build(): Plan {
    return {
      actions: this.actions,
      conditions: [...this.conditions.values()],
      ...(this.requeueAfterSeconds !== undefined && this.actions.length === 0
        ? { requeueAfterSeconds: this.requeueAfterSeconds, requeueReason: this.requeueReason ?? 'waiting' }
        : {}),
      ...(this.terminal && this.actions.length === 0 ? { terminal: this.terminal } : {}),
      record: this.record,
    };
  }
}

function isFailedStatus(status: string): boolean {
  return status === UpdateStatus.Failed || status === UpdateStatus.Cancelled;
}

function firstError(update: UpdateRecord): { code: string; message: string } {
  const error = update.errors[0];
  return {
    code: error?.code ?? 'Unknown',
    message: error?.message ?? `the update ended ${update.status} without an error detail`,
  };
}

/**
 * Notices, once, that the recorded update finished, and what the status row should remember:
 * a successful roll's version becomes the last known good one; a failed one is kept, with its
 * error, so the same version is not rolled again until the spec is written again.
 */
function recordUpdateOutcome(d: DesiredPresent, o: Observed, b: PlanBuilder): void {
  const update = o.update;
  if (!update || update.status === UpdateStatus.InProgress) return;
  const before = o.previous.update;
  if (before && before.id === update.id && before.status === update.status) return;

  const isRoll = update.type === UpdateType.VersionUpdate;
  if (update.status === UpdateStatus.Successful) {
    if (isRoll) {
      if (update.launchTemplateVersion !== undefined)
        b.record.lastKnownGoodVersion = update.launchTemplateVersion;
      b.record.failedRoll = null;
      b.record.events.push({
        event: 'RollSucceeded',
        message: `update ${update.id} rolled the node group to launch template version ${update.launchTemplateVersion ?? '?'}`,
        updateId: update.id,
        ...(update.launchTemplateVersion !== undefined
          ? { launchTemplateVersion: update.launchTemplateVersion }
          : {}),
      });
    } else {
      b.record.failedConfigUpdate = null;
      b.record.events.push({
        event: 'ConfigUpdateSucceeded',
        message: `update ${update.id} succeeded`,
        updateId: update.id,
      });
    }
    return;
  }
  if (!isFailedStatus(update.status)) return;
  const { code, message } = firstError(update);
  const failure: FailedUpdateRecord = {
    updateId: update.id,
    type: update.type,
    status: update.status,
    specHash: update.specHash ?? d.specHash,
    generation: update.generation ?? d.generation,
    errorCode: code,
    errorMessage: message,
    hint: rollFailureHint(code),
  };
  if (isRoll) {
    const version = update.launchTemplateVersion ?? o.nodegroup?.launchTemplate?.version;
    const dataHash =
      update.dataHash ?? o.launchTemplate?.versions.find((v) => v.number === version)?.dataHash ?? '';
    b.record.failedRoll = { ...failure, launchTemplateVersion: version ?? 0, dataHash };
  } else {
    b.record.failedConfigUpdate = failure;
  }
  b.record.events.push({
    event: isRoll ? 'RollFailed' : 'ConfigUpdateFailed',
    message: `update ${update.id} ${update.status}: ${code}: ${message}`,
    updateId: update.id,
    ...(isRoll && update.launchTemplateVersion !== undefined
      ? { launchTemplateVersion: update.launchTemplateVersion }
      : {}),
  });
}

/** The recorded failure after this pass's bookkeeping (null in the record clears it). */
function effective<T>(fromRecord: T | null | undefined, previous: T | undefined): T | undefined {
  return fromRecord === null ? undefined : (fromRecord ?? previous);
}

/** A failure blocks a retry of the same change while the spec has not been written since. */
function blocks(failure: FailedUpdateRecord | undefined, d: DesiredPresent): boolean {
  return failure !== undefined && failure.specHash === d.specHash && failure.generation === d.generation;
}

function failureMessage(failure: FailedUpdateRecord, what: string): string {
  return `${what} failed (update ${failure.updateId}, ${failure.status}): ${failure.errorCode}: ${failure.errorMessage}. Hint: ${failure.hint}`;
}

function pickTarget(
  lt: ObservedLaunchTemplate,
  dataHash: string,
  pinned: number | undefined,
): ObservedLaunchTemplateVersion | undefined {
  const matching = lt.versions.filter((v) => v.dataHash === dataHash);
  return matching.find((v) => v.number === pinned) ?? [...matching].sort((a, b) => b.number - a.number)[0];
}

function healthMessage(ng: ObservedNodegroup): string {
  return ng.healthIssues.length > 0
    ? ng.healthIssues.map((issue) => `${issue.code}: ${issue.message}`).join('; ')
    : 'EKS reported no health issues';
}

function planPresent(d: DesiredPresent, o: Observed): Plan {
  const b = new PlanBuilder();
  const ltName = d.launchTemplate.name;
  const ngName = d.nodegroup.name;
  b.set(trueCondition(ConditionType.SpecValid, Reason.SpecValid, `generation ${d.generation} is valid`));

  // Ownership first: nothing is created, changed or adopted next to a resource that is not ours.
  const lt = o.launchTemplate;
  const ltProblem = lt && ownershipProblem(lt.tags, d.clusterName, d.poolId, d.policy.deploymentId);
  if (lt && ltProblem) {
    return b
      .stop(
        falseCondition(
          ConditionType.LaunchTemplateReady,
          Reason.LaunchTemplateNotOwned,
          `launch template ${ltName} (${lt.id}) exists but ${ltProblem}; this system does not adopt it. Delete or rename it, or tag it if it really is this pool's`,
        ),
      )
      .build();
  }
  const ng = o.nodegroup;
  const ngProblem = ng && ownershipProblem(ng.tags, d.clusterName, d.poolId, d.policy.deploymentId);
  if (ng && ngProblem) {
    return b
      .stop(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupNotOwned,
          `node group ${ngName} in cluster ${d.clusterName} exists but ${ngProblem}; this system does not adopt it. Pick another nodegroup name for the pool, or delete that node group`,
        ),
      )
      .build();
  }
  if (ng && (!ng.launchTemplate?.id || ng.launchTemplate.id !== lt?.id)) {
    // EKS cannot move a node group to another launch template; recreating ours by name would not help.
    return b
      .stop(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupImmutableFieldChanged,
          `node group ${ngName} uses launch template ${ng.launchTemplate?.id ?? '(none)'}, not ${lt ? `${ltName} (${lt.id})` : `${ltName}, which does not exist`}; EKS cannot switch a node group to another template. Delete the node group (delete the pool spec, wait for status deleted, then write it again)`,
        ),
      )
      .build();
  }

  recordUpdateOutcome(d, o, b);

  // Launch template and the version matching the spec.
  if (!lt) {
    b.set(
      falseCondition(
        ConditionType.LaunchTemplateReady,
        Reason.LaunchTemplateChanging,
        'creating the launch template',
        ConditionSeverity.Info,
      ),
    );
    b.actions.push({
      kind: 'CreateLaunchTemplate',
      name: ltName,
      data: d.launchTemplate.data,
      dataHash: d.launchTemplate.dataHash,
      resourceTags: d.launchTemplate.resourceTags,
      clientToken: idempotencyToken('lt', d.poolId, ltName, d.launchTemplate.dataHash, d.statusRevision),
    });
    return b.build();
  }
  const pinned = ng?.launchTemplate?.version;
  const target = pickTarget(lt, d.launchTemplate.dataHash, pinned);
  if (!target) {
    b.set(
      falseCondition(
        ConditionType.LaunchTemplateReady,
        Reason.LaunchTemplateChanging,
        'creating a launch template version for the changed spec',
        ConditionSeverity.Info,
      ),
    );
    b.actions.push({
      kind: 'CreateLaunchTemplateVersion',
      launchTemplateId: lt.id,
      data: d.launchTemplate.data,
      dataHash: d.launchTemplate.dataHash,
      clientToken: idempotencyToken('ltv', d.poolId, lt.id, d.launchTemplate.dataHash, lt.latestVersion),
    });
    return b.build();
  }
  b.record.targetVersion = target.number;
  b.set(
    trueCondition(
      ConditionType.LaunchTemplateReady,
      Reason.LaunchTemplateUpToDate,
      `version ${target.number} of ${ltName} (${lt.id}) matches the spec`,
    ),
  );

  const failedRoll = effective(b.record.failedRoll, o.previous.failedRoll);
  const lastKnownGood = b.record.lastKnownGoodVersion ?? o.previous.lastKnownGoodVersion;
  const prune = selectVersionsToPrune(
    lt.versions.map((v) => v.number),
    new Set(
      [pinned, lastKnownGood, lt.defaultVersion, target.number, o.update?.launchTemplateVersion].filter(
        (v): v is number => v !== undefined,
      ),
    ),
    d.policy.maxLaunchTemplateVersions,
  );
  const pruneAction: Action[] =
    prune.length > 0
      ? [{ kind: 'PruneLaunchTemplateVersions', launchTemplateId: lt.id, versions: prune }]
      : [];

  // Node group.
  if (!ng) {
    if (!o.nodeRoleArn) {
      b.stop(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodeRoleNotFound,
          `IAM role ${d.nodegroup.nodeRoleName} was not found; create it (with AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy and AmazonEC2ContainerRegistryReadOnly) or set spec.roleName on the AWSManagedMachinePool`,
        ),
      );
      return b.build();
    }
    if (d.nodegroup.subnets.length === 0) {
      b.stop(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NoSubnets,
          `no subnet to place node group ${ngName}: the cluster has no subnets in regular availability zones; set spec.subnetIDs on the AWSManagedMachinePool`,
        ),
      );
      return b.build();
    }
    b.set(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupCreating,
        `creating node group ${ngName}`,
        ConditionSeverity.Info,
      ),
    );
    b.actions.push(
      {
        kind: 'CreateNodegroup',
        clusterName: d.clusterName,
        nodegroupName: ngName,
        launchTemplateId: lt.id,
        launchTemplateVersion: target.number,
        nodeRoleArn: o.nodeRoleArn,
        subnets: d.nodegroup.subnets,
        labels: d.nodegroup.labels,
        taints: d.nodegroup.taints,
        scaling: d.nodegroup.scaling,
        updateConfig: d.nodegroup.updateConfig,
        capacityType: d.nodegroup.capacityType,
        amiType: d.nodegroup.amiType,
        tags: d.nodegroup.tags,
        clientRequestToken: idempotencyToken('ng', d.poolId, d.clusterName, ngName, lt.id, d.statusRevision),
      },
      ...pruneAction,
    );
    return b.build();
  }

  switch (ng.status) {
    case NodegroupStatus.Creating:
      b.set(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupCreating,
          `node group ${ngName} is being created on version ${pinned ?? '?'}`,
          ConditionSeverity.Info,
        ),
      );
      b.actions.push(...pruneAction);
      return b.requeue(d.policy.requeueSeconds.creating, Reason.NodegroupCreating).build();
    case NodegroupStatus.Deleting:
      b.set(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupDeleting,
          `node group ${ngName} is being deleted by someone else; it will be created again once it is gone`,
          ConditionSeverity.Warning,
        ),
      );
      return b.requeue(d.policy.requeueSeconds.deleting, Reason.NodegroupDeleting).build();
    case NodegroupStatus.CreateFailed:
    case NodegroupStatus.DeleteFailed:
      return b
        .stop(
          falseCondition(
            ConditionType.EKSNodegroupReady,
            ng.status === NodegroupStatus.CreateFailed
              ? Reason.NodegroupCreateFailed
              : Reason.NodegroupDeleteFailed,
            `node group ${ngName} is ${ng.status}: ${healthMessage(ng)}. Fix the cause, then delete the pool spec and write it again`,
          ),
        )
        .build();
  }

  const inFlight =
    ng.status === NodegroupStatus.Updating ||
    o.update?.status === UpdateStatus.InProgress ||
    o.nodegroupBusy === true;
  if (inFlight) {
    const update = o.update?.status === UpdateStatus.InProgress ? o.update : undefined;
    const what = update
      ? `${update.type} ${update.id}${update.launchTemplateVersion !== undefined ? ` to launch template version ${update.launchTemplateVersion}` : ''} is in progress`
      : `node group ${ngName} is ${ng.status === NodegroupStatus.Updating ? 'UPDATING' : 'busy with an update this system did not start'}`;
    b.set(trueCondition(ConditionType.NodegroupUpdating, Reason.UpdateInProgress, what));
    b.set(
      trueCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdating,
        `node group ${ngName} serves while ${what}`,
      ),
    );
    b.actions.push(...pruneAction);
    return b
      .requeue(
        o.nodegroupBusy ? d.policy.requeueSeconds.busy : d.policy.requeueSeconds.updating,
        o.nodegroupBusy ? 'NodegroupBusy' : Reason.UpdateInProgress,
      )
      .build();
  }
  b.set(
    falseCondition(
      ConditionType.NodegroupUpdating,
      Reason.NoUpdateInProgress,
      o.update
        ? `last update ${o.update.id} (${o.update.type}) ended ${o.update.status}`
        : 'no update in flight',
      ConditionSeverity.None,
    ),
  );

  // A roll when the node group is not on the version matching the spec. A failed roll is not
  // repeated until the spec is written again; EKS may leave the failed version pinned, so that
  // case counts as "not on the target" too.
  const failedOnTarget =
    failedRoll !== undefined &&
    failedRoll.dataHash === d.launchTemplate.dataHash &&
    failedRoll.launchTemplateVersion === pinned;
  const needsRoll = pinned !== target.number || failedOnTarget;
  if (needsRoll && failedRoll && failedRoll.dataHash === d.launchTemplate.dataHash && blocks(failedRoll, d)) {
    b.set(
      falseCondition(
        ConditionType.NodegroupUpdating,
        Reason.UpdateFailed,
        failureMessage(failedRoll, `the roll to version ${failedRoll.launchTemplateVersion}`),
        ConditionSeverity.Error,
      ),
    );
    b.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdateFailed,
        failureMessage(failedRoll, `the roll to version ${failedRoll.launchTemplateVersion}`),
      ),
    );
  } else if (needsRoll) {
    b.record.failedRoll = null;
    b.set(
      trueCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdating,
        `rolling node group ${ngName} from version ${pinned ?? '?'} to ${target.number}`,
      ),
    );
    b.actions.push(
      {
        kind: 'UpdateNodegroupVersion',
        clusterName: d.clusterName,
        nodegroupName: ngName,
        launchTemplateId: lt.id,
        launchTemplateVersion: target.number,
        dataHash: d.launchTemplate.dataHash,
        force: d.nodegroup.force,
        clientRequestToken: idempotencyToken(
          'roll',
          d.poolId,
          lt.id,
          target.number,
          d.launchTemplate.dataHash,
          d.specHash,
          d.generation,
          d.statusRevision,
        ),
      },
      ...pruneAction,
    );
    return b.build();
  }

  // Labels, taints, scaling and update config: one UpdateNodegroupConfig, also after a failed roll.
  const changes = diffNodegroupConfig(d.nodegroup, ng);
  const failedConfig = effective(b.record.failedConfigUpdate, o.previous.failedConfigUpdate);
  if (changes && blocks(failedConfig, d) && failedConfig) {
    b.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdateFailed,
        failureMessage(failedConfig, 'the node group config update'),
      ),
    );
  } else if (changes) {
    b.record.failedConfigUpdate = null;
    b.actions.push({
      kind: 'UpdateNodegroupConfig',
      clusterName: d.clusterName,
      nodegroupName: ngName,
      changes,
      clientRequestToken: idempotencyToken(
        'config',
        d.poolId,
        canonicalHash(changes),
        d.specHash,
        d.generation,
        d.statusRevision,
      ),
    });
  }
  // All desired tags, not only the missing ones: the IAM policy allows TagResource only on requests
  // that carry the ownership tag.
  if (missingTags(d.nodegroup.tags, ng.tags) && ng.arn) {
    b.actions.push({ kind: 'TagNodegroup', nodegroupArn: ng.arn, tags: d.nodegroup.tags });
  }
  b.actions.push(...pruneAction);

  const drift = immutableDrift(d.nodegroup, ng);
  if (drift.length > 0) {
    b.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupImmutableFieldChanged,
        `node group ${ngName} cannot change in place: ${drift.join('; ')}. Revert the spec, or delete the pool spec and write it again to replace the node group`,
      ),
    );
  }
  if (b.conditions.get(ConditionType.EKSNodegroupReady)?.status === ConditionStatus.False) return b.build();

  if (changes) {
    b.set(
      trueCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdating,
        `updating the config of node group ${ngName}`,
      ),
    );
  } else if (ng.status === NodegroupStatus.Degraded) {
    b.set(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupDegraded,
        `node group ${ngName} is DEGRADED: ${healthMessage(ng)}`,
        ConditionSeverity.Warning,
      ),
    );
  } else {
    b.set(
      trueCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupActive,
        `node group ${ngName} is ${ng.status} on launch template version ${pinned ?? '?'}`,
      ),
    );
    if (pinned !== undefined && pinned === target.number && !failedOnTarget)
      b.record.lastKnownGoodVersion = pinned;
  }
  return b.build();
}

function deletedConditions(b: PlanBuilder, message: string): void {
  b.set(
    falseCondition(
      ConditionType.SpecValid,
      Reason.Deleted,
      'the spec was deleted from its store',
      ConditionSeverity.Info,
    ),
  );
  b.set(falseCondition(ConditionType.LaunchTemplateReady, Reason.Deleted, message, ConditionSeverity.Info));
  b.set(falseCondition(ConditionType.EKSNodegroupReady, Reason.Deleted, message, ConditionSeverity.Info));
  b.set(
    falseCondition(
      ConditionType.NodegroupUpdating,
      Reason.NoUpdateInProgress,
      'no update in flight',
      ConditionSeverity.None,
    ),
  );
}

/**
 * The spec is gone: delete the node group, wait across passes until EKS has removed it, then the
 * launch template, then report the pool deleted. Resources not tagged as this pool's are never
 * deleted, and a foreign node group also keeps our template alive (it may be using it).
 */
function planAbsent(d: DesiredAbsent, o: Observed): Plan {
  const b = new PlanBuilder();
  b.set(
    falseCondition(
      ConditionType.SpecValid,
      Reason.Deleted,
      'the spec was deleted from its store',
      ConditionSeverity.Info,
    ),
  );
  const ng = o.nodegroup;
  if (ng && d.clusterName) {
    const problem = ownershipProblem(ng.tags, d.clusterName, d.poolId, d.policy.deploymentId);
    if (problem) {
      return b
        .stop(
          falseCondition(
            ConditionType.EKSNodegroupReady,
            Reason.NodegroupNotOwned,
            `node group ${ng.name} exists but ${problem}; it is not deleted. Delete it by hand if it should go`,
          ),
        )
        .build();
    }
    if (ng.status === NodegroupStatus.Deleting) {
      b.set(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupDeleting,
          `node group ${ng.name} is being deleted`,
          ConditionSeverity.Info,
        ),
      );
      return b.requeue(d.policy.requeueSeconds.deleting, Reason.NodegroupDeleting).build();
    }
    if (o.nodegroupBusy) {
      b.set(
        falseCondition(
          ConditionType.EKSNodegroupReady,
          Reason.NodegroupDeleting,
          `node group ${ng.name} is busy with an update; deleting it when that ends`,
          ConditionSeverity.Info,
        ),
      );
      return b.requeue(d.policy.requeueSeconds.busy, 'NodegroupBusy').build();
    }
    b.set(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupDeleting,
        `deleting node group ${ng.name}`,
        ConditionSeverity.Info,
      ),
    );
    b.actions.push({ kind: 'DeleteNodegroup', clusterName: d.clusterName, nodegroupName: ng.name });
    return b.build();
  }

  const lt = o.launchTemplate;
  if (lt && d.clusterName && !ownershipProblem(lt.tags, d.clusterName, d.poolId, d.policy.deploymentId)) {
    b.set(
      falseCondition(
        ConditionType.LaunchTemplateReady,
        Reason.Deleting,
        `deleting launch template ${lt.name}`,
        ConditionSeverity.Info,
      ),
    );
    b.actions.push({ kind: 'DeleteLaunchTemplate', launchTemplateId: lt.id, name: lt.name });
    return b.build();
  }

  deletedConditions(
    b,
    lt
      ? `the pool's resources are gone; launch template ${lt.name} (${lt.id}) is not tagged as this pool's and was left alone`
      : "the pool's node group and launch template are gone",
  );
  b.record.deleted = true;
  return b.build();
}
