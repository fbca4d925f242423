/**
 * EKS's own words for node group and update state, as the DescribeNodegroup / DescribeUpdate
 * responses spell them. One module, so plan, observe, the adapters and the CLI compare against
 * the same constants instead of string literals that could drift apart.
 */

/** `Update.status` (DescribeUpdate, ListUpdates). */
export const UpdateStatus = {
  InProgress: 'InProgress',
  Successful: 'Successful',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
  /**
   * Not an EKS status: DescribeUpdate no longer knows the update the status row recorded, and the
   * node group is not updating, so it ended with an outcome nobody can tell any more.
   */
  NotFound: 'NotFound',
} as const;

/** `Update.type` of the two updates this system starts. */
export const UpdateType = { VersionUpdate: 'VersionUpdate', ConfigUpdate: 'ConfigUpdate' } as const;

/** `Nodegroup.status`. */
export const NodegroupStatus = {
  Creating: 'CREATING',
  Active: 'ACTIVE',
  Updating: 'UPDATING',
  Deleting: 'DELETING',
  CreateFailed: 'CREATE_FAILED',
  DeleteFailed: 'DELETE_FAILED',
  Degraded: 'DEGRADED',
} as const;

/** Failed and Cancelled both end an update without its change. */
export function isFailedUpdateStatus(status: string): boolean {
  return status === UpdateStatus.Failed || status === UpdateStatus.Cancelled;
}
