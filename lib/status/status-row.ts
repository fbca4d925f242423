import { canonicalJson } from '../render/canonical-json';
import type { LiveFactsCache } from '../rules/live-facts';
import type { Condition } from './conditions';

/**
 * One item per pool in the status table: what the last reconcile saw and decided. The CLI's
 * `describe` and `watch` read it; docs/status.md is its reference. Everything here is plain JSON
 * (DynamoDB map / list / string / number / boolean).
 */

export interface UpdateErrorRecord {
  /** EKS ErrorDetail.errorCode, e.g. PodEvictionFailure. */
  code: string;
  message: string;
  resourceIds?: string[];
}

export interface UpdateRecord {
  id: string;
  /** VersionUpdate | ConfigUpdate | ... */
  type: string;
  /** InProgress | Successful | Failed | Cancelled */
  status: string;
  createdAt?: string;
  /** For a VersionUpdate: the launch template version it rolls to. */
  launchTemplateVersion?: number;
  /** For a VersionUpdate: the hash of that version's data. */
  dataHash?: string;
  /** The spec hash and generation current when this reconciler started the update. */
  specHash?: string;
  generation?: number;
  /** `rollback`: a roll back to the last-known-good version after a failed roll (decision 0120). */
  purpose?: 'rollback';
  errors: UpdateErrorRecord[];
}

/**
 * The roll back that followed a failed roll (rollback policy `on-failure`): at most one per failed
 * roll, so a rollback that fails too is reported and never retried on its own.
 */
export interface RollbackRecord {
  /** The failed roll this answers (FailedRollRecord.updateId). */
  failedUpdateId: string;
  /** The version the failed roll was rolling to, and the last-known-good one rolled back to. */
  fromVersion: number;
  toVersion: number;
  /** The rollback's own EKS update, once started. */
  updateId?: string;
  /** InProgress | Successful | Failed | Cancelled */
  status: string;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * `enclave-pools roll NAME` said yes to rolling to this data (roll policy `manual`, decision
 * 0121). It holds for that data only: a spec with other data waits for its own approval.
 */
export interface RollApproval {
  dataHash: string;
  /** The version the approval was given for (as `describe` showed it). */
  launchTemplateVersion: number;
  approvedAt: string;
  /** Who approved, as the CLI knows it (the caller identity's ARN), for the history. */
  approvedBy?: string;
}

/**
 * An update that failed or was cancelled. The same change is not sent again automatically until
 * the spec is written again (its generation or hash differs from the ones the update was started
 * under): retrying a PDB-blocked drain every pass would only fail the same way.
 */
export interface FailedUpdateRecord {
  updateId: string;
  /** VersionUpdate | ConfigUpdate */
  type: string;
  /** Failed | Cancelled */
  status: string;
  /** The spec hash and generation the update was started under. */
  specHash: string;
  generation: number;
  errorCode: string;
  errorMessage: string;
  /** What the user can do about it. */
  hint: string;
}

/** A failed roll also remembers which version (and data) it was rolling to. */
export interface FailedRollRecord extends FailedUpdateRecord {
  launchTemplateVersion: number;
  dataHash: string;
}

export interface HistoryEntry {
  at: string;
  /** PascalCase event name, e.g. LaunchTemplateVersionCreated, RollStarted, RollSucceeded. */
  event: string;
  message: string;
  launchTemplateVersion?: number;
  updateId?: string;
}

export const VerificationResult = {
  Verified: 'Verified',
  InstancesWithoutEnclaves: 'InstancesWithoutEnclaves',
  InstancesOnOldVersion: 'InstancesOnOldVersion',
} as const;
export type VerificationResult = (typeof VerificationResult)[keyof typeof VerificationResult];

/**
 * The last check of the node group's instances (EnclavesVerified). Kept so a settled pool is not
 * listed again on every pass: the next check runs when the pinned version or the last finished
 * update differs from the ones recorded here.
 */
export interface VerificationRecord {
  /** The node group's pinned launch template version when the instances were checked. */
  launchTemplateVersion: number;
  /** The newest finished update the pass knew of (a roll or a scaling change); absent after a create. */
  afterUpdateId?: string;
  result: VerificationResult;
  /** Running instances checked. */
  instancesChecked: number;
  /** Running instances whose EnclaveOptions.Enabled is not true. */
  withoutEnclaves: string[];
  /** Running instances launched from another launch template version than the group's. */
  onOtherVersion: string[];
  /** ISO time of the check. */
  at: string;
}

/**
 * The node-template tags this system keeps on the node group's Auto Scaling group (decision 0101):
 * the group, the keys (so a tag the spec no longer asks for is removed, and only ours), and the
 * hash of keys and values, so a pass reads the group again only when the spec asks for other tags.
 */
export interface AutoscalerTagsRecord {
  autoScalingGroupName: string;
  keys: string[];
  hash: string;
  /** The values applied (rows written before they were kept have none: the group is read then). */
  tags?: Record<string, string>;
}

/** One Availability Zone's share of a roll: its live instances, and those on the roll's version. */
export interface RollZoneProgress {
  zone: string;
  replaced: number;
  total: number;
}

/**
 * How far the roll in flight has come (decision 0102), counted by the pass from the node group's
 * instances: a live (pending or running) instance launched from the version the group launches
 * from now counts as replaced. Present only while a roll runs; the pass that sees its end drops it.
 * Rewritten only when a count changes, so the pace and ETA are those of the last replacement seen.
 */
export interface RollProgressRecord {
  /** The update these counts belong to (UpdateRecord.id). */
  updateId: string;
  /** Our launch template version the roll goes to, when the update says. */
  launchTemplateVersion?: number;
  /** Nodes on the roll's version, at most `total`. */
  replaced: number;
  /** The node group's desired size (EKS's scalingConfig; surge nodes are not counted). */
  total: number;
  /** Per Availability Zone, sorted by zone name. */
  zones: RollZoneProgress[];
  /** ISO time the update started (EKS's createdAt). */
  startedAt: string;
  /** Nodes replaced per minute from startedAt to countedAt; absent before the first one. */
  nodesPerMinute?: number;
  /** ISO time the roll ends at that pace; absent before the first node is replaced. */
  etaAt?: string;
  /** ISO time of the pass that counted these numbers. */
  countedAt: string;
}

/**
 * What `get pools` shows about a spec, kept on the row by the pass that validated it, so listing a
 * thousand pools does not read and parse a thousand specs: the CLI reads a spec only when the row
 * has no summary or was written for another generation or location of it.
 */
export interface SpecSummary {
  instanceType: string;
  enclaves: { enabled: boolean; cpuCount?: number; cpuPool?: string; memoryMib?: number };
}

export interface StatusRow {
  poolId: string;
  /** Optimistic concurrency: every write is conditional on the revision it read. */
  revision: number;
  /** ISO time of the last write (rows are only written when their content changes). */
  updatedAt: string;
  /** ISO time of the first pass that recorded this pool (reset when a deleted pool comes back). */
  createdAt?: string;
  /** Cluster and node group the pool maps to, kept so a deletion works after the spec is gone. */
  clusterName?: string;
  nodegroupName?: string;
  specSource?: 's3' | 'dynamodb';
  specLocation?: string;
  /** sha256 of the validated spec (canonical JSON). */
  specHash?: string;
  /** Of the spec at `specLocation` and `observedGeneration`; absent when that spec did not validate. */
  specSummary?: SpecSummary;
  observedGeneration?: number;
  /**
   * When that spec was written (S3 LastModified, or the item's updatedAt): a spec event from no
   * later than this was seen by the pass that wrote the row (lib/dispatch/stale-events.ts).
   */
  specWrittenAt?: string;
  /** The spec is gone and so are the pool's resources. */
  deleted: boolean;
  deletedAt?: string;
  /** Epoch seconds after which DynamoDB TTL may remove a deleted pool's row. */
  expiresAt?: number;
  conditions: Condition[];
  outcome: { kind: string; afterSeconds?: number; reason?: string };
  launchTemplate?: {
    id: string;
    name: string;
    /** The version the node group is on (or was created with). */
    pinnedVersion?: number;
    /** The version whose data matches the current spec. */
    targetVersion?: number;
    latestVersion?: number;
    lastKnownGoodVersion?: number;
    /** Hash of the desired data (equal to the target version's). */
    dataHash?: string;
    imageId?: string;
    /**
     * The template as last read from EC2 or written by this pool's own actions. Versions are
     * immutable, so while the node group runs `pinnedVersion` of `id` this is what EC2 would say;
     * a no-op pass plans from it instead of describing the template, and the hourly drift check
     * (a resync message with `driftCheck`) reads EC2 again (docs/decisions/0082-no-op-pass-from-the-status-row.md).
     */
    defaultVersion?: number;
    versions?: Array<{ number: number; dataHash?: string; imageId?: string }>;
    tags?: Record<string, string>;
  };
  /**
   * The image an EKS-optimized lookup resolved, pinned to the spec hash it was resolved for:
   * while the spec does not change, the pool keeps this image instead of following SSM's
   * "recommended" pointer (which would roll every node whenever AWS publishes an image).
   */
  resolvedImage?: { imageId: string; parameterName: string; specHash: string };
  /**
   * What the live rules and the renderer read from EC2 (instance type, subnets, zones, offerings),
   * kept with the key they were read for: a hash of the pool's request (instance type, explicit
   * subnets and zones) and the cluster's subnets. A pass reuses them while the key is the same and
   * they are younger than their refresh age (75-100 % of LIVE_FACTS_MAX_AGE_SECONDS, a day by
   * default; liveFactsRefreshAgeMs).
   */
  liveFacts?: LiveFactsCache;
  /** The root device name of `imageId` (DescribeImages), for rootVolume pools; an image never changes it. */
  rootDevice?: { imageId: string; deviceName: string };
  nodegroup?: {
    name: string;
    status: string;
    desiredSize?: number;
    minSize?: number;
    maxSize?: number;
    launchTemplateVersion?: number;
    /**
     * EKS's `modifiedAt` as last read: a later one that no recorded update in flight explains
     * means an update the row does not know (decision 0094).
     */
    modifiedAt?: string;
    healthIssues: Array<{ code: string; message: string }>;
  };
  update?: UpdateRecord;
  failedRoll?: FailedRollRecord;
  failedConfigUpdate?: FailedUpdateRecord;
  rollback?: RollbackRecord;
  rollApproval?: RollApproval;
  /** The last check of the node group's instances (EnclavesVerified); see VerificationRecord. */
  verification?: VerificationRecord;
  /** The Cluster Autoscaler tags last found in place on the node group's Auto Scaling group. */
  autoscalerTags?: AutoscalerTagsRecord;
  /** The roll in flight, counted from the instances; see RollProgressRecord. */
  rollProgress?: RollProgressRecord;
  /** Newest last, bounded to HISTORY_LIMIT entries. */
  history: HistoryEntry[];
}

export const HISTORY_LIMIT = 20;

/** Keep a deleted pool's row for a week, so `describe` can still say what happened to it. */
export const DELETED_ROW_RETENTION_SECONDS = 7 * 24 * 3600;

export function appendHistory(
  history: readonly HistoryEntry[],
  entries: readonly HistoryEntry[],
): HistoryEntry[] {
  return [...history, ...entries].slice(-HISTORY_LIMIT);
}

/** The part of a row that says something: the bookkeeping fields are left out of the comparison. */
function content(row: StatusRow): unknown {
  const { revision: _revision, updatedAt: _updatedAt, ...rest } = row;
  return rest;
}

/**
 * Whether `next` says anything `previous` did not. When it does not, the reconcile writes
 * nothing (Backstage's hash-and-skip): an unchanged outcome costs no write and no revision.
 */
export function statusRowChanged(previous: StatusRow | undefined, next: StatusRow): boolean {
  if (!previous) return true;
  return canonicalJson(content(previous)) !== canonicalJson(content(next));
}

export function emptyStatusRow(poolId: string): StatusRow {
  return {
    poolId,
    revision: 0,
    updatedAt: new Date(0).toISOString(),
    deleted: false,
    conditions: [],
    outcome: { kind: 'done' },
    history: [],
  };
}
