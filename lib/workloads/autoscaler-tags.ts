import { slotSizing } from './device-plugin-manifest';
import { KUBERNETES_TAINT_EFFECT } from './node-matching';
import type { PoolWorkloadProfile } from './pool-profile';
import { formatMib } from './quantity';

/**
 * The Cluster Autoscaler's node-template tags for a pool's Auto Scaling group. Scaling a group up
 * from zero nodes, the autoscaler has no node to look at: it builds a template node from the
 * instance type and from these ASG tags (kubernetes/autoscaler, cluster-autoscaler/cloudprovider/
 * aws/README.md "Auto-Discovery Setup" and aws_manager.go buildNodeFromTemplate):
 *   - `resources/<name>`: extended resources, a quantity as in a pod's `resources`;
 *   - `label/<key>`: node labels (a nodeSelector on them only matches a group that has the tag);
 *   - `taint/<key>`: `<value>:<Effect>`.
 * For EKS managed node groups it also reads labels and taints through DescribeNodegroup, but only
 * for a node group that was created with 0 nodes and never had one (same README, the
 * `eks:DescribeNodegroup` permission), so the tags are what a pool scaled back to zero relies on.
 * EKS copies none of these to the group itself.
 */

export const NODE_TEMPLATE_PREFIX = 'k8s.io/cluster-autoscaler/node-template/';
export const ENCLAVE_RESOURCE = 'aws.ec2.nitro/nitro_enclaves';
/** EC2 Auto Scaling tag limits (autoscaling model, `TagKey` / `TagValue`). */
const MAX_KEY = 128;
const MAX_VALUE = 256;

export function autoscalerNodeTemplateTags(
  profile: PoolWorkloadProfile,
  pool: { enclavesEnabled: boolean; labels: Record<string, string> },
): Record<string, string> {
  const tags: Record<string, string> = {};
  if (pool.enclavesEnabled) {
    // What the pool's device plugin advertises (MAX_ENCLAVES_PER_NODE of its DaemonSet).
    tags[`${NODE_TEMPLATE_PREFIX}resources/${ENCLAVE_RESOURCE}`] = String(slotSizing(profile, {}).slots);
    // What the allocator reserves, per page size (hugepages-2Mi / hugepages-1Gi ...).
    for (const allocation of profile.hugepages?.allocations ?? []) {
      tags[`${NODE_TEMPLATE_PREFIX}resources/${allocation.resourceName}`] = formatMib(allocation.totalMib);
    }
  }
  for (const [key, value] of Object.entries(pool.labels)) tags[`${NODE_TEMPLATE_PREFIX}label/${key}`] = value;
  for (const taint of profile.taints) {
    tags[`${NODE_TEMPLATE_PREFIX}taint/${taint.key}`] =
      `${taint.value ?? ''}:${KUBERNETES_TAINT_EFFECT[taint.effect]}`;
  }
  // A label key of 83+ characters cannot be a group tag key: left out (the autoscaler then cannot
  // scale this pool from zero for a pod selecting on that label).
  return Object.fromEntries(
    Object.entries(tags).filter(([key, value]) => key.length <= MAX_KEY && value.length <= MAX_VALUE),
  );
}
