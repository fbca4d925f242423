import type { PoolPolicies, Taint, UpdateConfig } from '../pool-spec';
import type { LaunchTemplateData } from '../render/launch-template-data';
import type { ConditionInput } from '../status/conditions';
import type {
  AutoscalerTagsRecord,
  FailedRollRecord,
  FailedUpdateRecord,
  HistoryEntry,
  RollApproval,
  RollbackRecord,
  UpdateRecord,
  VerificationRecord,
} from '../status/status-row';

/**
 * The vocabulary of plan(): what the pool should look like (Desired), what AWS and the status row
 * say it looks like (Observed), and what to do about the difference (Plan). Plain data only: no
 * SDK types, no clocks, no I/O.
 */

/** Requeue delays (seconds) and the version retention bound. */
export interface PlanPolicy {
  /** This deployment's id (enclave-pools:deployment tag): resources of another deployment are never ours. */
  deploymentId?: string;
  requeueSeconds: {
    /** Node group CREATING. */
    creating: number;
    /** An update in flight (a roll takes minutes to hours; EKS sends no completion event). */
    updating: number;
    /** Node group DELETING. */
    deleting: number;
    /** EKS refused an update because another one is in flight (ResourceInUseException). */
    busy: number;
  };
  /** Launch template versions kept per pool; protected versions are kept on top of this. */
  maxLaunchTemplateVersions: number;
}

export interface DesiredLaunchTemplate {
  name: string;
  data: LaunchTemplateData;
  dataHash: string;
  resourceTags: Record<string, string>;
}

export interface ScalingConfig {
  minSize: number;
  maxSize: number;
  desiredSize: number;
}

export interface DesiredNodegroup {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  scaling: ScalingConfig;
  updateConfig: UpdateConfig;
  capacityType: 'ON_DEMAND' | 'SPOT';
  subnets: string[];
  /** Subnets written in the spec are compared with the node group's; defaulted ones are not. */
  subnetsExplicit: boolean;
  nodeRoleName: string;
  /** Always CUSTOM: the launch template carries an image id, and EKS rejects anything else then. */
  amiType: 'CUSTOM';
  tags: Record<string, string>;
  /** EKS `force` on version updates: evict even when a PodDisruptionBudget blocks the drain. */
  force: boolean;
}

export interface DesiredPresent {
  kind: 'present';
  poolId: string;
  clusterName: string;
  generation: number;
  specHash: string;
  /**
   * The status row revision this pass read. Part of every idempotency token: a token then
   * protects one request and its SDK retries, and is never reused once the world has moved on
   * (a template deleted and created again, a label put back after drift), where EC2 and EKS
   * would answer with the old resource or update instead of acting.
   */
  statusRevision: number;
  launchTemplate: DesiredLaunchTemplate;
  nodegroup: DesiredNodegroup;
  policy: PlanPolicy;
  /** The pool's own policies (annotations): rollback, roll, maintenance window, drift. */
  policies: PoolPolicies;
  /**
   * The Cluster Autoscaler node-template tags for the node group's Auto Scaling group; undefined
   * when the pool opts out (`enclave-pools.aws/autoscaler-tags: "false"`).
   */
  autoscalerTags?: Record<string, string>;
  /** Warnings the spec validated with ("path: message"); SpecValid says them. */
  specWarnings?: string[];
}

/** The spec is gone: converge on "nothing of this pool exists". */
export interface DesiredAbsent {
  kind: 'absent';
  poolId: string;
  /** Known from the status row or the launch template's tags; undefined when nothing is known. */
  clusterName?: string;
  nodegroupName?: string;
  policy: PlanPolicy;
}

export type Desired = DesiredPresent | DesiredAbsent;

export interface ObservedLaunchTemplateVersion {
  number: number;
  /** From the version description, or computed from the data for versions made elsewhere. */
  dataHash?: string;
  imageId?: string;
}

export interface ObservedLaunchTemplate {
  id: string;
  name: string;
  tags: Record<string, string>;
  defaultVersion: number;
  latestVersion: number;
  versions: ObservedLaunchTemplateVersion[];
}

export interface ObservedNodegroup {
  name: string;
  arn?: string;
  /** CREATING | ACTIVE | UPDATING | DELETING | CREATE_FAILED | DELETE_FAILED | DEGRADED */
  status: string;
  tags: Record<string, string>;
  launchTemplate?: { id?: string; name?: string; version?: number };
  labels: Record<string, string>;
  taints: Taint[];
  scaling?: Partial<ScalingConfig>;
  updateConfig?: UpdateConfig;
  capacityType?: string;
  subnets: string[];
  nodeRoleArn?: string;
  amiType?: string;
  /** Names of the Auto Scaling groups EKS runs the nodes in (`resources.autoScalingGroups`). */
  autoScalingGroups?: string[];
  healthIssues: Array<{ code: string; message: string }>;
  /** `modifiedAt` (ISO): when EKS last changed the node group; an update's start or end moves it. */
  modifiedAt?: string;
}

/** One EC2 instance of a node group, as DescribeInstances reports it. */
export interface ObservedInstance {
  instanceId: string;
  /** ISO time. */
  launchTime: string;
  /** pending | running | shutting-down | stopping | stopped | terminated */
  state: string;
  availabilityZone?: string;
  /** `EnclaveOptions.Enabled`; undefined when EC2 did not say. */
  enclavesEnabled?: boolean;
  imageId?: string;
  /** From the `aws:ec2launchtemplate:id` / `:version` tags EC2 puts on instances it launches from a template. */
  launchTemplateId?: string;
  launchTemplateVersion?: string;
}

/** The Auto Scaling group behind a node group (on AWS its template is EKS's copy of ours). */
export interface ObservedAutoScalingGroup {
  name: string;
  launchTemplate?: { id?: string; name?: string; version?: string };
  tags: Record<string, string>;
  desiredCapacity: number;
}

/** The node group's group and instances, read only when a decision needs them (lib/plan/fleet-reads.ts). */
export interface ObservedFleet {
  autoScalingGroup: ObservedAutoScalingGroup;
  instances: ObservedInstance[];
  /** The roll in flight when the listing was read: only then do its counts say how far that roll is. */
  duringUpdateId?: string;
}

/**
 * What AWS has that the status row does not record, found before planning (lib/plan/found-history.ts,
 * decision 0094): a pass made it and died before its status write. Recorded once, by the first plan step.
 */
export interface ObservedFound {
  launchTemplate?: { id: string; name: string; version: number };
  /** Versions newer than the row's latest, with the spec's data. */
  versions?: number[];
  nodegroup?: { name: string; version?: number };
  /** Updates EKS lists that the row does not know, created after its last write; oldest first. */
  updates?: UpdateRecord[];
}

export interface Observed {
  /** See ObservedFound; absent when the row knows everything AWS shows. */
  found?: ObservedFound;
  launchTemplate?: ObservedLaunchTemplate;
  nodegroup?: ObservedNodegroup;
  /** The update recorded in the status row (refreshed with DescribeUpdate), or one found in flight. */
  update?: UpdateRecord;
  /**
   * The recorded update, ended, that an update found in flight through ListUpdates replaced as
   * `update` (its pass lost its status write): its outcome is recorded all the same.
   */
  endedUpdate?: UpdateRecord;
  /** The node role's ARN, read only when the node group has to be created. */
  nodeRoleArn?: string;
  /** EKS answered ResourceInUseException: another update is in flight that we did not see. */
  nodegroupBusy?: boolean;
  /** The pass's clock (ISO 8601), for maintenance windows: plan() reads no clock of its own. */
  now?: string;
  /** Read only when a decision needs it (see lib/plan/fleet-reads.ts); undefined otherwise. */
  fleet?: ObservedFleet;
  /**
   * The Auto Scaling group's autoscaler tags as the status row recorded them applied, when only
   * those tags are due (no fleet read): the group's name is DescribeNodegroup's, the tags ours.
   */
  autoscalerGroup?: Pick<ObservedAutoScalingGroup, 'name' | 'tags'>;
  /** Bookkeeping carried over from the status row. */
  previous: {
    lastKnownGoodVersion?: number;
    failedRoll?: FailedRollRecord;
    failedConfigUpdate?: FailedUpdateRecord;
    /** The update as the status row last recorded it (to notice a transition, once). */
    update?: UpdateRecord;
    rollback?: RollbackRecord;
    rollApproval?: RollApproval;
    /** The spec the last pass ended converged on ('done'): a difference now is drift. */
    converged?: { specHash: string; generation: number };
    verification?: VerificationRecord;
    autoscalerTags?: AutoscalerTagsRecord;
  };
}

export interface LabelChanges {
  addOrUpdate: Record<string, string>;
  remove: string[];
}

export interface TaintChanges {
  addOrUpdate: Taint[];
  remove: Taint[];
}

export interface NodegroupConfigChanges {
  labels?: LabelChanges;
  taints?: TaintChanges;
  scaling?: ScalingConfig;
  updateConfig?: UpdateConfig;
}

export type Action =
  | {
      kind: 'CreateLaunchTemplate';
      name: string;
      data: LaunchTemplateData;
      dataHash: string;
      resourceTags: Record<string, string>;
      clientToken: string;
    }
  | {
      kind: 'CreateLaunchTemplateVersion';
      launchTemplateId: string;
      data: LaunchTemplateData;
      dataHash: string;
      clientToken: string;
    }
  | { kind: 'PruneLaunchTemplateVersions'; launchTemplateId: string; versions: number[] }
  | {
      kind: 'CreateNodegroup';
      clusterName: string;
      nodegroupName: string;
      launchTemplateId: string;
      launchTemplateVersion: number;
      nodeRoleArn: string;
      subnets: string[];
      labels: Record<string, string>;
      taints: Taint[];
      scaling: ScalingConfig;
      updateConfig: UpdateConfig;
      capacityType: 'ON_DEMAND' | 'SPOT';
      amiType: 'CUSTOM';
      tags: Record<string, string>;
      clientRequestToken: string;
    }
  | {
      kind: 'UpdateNodegroupVersion';
      clusterName: string;
      nodegroupName: string;
      launchTemplateId: string;
      launchTemplateVersion: number;
      dataHash: string;
      force: boolean;
      clientRequestToken: string;
      /** Set on the roll back to the last-known-good version (decision 0120). */
      purpose?: 'rollback';
    }
  | {
      kind: 'UpdateNodegroupConfig';
      clusterName: string;
      nodegroupName: string;
      changes: NodegroupConfigChanges;
      clientRequestToken: string;
    }
  | { kind: 'TagNodegroup'; nodegroupArn: string; tags: Record<string, string> }
  | {
      kind: 'TagAutoScalingGroup';
      autoScalingGroupName: string;
      /** Tags to create or overwrite. */
      put: Record<string, string>;
      /** Keys this system set before that the spec no longer asks for. */
      remove: string[];
    }
  | { kind: 'DeleteNodegroup'; clusterName: string; nodegroupName: string }
  | { kind: 'DeleteLaunchTemplate'; launchTemplateId: string; name: string };

/** What the status row should remember from this pass, beyond the conditions. */
export interface PlanRecord {
  /** The version whose data matches the spec, when one exists. */
  targetVersion?: number;
  lastKnownGoodVersion?: number;
  /** `null` clears a recorded failure; undefined leaves it as it was. */
  failedRoll?: FailedRollRecord | null;
  failedConfigUpdate?: FailedUpdateRecord | null;
  rollback?: RollbackRecord | null;
  /** A check of the node group's instances made this pass (its `at` is filled in with the row). */
  verification?: Omit<VerificationRecord, 'at'>;
  /** The autoscaler tags found in place this pass. */
  autoscalerTags?: AutoscalerTagsRecord;
  /** Events noticed this pass (a roll that finished, failed, ...); the clock is added later. */
  events: Array<Omit<HistoryEntry, 'at'>>;
  /** Everything of the pool is gone (only for an absent spec). */
  deleted?: boolean;
}

export interface Plan {
  actions: Action[];
  /** Conditions computed by this pass (Ready is derived from them when the row is written). */
  conditions: ConditionInput[];
  requeueAfterSeconds?: number;
  /** Why the pass waits (a condition reason, e.g. UpdateInProgress); set with requeueAfterSeconds. */
  requeueReason?: string;
  /** Set when the pool cannot progress without a change by the user: not retried. */
  terminal?: { reason: string; message: string };
  record: PlanRecord;
}
