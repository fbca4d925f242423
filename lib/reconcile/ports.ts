import type {
  Action,
  ObservedAutoScalingGroup,
  ObservedInstance,
  ObservedLaunchTemplate,
  ObservedLaunchTemplateVersion,
  ObservedNodegroup,
} from '../plan/plan-types';
import type { StoredSpec } from '../pool-spec';
import type { StatusRow, UpdateRecord } from '../status/status-row';

/**
 * What reconcile() needs from the outside world, declared here, on the side that uses it (CAPA's
 * narrow service interfaces). lib/aws implements them structurally, without importing this file
 * (lib/aws must not depend on lib/reconcile, which builds the adapters in create-reconcile-deps.ts);
 * the assignment there is the compile-time proof. Tests and the dry run (lib/preview) implement
 * them too.
 */

type ActionInput<Kind extends Action['kind']> = Omit<Extract<Action, { kind: Kind }>, 'kind'>;

/** An update EKS started, or "another update is in flight" (ResourceInUseException): a state, not an error. */
export type UpdateStart = { started: UpdateRecord } | { busy: string };

export interface LaunchTemplatesPort {
  /** Undefined when no template has that name. */
  describe(name: string): Promise<ObservedLaunchTemplate | undefined>;
  /** The template tagged as this pool's (and deployment's), for a deletion after the status row is gone. */
  findByPool(poolId: string, deploymentId?: string): Promise<ObservedLaunchTemplate | undefined>;
  create(input: ActionInput<'CreateLaunchTemplate'>): Promise<ObservedLaunchTemplate>;
  createVersion(input: ActionInput<'CreateLaunchTemplateVersion'>): Promise<ObservedLaunchTemplateVersion>;
  /** Returns the versions that are gone afterwards. */
  deleteVersions(launchTemplateId: string, versions: number[]): Promise<number[]>;
  delete(launchTemplateId: string): Promise<void>;
}

export interface NodegroupsPort {
  /** Undefined when the node group does not exist. */
  describe(clusterName: string, nodegroupName: string): Promise<ObservedNodegroup | undefined>;
  create(input: ActionInput<'CreateNodegroup'>): Promise<ObservedNodegroup>;
  updateVersion(input: Omit<ActionInput<'UpdateNodegroupVersion'>, 'dataHash'>): Promise<UpdateStart>;
  updateConfig(input: ActionInput<'UpdateNodegroupConfig'>): Promise<UpdateStart>;
  describeUpdate(
    clusterName: string,
    nodegroupName: string,
    updateId: string,
  ): Promise<UpdateRecord | undefined>;
  /** An update in flight that the status row does not know about. */
  findInProgressUpdate(clusterName: string, nodegroupName: string): Promise<UpdateRecord | undefined>;
  /** The newest update of that kind not among `knownIds`, created after `createdAfter` (a lost pass's). */
  findUnrecordedUpdate(
    clusterName: string,
    nodegroupName: string,
    query: { type: string; launchTemplateVersion?: number; knownIds: string[]; createdAfter: string },
  ): Promise<UpdateRecord | undefined>;
  /**
   * Every update of the types this system starts that is not among `knownIds` and was created
   * after `createdAfter` (any time when undefined), oldest first: those a dead pass started.
   */
  listUnrecordedUpdates(
    clusterName: string,
    nodegroupName: string,
    query: { knownIds: string[]; createdAfter?: string },
  ): Promise<UpdateRecord[]>;
  tag(nodegroupArn: string, tags: Record<string, string>): Promise<void>;
  delete(clusterName: string, nodegroupName: string): Promise<{ deleting: true } | { busy: string }>;
}

/** The node group's Auto Scaling group (lib/aws/auto-scaling-groups.ts). */
export interface AutoScalingGroupsPort {
  /** Undefined when no group has that name. */
  describe(name: string): Promise<ObservedAutoScalingGroup | undefined>;
  putTags(name: string, tags: Record<string, string>): Promise<void>;
  deleteTags(name: string, keys: readonly string[]): Promise<void>;
}

/** The instances of a node group's Auto Scaling group, every page (lib/aws/nodegroup-instances.ts). */
export interface InstancesPort {
  listByAutoScalingGroup(groupName: string): Promise<ObservedInstance[]>;
}

export interface AmiParametersPort {
  /** The image id an SSM public parameter points to; undefined when the parameter does not exist. */
  imageId(parameterName: string): Promise<string | undefined>;
  rootDeviceName(imageId: string): Promise<string | undefined>;
}

export interface NodeRolesPort {
  /** Undefined when the role does not exist. */
  arn(roleName: string): Promise<string | undefined>;
}

/** A spec store (S3 or DynamoDB): the pool's newest document, or undefined when it holds none. */
export interface SpecSource {
  /** Which store this is, to match the status row's specSource and the triggers' events. */
  readonly source?: 's3' | 'dynamodb';
  load(poolId: string): Promise<StoredSpec | undefined>;
  /**
   * The pool's document at a location this store reported before (one read: no listing);
   * undefined when it is no longer there.
   */
  loadAt?(poolId: string, location: string): Promise<StoredSpec | undefined>;
}

export interface StatusTablePort {
  get(poolId: string): Promise<StatusRow | undefined>;
  /** Conditional on `expectedRevision`; a lost race throws ConcurrentUpdateError. */
  put(row: StatusRow, expectedRevision: number): Promise<StatusRow>;
}

/** What observe() reads. */
export interface ObservePorts {
  launchTemplates: LaunchTemplatesPort;
  nodegroups: NodegroupsPort;
  nodeRoles: NodeRolesPort;
  /** Both read only when a decision needs the instances (lib/plan/fleet-reads.ts). */
  autoScalingGroups: AutoScalingGroupsPort;
  instances: InstancesPort;
}

/** What executeAction() writes. */
export interface ExecutorPorts {
  launchTemplates: LaunchTemplatesPort;
  nodegroups: NodegroupsPort;
  autoScalingGroups: AutoScalingGroupsPort;
}
