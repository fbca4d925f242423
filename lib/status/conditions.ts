/**
 * Kubernetes-style conditions for a pool, with Cluster API Provider AWS's type names
 * (LaunchTemplateReady, EKSNodegroupReady, Ready) plus this project's own. A condition is data a
 * user can act on: every False one has a reason naming what went wrong and a message saying what
 * to change.
 */

export const ConditionType = {
  /** Summary over the others: the pool is converged on its latest spec. */
  Ready: 'Ready',
  SpecValid: 'SpecValid',
  LaunchTemplateReady: 'LaunchTemplateReady',
  EKSNodegroupReady: 'EKSNodegroupReady',
  /** True while an EKS update (a roll or a config change) is in flight. */
  NodegroupUpdating: 'NodegroupUpdating',
  /** Drift policy `report`: True when the pool was changed outside enclave-pools (not reverted). */
  Drifted: 'Drifted',
  /**
   * Every running instance of the node group has Nitro Enclaves on and runs the pinned launch
   * template version, checked with DescribeInstances after each create or roll (EKS reports
   * neither).
   */
  EnclavesVerified: 'EnclavesVerified',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const ConditionStatus = { True: 'True', False: 'False', Unknown: 'Unknown' } as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

export const ConditionSeverity = { Error: 'Error', Warning: 'Warning', Info: 'Info', None: '' } as const;
export type ConditionSeverity = (typeof ConditionSeverity)[keyof typeof ConditionSeverity];

/**
 * Reasons this reconciler sets itself. Validation rules add their own rule names as reasons
 * (e.g. NitroEnclaveEdgeZoneUnsupported, a CAPA reason), so Condition.reason is a string.
 */
export const Reason = {
  // Ready
  Ready: 'Ready',
  Deleted: 'Deleted',
  Deleting: 'Deleting',
  // SpecValid
  SpecValid: 'SpecValid',
  SpecInvalid: 'SpecInvalid',
  SpecConflict: 'SpecConflict',
  /** A spec store could not be read (permissions, a missing bucket or table). */
  SpecUnreadable: 'SpecUnreadable',
  /** The AWS facts the live rules need could not be read. */
  LiveFactsUnavailable: 'LiveFactsUnavailable',
  /** A requeue reason, not a condition: the spec was written less than the settle period ago. */
  SpecSettling: 'SpecSettling',
  // LaunchTemplateReady
  LaunchTemplateUpToDate: 'LaunchTemplateUpToDate',
  /** Transient, within one pass: a template or version is being created. */
  LaunchTemplateChanging: 'LaunchTemplateChanging',
  LaunchTemplateNotOwned: 'LaunchTemplateNotOwned',
  LaunchTemplateReconcileFailed: 'LaunchTemplateReconcileFailed',
  AmiNotFound: 'AmiNotFound',
  // EKSNodegroupReady
  NodegroupActive: 'NodegroupActive',
  NodegroupCreating: 'NodegroupCreating',
  NodegroupUpdating: 'NodegroupUpdating',
  NodegroupDeleting: 'NodegroupDeleting',
  NodegroupDegraded: 'NodegroupDegraded',
  NodegroupCreateFailed: 'NodegroupCreateFailed',
  NodegroupDeleteFailed: 'NodegroupDeleteFailed',
  NodegroupNotOwned: 'NodegroupNotOwned',
  NodegroupUpdateFailed: 'NodegroupUpdateFailed',
  /** A failed roll is being rolled back to the last-known-good version (rollback: on-failure). */
  RollingBack: 'RollingBack',
  /** A failed roll was rolled back; the failed spec waits for a new write. */
  RolledBack: 'RolledBack',
  /** The rollback after a failed roll failed too; nothing more is tried. */
  RollbackFailed: 'RollbackFailed',
  /** Roll policy manual: the new version is cut, the roll waits for `enclave-pools roll NAME`. */
  RollPending: 'RollPending',
  /** The roll waits for the pool's maintenance window to open. */
  RollWaitingForWindow: 'RollWaitingForWindow',
  NodegroupImmutableFieldChanged: 'NodegroupImmutableFieldChanged',
  NodegroupReconcileFailed: 'NodegroupReconcileFailed',
  NodeRoleNotFound: 'NodeRoleNotFound',
  NoSubnets: 'NoSubnets',
  WaitingForLaunchTemplate: 'WaitingForLaunchTemplate',
  // NodegroupUpdating
  UpdateInProgress: 'UpdateInProgress',
  NoUpdateInProgress: 'NoUpdateInProgress',
  UpdateFailed: 'UpdateFailed',
  // Drifted
  NoDrift: 'NoDrift',
  DriftReported: 'DriftReported',
  // EnclavesVerified
  EnclavesVerified: 'EnclavesVerified',
  /** A running instance reports EnclaveOptions.Enabled other than true. */
  InstancesWithoutEnclaves: 'InstancesWithoutEnclaves',
  /** A running instance was launched from another launch template version than the group's. */
  InstancesOnOldVersion: 'InstancesOnOldVersion',
  /** Not checked yet: the node group is being created or rolled, or the check is the next pass. */
  VerificationPending: 'VerificationPending',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** PascalCase, stable: scripts match on it. */
  reason: string;
  message: string;
  severity: ConditionSeverity;
  /** ISO 8601. Changes only when `status` changes, so it says how long the pool has been in this state. */
  lastTransitionTime: string;
  /** The spec generation this condition was computed from. */
  observedGeneration: number;
}

/** A condition as plan() computes it: the bookkeeping fields are filled in by mergeConditions. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

export function trueCondition(type: string, reason: string, message = ''): ConditionInput {
  return { type, status: ConditionStatus.True, reason, message, severity: ConditionSeverity.None };
}

export function unknownCondition(type: string, reason: string, message: string): ConditionInput {
  return { type, status: ConditionStatus.Unknown, reason, message, severity: ConditionSeverity.Info };
}

export function falseCondition(
  type: string,
  reason: string,
  message: string,
  severity: ConditionSeverity = ConditionSeverity.Error,
): ConditionInput {
  return { type, status: ConditionStatus.False, reason, message, severity };
}

const TYPE_ORDER: string[] = [
  ConditionType.Ready,
  ConditionType.SpecValid,
  ConditionType.LaunchTemplateReady,
  ConditionType.EKSNodegroupReady,
  ConditionType.NodegroupUpdating,
  ConditionType.Drifted,
  ConditionType.EnclavesVerified,
];

/** Types whose good state is False: something is under way or wrong while they are True. */
const GOOD_WHEN_FALSE: ReadonlySet<string> = new Set([
  ConditionType.NodegroupUpdating,
  ConditionType.Drifted,
]);

function typeRank(type: string): number {
  const rank = TYPE_ORDER.indexOf(type);
  return rank < 0 ? TYPE_ORDER.length : rank;
}

/**
 * The new condition list: each computed condition replaces the previous one of its type, keeping
 * the previous lastTransitionTime when the status did not change. Previous conditions that were
 * not recomputed this pass are kept as they were (a pass that stops early, e.g. at validation,
 * does not erase what is known about the node group). The list is in a fixed order, so an
 * unchanged outcome serialises to the same bytes.
 */
export function mergeConditions(
  previous: readonly Condition[],
  computed: readonly ConditionInput[],
  now: Date,
  observedGeneration: number,
): Condition[] {
  const byType = new Map<string, Condition>();
  for (const condition of previous) byType.set(condition.type, condition);
  for (const next of computed) {
    const before = byType.get(next.type);
    byType.set(next.type, {
      ...next,
      lastTransitionTime:
        before && before.status === next.status ? before.lastTransitionTime : now.toISOString(),
      observedGeneration,
    });
  }
  return [...byType.values()].sort(
    (a, b) => typeRank(a.type) - typeRank(b.type) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0),
  );
}

export function findCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

const SEVERITY_RANK: Record<ConditionSeverity, number> = { Error: 3, Warning: 2, Info: 1, '': 0 };

/**
 * The summary `Ready` condition: True when every contributing condition is in its good state
 * (NodegroupUpdating is good when False); otherwise False, carrying the reason and message of the
 * most severe failing condition (the first in type order among equals), like CAPA's summary.
 */
export function summarizeReady(conditions: readonly ConditionInput[]): ConditionInput {
  const failing = conditions.filter((c) => {
    if (c.type === ConditionType.Ready) return false;
    if (GOOD_WHEN_FALSE.has(c.type)) return c.status !== ConditionStatus.False;
    return c.status !== ConditionStatus.True;
  });
  if (failing.length === 0)
    return trueCondition(ConditionType.Ready, Reason.Ready, 'the pool matches its spec');
  const worst = [...failing].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || typeRank(a.type) - typeRank(b.type),
  )[0];
  if (!worst) return trueCondition(ConditionType.Ready, Reason.Ready, 'the pool matches its spec');
  return {
    type: ConditionType.Ready,
    status: worst.status === ConditionStatus.Unknown ? ConditionStatus.Unknown : ConditionStatus.False,
    reason: worst.reason,
    message: `${worst.type}: ${worst.message}`,
    // A True NodegroupUpdating carries no severity of its own; for the summary it is information.
    severity: worst.severity || ConditionSeverity.Info,
  };
}
