import { FORCE_UPDATE_ANNOTATION } from '../manifests/managed-machine-pool-reader';

/**
 * What a user can do about a failed EKS update, by ErrorDetail.errorCode. The codes are EKS's
 * (API_ErrorDetail); the hints come from the managed node group update behaviour.
 */
const HINTS: Record<string, string> = {
  PodEvictionFailure: `a PodDisruptionBudget (or a pod that tolerates every taint) kept a node from draining for 15 minutes; fix the budget, or set force (annotation ${FORCE_UPDATE_ANNOTATION}: "true" on the AWSManagedMachinePool) to evict anyway, then write the spec again to retry`,
  NodeCreationFailure:
    'new nodes did not join as Ready: check the pre-nodeadm commands (they run under errexit), the AMI, instance capacity in the subnets and the node role; fix the spec to roll a new version',
  InsufficientFreeAddresses:
    'the subnets have no free IP addresses; free some or use larger subnets, then write the spec again',
  IpNotAvailable:
    'the subnets have no free IP addresses; free some or use larger subnets, then write the spec again',
  EniLimitReached: 'the account hit its ENI limit; raise the quota, then write the spec again',
  AccessDenied:
    'EKS lacked a permission (often on the node role); fix the IAM policy, then write the spec again',
  ClusterUnreachable:
    'EKS could not reach the cluster API; check the cluster endpoint access, then write the spec again',
  SubnetNotFound: 'a subnet of the node group no longer exists; restore it or move the pool to new subnets',
  SecurityGroupNotFound:
    'a security group in the launch template no longer exists; fix awsLaunchTemplate.additionalSecurityGroups',
  // Not EKS codes: this system's own check of the instances after a roll EKS called Successful.
  InstancesWithoutEnclaves:
    'nodes of this version came up without Nitro Enclaves: check that the instance type supports enclaves and that the launch template version has EnclaveOptions.Enabled, then write the spec again to retry',
  InstancesOnOldVersion:
    'EKS ended the roll with nodes still on another launch template version; write the spec again to retry the roll',
};

export function rollFailureHint(errorCode: string): string {
  return HINTS[errorCode] ?? 'read the update errors, fix the cause, then write the spec again to retry';
}
