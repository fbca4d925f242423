import type { ReconcileOutcome } from '../outcome';
import type { Observed, PlanRecord } from '../plan/plan-types';
import { rollProgressRecord } from '../plan/roll-progress';
import { type ConditionInput, ConditionType, mergeConditions, summarizeReady } from '../status/conditions';
import {
  appendHistory,
  DELETED_ROW_RETENTION_SECONDS,
  emptyStatusRow,
  type HistoryEntry,
  type SpecSummary,
  type StatusRow,
} from '../status/status-row';

/** Everything one reconcile pass learned, for the status row. */
export interface PassReport {
  poolId: string;
  now: Date;
  /** The spec this pass worked from; undefined when there was none (deletion) or it was unreadable. */
  spec?: {
    clusterName?: string;
    nodegroupName?: string;
    source: 's3' | 'dynamodb';
    location: string;
    generation: number;
    /** When the spec was written, when its store says (StoredSpec.writtenAt). */
    writtenAt?: string;
    /** Undefined when the spec did not validate. */
    specHash?: string;
    summary?: SpecSummary;
  };
  /** Conditions computed this pass (Ready is derived here); types not computed keep their previous value. */
  conditions: ConditionInput[];
  record: PlanRecord;
  /** History lines from executed actions, in order. */
  actionEvents: Array<Omit<HistoryEntry, 'at'>>;
  /** The observed state at the end of the pass; undefined when the pass stopped before observing. */
  observed?: Observed;
  launchTemplateName?: string;
  desiredDataHash?: string;
  desiredImageId?: string;
  resolvedImage?: StatusRow['resolvedImage'];
  /** Live facts this pass read (or reused) for a valid spec. */
  liveFacts?: StatusRow['liveFacts'];
  rootDevice?: StatusRow['rootDevice'];
  outcome: ReconcileOutcome;
}

function outcomeRecord(outcome: ReconcileOutcome): StatusRow['outcome'] {
  switch (outcome.kind) {
    case 'done':
      return { kind: 'done' };
    case 'requeue':
      return { kind: 'requeue', afterSeconds: outcome.afterSeconds, reason: outcome.reason };
    case 'transient':
      return { kind: 'transient', reason: outcome.error };
    case 'terminal':
      return { kind: 'terminal', reason: outcome.reason };
  }
}

function launchTemplateRecord(previous: StatusRow, report: PassReport): StatusRow['launchTemplate'] {
  const observed = report.observed;
  if (!observed) return previous.launchTemplate;
  const lt = observed.launchTemplate;
  if (!lt) return undefined;
  const lastKnownGood = report.record.lastKnownGoodVersion ?? previous.launchTemplate?.lastKnownGoodVersion;
  const pinned = observed.nodegroup?.launchTemplate?.version;
  return {
    id: lt.id,
    name: lt.name,
    ...(pinned !== undefined ? { pinnedVersion: pinned } : {}),
    ...(report.record.targetVersion !== undefined ? { targetVersion: report.record.targetVersion } : {}),
    latestVersion: lt.latestVersion,
    ...(lastKnownGood !== undefined ? { lastKnownGoodVersion: lastKnownGood } : {}),
    ...(report.desiredDataHash ? { dataHash: report.desiredDataHash } : {}),
    ...(report.desiredImageId ? { imageId: report.desiredImageId } : {}),
    defaultVersion: lt.defaultVersion,
    versions: lt.versions.map((v) => ({
      number: v.number,
      ...(v.dataHash ? { dataHash: v.dataHash } : {}),
      ...(v.imageId ? { imageId: v.imageId } : {}),
    })),
    tags: lt.tags,
  };
}

function nodegroupRecord(previous: StatusRow, report: PassReport): StatusRow['nodegroup'] {
  const observed = report.observed;
  if (!observed) return previous.nodegroup;
  const ng = observed.nodegroup;
  if (!ng) return undefined;
  return {
    name: ng.name,
    status: ng.status,
    ...(ng.scaling?.desiredSize !== undefined ? { desiredSize: ng.scaling.desiredSize } : {}),
    ...(ng.scaling?.minSize !== undefined ? { minSize: ng.scaling.minSize } : {}),
    ...(ng.scaling?.maxSize !== undefined ? { maxSize: ng.scaling.maxSize } : {}),
    ...(ng.launchTemplate?.version !== undefined ? { launchTemplateVersion: ng.launchTemplate.version } : {}),
    ...(ng.modifiedAt !== undefined ? { modifiedAt: ng.modifiedAt } : {}),
    healthIssues: ng.healthIssues,
  };
}

function pick<T>(fromRecord: T | null | undefined, previous: T | undefined): T | undefined {
  return fromRecord === null ? undefined : (fromRecord ?? previous);
}

/**
 * The status row after a pass: the previous row with this pass's findings laid over it. Pure.
 * Conditions keep their lastTransitionTime unless their status flipped, and Ready is recomputed
 * from the merged set, so an unchanged outcome yields a row equal to the previous one (and no
 * write).
 *
 * Long on purpose: one flat merge, a line per status-row field (where its value comes from, then
 * where it lands in the row), so a new field is added in one place and every field's rule reads
 * side by side; the per-record rules live in their own functions above.
 */
export function nextStatusRow(previousRow: StatusRow | undefined, report: PassReport): StatusRow {
  const previous = previousRow ?? emptyStatusRow(report.poolId);
  const generation = report.spec?.generation ?? previous.observedGeneration ?? 0;
  const computed = report.conditions.filter((c) => c.type !== ConditionType.Ready);
  const merged = mergeConditions(previous.conditions, computed, report.now, generation);
  const ready = summarizeReady(merged);
  const conditions = mergeConditions(merged, [ready], report.now, generation);

  const deleted = report.record.deleted === true ? true : report.spec ? false : previous.deleted;
  const deletedAt = deleted
    ? previous.deleted && previous.deletedAt
      ? previous.deletedAt
      : report.now.toISOString()
    : undefined;
  // What the pass noticed (an update that ended) happened before what it then did about it.
  const events = [...report.record.events, ...report.actionEvents].map((e) => ({
    at: report.now.toISOString(),
    ...e,
  }));
  const update = report.observed ? report.observed.update : previous.update;
  const failedRoll = pick(report.record.failedRoll, previous.failedRoll);
  const failedConfigUpdate = pick(report.record.failedConfigUpdate, previous.failedConfigUpdate);
  const rollback = pick(report.record.rollback, previous.rollback);
  // An approval stays until a roll to other data replaces the need for it (the CLI writes it).
  const rollApproval = previous.rollApproval;
  const launchTemplate = launchTemplateRecord(previous, report);
  const nodegroup = nodegroupRecord(previous, report);
  const clusterName = report.spec?.clusterName ?? previous.clusterName;
  const nodegroupName = report.spec?.nodegroupName ?? previous.nodegroupName;
  const resolvedImage = report.resolvedImage ?? previous.resolvedImage;
  const liveFacts = report.liveFacts ?? previous.liveFacts;
  const rootDevice = report.rootDevice ?? previous.rootDevice;
  const specHash = report.spec ? report.spec.specHash : previous.specHash;
  const specSummary = report.spec ? report.spec.summary : previous.specSummary;
  const specWrittenAt = report.spec ? report.spec.writtenAt : previous.specWrittenAt;
  const autoscalerTags =
    report.record.autoscalerTags ??
    (report.observed && !report.observed.nodegroup ? undefined : previous.autoscalerTags);
  const rollProgress = report.observed
    ? rollProgressRecord(report.observed, previous.rollProgress, report.now)
    : previous.rollProgress;
  const verification = report.record.verification
    ? { ...report.record.verification, at: report.now.toISOString() }
    : report.observed && !report.observed.nodegroup
      ? undefined
      : previous.verification;

  return {
    poolId: report.poolId,
    revision: previous.revision,
    updatedAt: report.now.toISOString(),
    createdAt:
      previous.createdAt && !(previous.deleted && !deleted) ? previous.createdAt : report.now.toISOString(),
    ...(clusterName ? { clusterName } : {}),
    ...(nodegroupName ? { nodegroupName } : {}),
    ...(report.spec ? { specSource: report.spec.source, specLocation: report.spec.location } : {}),
    ...(!report.spec && previous.specSource ? { specSource: previous.specSource } : {}),
    ...(!report.spec && previous.specLocation ? { specLocation: previous.specLocation } : {}),
    ...(specHash ? { specHash } : {}),
    ...(specSummary ? { specSummary } : {}),
    observedGeneration: generation,
    ...(specWrittenAt ? { specWrittenAt } : {}),
    deleted,
    ...(deletedAt
      ? { deletedAt, expiresAt: Math.floor(Date.parse(deletedAt) / 1000) + DELETED_ROW_RETENTION_SECONDS }
      : {}),
    conditions,
    outcome: outcomeRecord(report.outcome),
    ...(launchTemplate ? { launchTemplate } : {}),
    ...(resolvedImage ? { resolvedImage } : {}),
    ...(liveFacts && !deleted ? { liveFacts } : {}),
    ...(rootDevice && !deleted ? { rootDevice } : {}),
    ...(nodegroup ? { nodegroup } : {}),
    ...(update ? { update } : {}),
    ...(failedRoll ? { failedRoll } : {}),
    ...(failedConfigUpdate ? { failedConfigUpdate } : {}),
    ...(rollback ? { rollback } : {}),
    ...(rollApproval ? { rollApproval } : {}),
    ...(verification ? { verification } : {}),
    ...(autoscalerTags ? { autoscalerTags } : {}),
    ...(rollProgress ? { rollProgress } : {}),
    history: appendHistory(previous.history, events),
  };
}
