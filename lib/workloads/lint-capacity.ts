import type { PoolWorkloadProfile } from './pool-profile';
import { formatMib } from './quantity';
import { type PodEnclaveUsage, type WorkloadFinding, WorkloadRule } from './workload-rule';

/** Capacity: whether all the file's enclave workloads fit the pool at its largest size at once. */

interface CapacityDimension {
  name: string;
  perNode: number;
  pick: (usage: PodEnclaveUsage) => number;
  format: (amount: number) => string;
}

/** What a node of the pool offers: enclaves, enclave CPUs, and each hugepages size it reserves. */
function capacityDimensions(pool: PoolWorkloadProfile): CapacityDimension[] {
  const dimensions: CapacityDimension[] = [];
  if (pool.maxEnclavesPerNode !== undefined) {
    dimensions.push({
      name: 'enclaves',
      perNode: pool.maxEnclavesPerNode,
      pick: (u) => u.enclaveSlots,
      format: String,
    });
  }
  if (pool.enclaveCpus !== undefined) {
    dimensions.push({
      name: 'enclave CPUs',
      perNode: pool.enclaveCpus,
      pick: (u) => u.enclaveCpus ?? 0,
      format: String,
    });
  }
  for (const allocation of pool.hugepages?.allocations ?? []) {
    dimensions.push({
      name: allocation.resourceName,
      perNode: allocation.totalMib,
      pick: (u) => u.hugepagesMib[allocation.resourceName] ?? 0,
      format: formatMib,
    });
  }
  return dimensions;
}

/**
 * Pods are packed per workload (copies of one workload per node), a lower bound on the nodes
 * needed; pods that do not fit one node at all are already reported on their own and left out here.
 */
export function lintCapacity(usage: PodEnclaveUsage[], pool: PoolWorkloadProfile): WorkloadFinding[] {
  const dimensions = capacityDimensions(pool);
  const perNodeLeft = new Map(
    dimensions.map((d) => [
      d,
      d.perNode - usage.filter((u) => u.replicas === 'perNode').reduce((sum, u) => sum + d.pick(u), 0),
    ]),
  );
  let nodesNeeded = 0;
  const packing: string[] = [];
  for (const workload of usage) {
    if (workload.replicas === 'perNode' || workload.replicas === 0) continue;
    const used = dimensions.filter((d) => d.pick(workload) > 0);
    if (used.length === 0 || used.some((d) => d.pick(workload) > d.perNode)) continue;
    const perNode = Math.min(
      ...used.map((d) => Math.floor(Math.max(0, perNodeLeft.get(d) ?? 0) / d.pick(workload))),
    );
    if (perNode === 0) {
      packing.push(`${workload.workload} does not fit next to the DaemonSets`);
      nodesNeeded = Number.POSITIVE_INFINITY;
      continue;
    }
    const nodes = Math.ceil(workload.replicas / perNode);
    nodesNeeded += nodes;
    const limits = used
      .map((d) => `${d.name} ${d.format(d.pick(workload))} of ${d.format(d.perNode)}`)
      .join(', ');
    packing.push(
      `${workload.workload}: ${workload.replicas} × (${limits}) → ${nodes} node${nodes === 1 ? '' : 's'}`,
    );
  }
  if (nodesNeeded <= pool.maxNodes) return [];
  return [
    {
      workload: '(all workloads)',
      document: 0,
      path: `(all workloads): replicas`,
      value: Number.isFinite(nodesNeeded) ? nodesNeeded : 'unschedulable',
      rule: WorkloadRule.PoolCapacityExceeded,
      severity: 'Warning',
      message: `these workloads need ${Number.isFinite(nodesNeeded) ? `at least ${nodesNeeded} nodes` : 'more than the pool offers'} of pool ${pool.poolName} at once (${packing.join('; ')}) but the pool scales to ${pool.maxNodes}; some pods will stay Pending: lower the replicas or raise the pool's maxSize`,
    },
  ];
}
