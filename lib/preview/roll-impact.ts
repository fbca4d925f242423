import type { UpdateConfig } from '../pool-spec';

/**
 * What rolling a node group to a new launch template version does to the fleet, by the numbers
 * EKS documents for managed node group updates: every node is replaced; with the DEFAULT strategy
 * the Auto Scaling group first grows by the larger of 2 × the AZ count and maxUnavailable; then
 * up to maxUnavailable old nodes at a time are cordoned, drained (15 min before
 * PodEvictionFailure unless forced) and terminated. MINIMAL terminates before launching.
 */

export const UpdateStrategy = { Default: 'DEFAULT', Minimal: 'MINIMAL' } as const;
export type UpdateStrategy = (typeof UpdateStrategy)[keyof typeof UpdateStrategy];

export interface RollImpactInput {
  /** Nodes in the group now (DescribeNodegroup desiredSize). */
  nodes: number;
  /** AZs of the node group's subnets. */
  availabilityZones: string[];
  updateConfig: UpdateConfig;
  force: boolean;
}

export interface RollImpact {
  nodesToReplace: number;
  availabilityZones: string[];
  updateStrategy: UpdateStrategy;
  /** As configured: "1" (EKS default), "2" or "25%". */
  maxUnavailable: string;
  /** Old nodes drained at once. */
  nodesPerBatch: number;
  batches: number;
  /** Extra instances launched at most while the roll runs (DEFAULT strategy only). */
  maxExtraInstances: number;
  force: boolean;
  /** One-line summary for the plan output. */
  summary: string;
}

export function rollImpact(input: RollImpactInput): RollImpact {
  const { nodes, availabilityZones, updateConfig, force } = input;
  const strategy = updateConfig.updateStrategy ?? UpdateStrategy.Default;
  const percentage = updateConfig.maxUnavailablePercentage;
  const configured = updateConfig.maxUnavailable;
  // EKS caps parallelism at 100 nodes whatever the setting; the default is one node.
  const nodesPerBatch = Math.max(
    1,
    Math.min(100, percentage !== undefined ? Math.floor((nodes * percentage) / 100) : (configured ?? 1)),
  );
  const maxUnavailable = percentage !== undefined ? `${percentage}%` : String(configured ?? 1);
  const batches = nodes === 0 ? 0 : Math.ceil(nodes / nodesPerBatch);
  const maxExtraInstances =
    strategy === UpdateStrategy.Default && nodes > 0
      ? Math.max(2 * Math.max(1, availabilityZones.length), nodesPerBatch)
      : 0;
  const zones = availabilityZones.length > 0 ? availabilityZones.join(', ') : 'unknown AZs';
  const extra =
    strategy === UpdateStrategy.Default
      ? `up to ${maxExtraInstances} extra instance${maxExtraInstances === 1 ? '' : 's'} while it runs`
      : 'old nodes terminated before new ones launch (no extra instances, less capacity during the roll)';
  const summary =
    nodes === 0
      ? `no nodes to replace (the node group is scaled to 0) in ${zones}`
      : `will replace ${nodes} node${nodes === 1 ? '' : 's'} in ${zones}, ${nodesPerBatch} at a time (${batches} batch${batches === 1 ? '' : 'es'}, ${strategy} strategy, maxUnavailable ${maxUnavailable}); ${extra}${force ? '; force: pods blocked by a PodDisruptionBudget are evicted anyway' : ''}`;
  return {
    nodesToReplace: nodes,
    availabilityZones,
    updateStrategy: strategy,
    maxUnavailable,
    nodesPerBatch,
    batches,
    maxExtraInstances,
    force,
    summary,
  };
}
